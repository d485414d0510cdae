import Foundation

extension Losses {
    /// MGCA's token-wise local alignment between report tokens and image patches.
    ///
    /// Per sample, with L2-normalized tokens `t_i` (only the valid ones) and patches `p_j`:
    /// `a_ij = softmax_j(t_i·p_j / τ)`, context `c_i = normalize(Σ_j a_ij p_j)`, similarity `s_ik = t_i·c_k / τ`;
    /// each valid token scores cross-entropy to the diagonal along its row (token→context) and its column
    /// (context→token), averaged; the loss is the mean over all valid tokens of the batch.
    ///
    /// Layouts: `tokens (B, L, E)` with sample stride `tokenStride` and row stride `E`; `valid (B, L)` with sample
    /// stride `validStride`; `patches (B, P, E)` with sample stride `patchStride`. Gradients are written in the same
    /// layouts (invalid token rows get 0), multiplied by `weight`.
    @unsafe
    public static func localAlignment(
        tokens: UnsafePointer<Float>, tokenStride: Int, valid: UnsafePointer<Float>, validStride: Int,
        patches: UnsafePointer<Float>, patchStride: Int, batch b: Int, tokenCount l: Int, patchCount p: Int,
        dim e: Int, temperature tau: Float,
        dtokens: UnsafeMutablePointer<Float>, dpatches: UnsafeMutablePointer<Float>, weight: Float = 1
    ) -> Double {
        var totalValid = 0
        for bi in 0..<b { for i in 0..<l where unsafe valid[bi * validStride + i] != 0 { totalValid += 1 } }
        let w = totalValid == 0 ? 0 : weight / Float(2 * totalValid)
        let invTau = 1 / tau
        let perSample = Parallel.map(b) { bi in
            let tok = unsafe tokens + bi * tokenStride, pm = unsafe patches + bi * patchStride
            let dtok = unsafe dtokens + bi * tokenStride, dpm = unsafe dpatches + bi * patchStride
            for i in 0..<(l * e) { unsafe dtok[i] = 0 }
            for i in 0..<(p * e) { unsafe dpm[i] = 0 }
            let idx = (0..<l).filter { unsafe valid[bi * validStride + $0] != 0 }
            let n = idx.count
            if n == 0 { return 0 }
            var t = [Float](repeating: 0, count: n * e)
            for (r, i) in idx.enumerated() { for k in 0..<e { unsafe t[r * e + k] = tok[i * e + k] } }
            var a = [Float](repeating: 0, count: n * p), craw = [Float](repeating: 0, count: n * e)
            var c = [Float](repeating: 0, count: n * e), norms = [Float](repeating: 0, count: n)
            var sim = [Float](repeating: 0, count: n * n)
            var dt = [Float](repeating: 0, count: n * e), dc = [Float](repeating: 0, count: n * e)
            var dcraw = [Float](repeating: 0, count: n * e)
            var loss = 0.0
            unsafe t.withUnsafeMutableBufferPointer { tb in
            unsafe a.withUnsafeMutableBufferPointer { ab in
            unsafe craw.withUnsafeMutableBufferPointer { crb in
            unsafe c.withUnsafeMutableBufferPointer { cb in
            unsafe norms.withUnsafeMutableBufferPointer { nb in
            unsafe sim.withUnsafeMutableBufferPointer { sb in
            unsafe dt.withUnsafeMutableBufferPointer { dtb in
            unsafe dc.withUnsafeMutableBufferPointer { dcb in
            unsafe dcraw.withUnsafeMutableBufferPointer { dcrb in
                let t = tb.baseAddress!, a = ab.baseAddress!, craw = crb.baseAddress!
                let c = cb.baseAddress!, norms = nb.baseAddress!, sim = sb.baseAddress!
                let dt = dtb.baseAddress!, dc = dcb.baseAddress!, dcraw = dcrb.baseAddress!
                // Forward: attention of tokens over patches, contexts, token×context similarities.
                unsafe AttentionHead.forward(out: craw, ldOut: e, att: a, q: t, ldq: e, k: pm, ldk: e, v: pm, ldv: e,
                                             mask: nil, queries: n, keys: p, headDim: e, scale: invTau, causal: false)
                for r in 0..<n {
                    var s: Float = 0
                    for k in 0..<e { s += unsafe craw[r * e + k] * craw[r * e + k] }
                    let nr = max(s.squareRoot(), Normalize.epsilon)
                    unsafe norms[r] = nr
                    for k in 0..<e { unsafe c[r * e + k] = craw[r * e + k] / nr }
                }
                unsafe BLAS.sgemm(transA: false, transB: true, m: n, n: n, k: e, alpha: invTau,
                                  a: t, lda: e, b: c, ldb: e, beta: 0, c: sim, ldc: n)
                // Loss and dSim = w·(rowSoftmax − I) + w·(colSoftmax − I), built in `dsim`.
                var dsim = [Float](repeating: 0, count: n * n)
                unsafe dsim.withUnsafeMutableBufferPointer { dsb in
                    let ds = dsb.baseAddress!
                    loss = unsafe Losses.diagonalCrossEntropyBothWays(sim: sim, count: n, weights: nil, scale: w,
                                                                      dsim: ds)
                    // dT = dS · C / τ ; dC = dSᵀ · T / τ
                    unsafe BLAS.sgemm(transA: false, transB: false, m: n, n: e, k: n, alpha: invTau,
                                      a: ds, lda: n, b: c, ldb: e, beta: 0, c: dt, ldc: e)
                    unsafe BLAS.sgemm(transA: true, transB: false, m: n, n: e, k: n, alpha: invTau,
                                      a: ds, lda: n, b: t, ldb: e, beta: 0, c: dc, ldc: e)
                }
                unsafe Normalize.backward(dinp: dcraw, dout: dc, out: c, norm: norms, rows: n, dim: e)
                // The attention's backward, each patch its own value: dA = dCraw · Pᵀ ; dP = Aᵀ · dCraw ; then
                // through the softmax, Z = T·Pᵀ/τ: dT += dZ · P / τ ; dP += dZᵀ · T / τ.
                var da = [Float](repeating: 0, count: n * p)
                unsafe da.withUnsafeMutableBufferPointer { dab in
                    unsafe AttentionHead.backward(dq: dt, lddq: e, dk: dpm, lddk: e, dv: dpm, lddv: e, dout: dcraw,
                                                  ldy: e, att: a, q: t, ldq: e, k: pm, ldk: e, v: pm, ldv: e,
                                                  scratch: dab.baseAddress!, queries: n, keys: p, headDim: e,
                                                  scale: invTau, accumulate: true)
                }
                for (r, i) in idx.enumerated() { for k in 0..<e { unsafe dtok[i * e + k] = dt[r * e + k] } }
            }}}}}}}}}
            return loss / 2
        }
        let sum = perSample.reduce(0, +)
        return totalValid == 0 ? 0 : sum / Double(totalValid)
    }
}
