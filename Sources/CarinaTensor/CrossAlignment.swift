import Foundation

extension Losses {
    /// One direction of MGCA's weighted token-level cross-modal alignment (Wang et al., NeurIPS 2022, §3.2;
    /// word→patch with `queries` = words, `keys` = patches, and patch→word the other way round).
    ///
    /// Per sample, over its valid queries `q_i` and valid keys `k_j` (both rows of `E`):
    /// `a_ij = softmax_j(q_i·k_j / τ)` (masked keys excluded), context `c_i = Σ_j a_ij k_j`, L2-normalized when
    /// `normalizeContext` (MGCA normalizes the word contexts; with a ViT it leaves the patch contexts as they are),
    /// `s_il = q_i·c_l / τ`; loss `Σ_i w_i (CE(s_i·, i) + CE(s_·i, i)) / 2` with the query weights `w_i`
    /// (MGCA: the clipped, normalized CLS attention, summing to 1 per sample); the batch loss is the sum over
    /// samples divided by `B`. Invalid queries take no part (rows and columns of `s` are masked, where MGCA's
    /// padded word slots still enter the column softmax).
    ///
    /// Layouts: `queries (B, n, E)` with sample stride `queryStride`; `queryValid`, `queryWeight (B, n)` with sample
    /// stride `n`; `keys (B, m, E)` with sample stride `keyStride`; `keyValid (B, m)` (nil: all valid). Gradients
    /// are written (not added) in the input layouts, times `weight`; invalid rows get 0.
    @unsafe
    public static func crossAlignment(
        queries: UnsafePointer<Float>, queryStride: Int, queryValid: UnsafePointer<Float>?,
        queryWeight: UnsafePointer<Float>, keys: UnsafePointer<Float>, keyStride: Int, keyValid: UnsafePointer<Float>?,
        batch b: Int, queryCount n: Int, keyCount m: Int, dim e: Int, temperature tau: Float, normalizeContext: Bool,
        dqueries: UnsafeMutablePointer<Float>, dkeys: UnsafeMutablePointer<Float>, weight: Float = 1
    ) -> Double {
        let invTau = 1 / tau
        let scale = weight / Float(b)
        let perSample = Parallel.map(b) { bi in
            let qs = unsafe queries + bi * queryStride, ks = unsafe keys + bi * keyStride
            let dqs = unsafe dqueries + bi * queryStride, dks = unsafe dkeys + bi * keyStride
            for i in 0..<(n * e) { unsafe dqs[i] = 0 }
            for i in 0..<(m * e) { unsafe dks[i] = 0 }
            let qi = (0..<n).filter { i in unsafe queryValid.map { unsafe $0[bi * n + i] != 0 } ?? true }
            let kj = (0..<m).filter { j in unsafe keyValid.map { unsafe $0[bi * m + j] != 0 } ?? true }
            let nq = qi.count, nk = kj.count
            if nq == 0 || nk == 0 { return 0 }
            let buf = UnsafeMutablePointer<Float>.allocate(capacity: 2 * nq * e + 2 * nk * e + 2 * nq * nk
                                                            + 4 * nq * e + nq + 2 * nq * nq + nq)
            defer { unsafe buf.deallocate() }
            var at = 0
            @unsafe func take(_ c: Int) -> UnsafeMutablePointer<Float> { defer { at += c }; return unsafe buf + at }
            let q = unsafe take(nq * e), k = unsafe take(nk * e), dq = unsafe take(nq * e), dk = unsafe take(nk * e)
            let a = unsafe take(nq * nk), da = unsafe take(nq * nk)
            let craw = unsafe take(nq * e), c = unsafe take(nq * e), dc = unsafe take(nq * e), dcraw = unsafe take(nq * e)
            let norms = unsafe take(nq), sim = unsafe take(nq * nq), dsim = unsafe take(nq * nq), w = unsafe take(nq)
            for (r, i) in qi.enumerated() {
                for x in 0..<e { unsafe q[r * e + x] = qs[i * e + x] }
                unsafe w[r] = queryWeight[bi * n + i]
            }
            for (r, j) in kj.enumerated() { for x in 0..<e { unsafe k[r * e + x] = ks[j * e + x] } }
            // Forward: attention of queries over keys (each key its own value), contexts, query × context
            // similarities.
            unsafe AttentionHead.forward(out: craw, ldOut: e, att: a, q: q, ldq: e, k: k, ldk: e, v: k, ldv: e,
                                         mask: nil, queries: nq, keys: nk, headDim: e, scale: invTau, causal: false)
            if normalizeContext {
                unsafe Normalize.forward(out: c, norm: norms, inp: craw, rows: nq, dim: e)
            } else {
                unsafe c.update(from: craw, count: nq * e)
            }
            unsafe BLAS.sgemm(transA: false, transB: true, m: nq, n: nq, k: e, alpha: invTau,
                              a: q, lda: e, b: c, ldb: e, beta: 0, c: sim, ldc: nq)
            // Loss and dS_il = (w_i (rowSoftmax_il − δ) + w_l (colSoftmax_il − δ)) / 2, times weight / B.
            unsafe dsim.update(repeating: 0, count: nq * nq)
            let loss = unsafe Losses.diagonalCrossEntropyBothWays(sim: sim, count: nq, weights: w, scale: 0.5 * scale,
                                                                  dsim: dsim)
            // dQ = dS · C / τ ; dC = dSᵀ · Q / τ
            unsafe BLAS.sgemm(transA: false, transB: false, m: nq, n: e, k: nq, alpha: invTau,
                              a: dsim, lda: nq, b: c, ldb: e, beta: 0, c: dq, ldc: e)
            unsafe BLAS.sgemm(transA: true, transB: false, m: nq, n: e, k: nq, alpha: invTau,
                              a: dsim, lda: nq, b: q, ldb: e, beta: 0, c: dc, ldc: e)
            if normalizeContext {
                unsafe Normalize.backward(dinp: dcraw, dout: dc, out: c, norm: norms, rows: nq, dim: e)
            } else {
                unsafe dcraw.update(from: dc, count: nq * e)
            }
            // The attention's backward, each key its own value: dA = dCraw · Kᵀ ; dK = Aᵀ · dCraw ; then through
            // the softmax, Z = Q·Kᵀ/τ: dQ += dZ · K / τ ; dK += dZᵀ · Q / τ.
            unsafe AttentionHead.backward(dq: dq, lddq: e, dk: dk, lddk: e, dv: dk, lddv: e, dout: dcraw, ldy: e,
                                          att: a, q: q, ldq: e, k: k, ldk: e, v: k, ldv: e, scratch: da,
                                          queries: nq, keys: nk, headDim: e, scale: invTau, accumulate: true)
            for (r, i) in qi.enumerated() { for x in 0..<e { unsafe dqs[i * e + x] = dq[r * e + x] } }
            for (r, j) in kj.enumerated() { for x in 0..<e { unsafe dks[j * e + x] = dk[r * e + x] } }
            return loss / 2
        }
        return perSample.reduce(0, +) / Double(b)
    }
}
