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
        var perSample = [Double](repeating: 0, count: b)
        let w = totalValid == 0 ? 0 : weight / Float(2 * totalValid)
        let invTau = 1 / tau
        unsafe perSample.withUnsafeMutableBufferPointer { lossOut in
            let lossOut = lossOut.baseAddress!
            Parallel.forRanges(b) { b0, b1 in
                for bi in b0..<b1 {
                    let tok = unsafe tokens + bi * tokenStride, pm = unsafe patches + bi * patchStride
                    let dtok = unsafe dtokens + bi * tokenStride, dpm = unsafe dpatches + bi * patchStride
                    for i in 0..<(l * e) { unsafe dtok[i] = 0 }
                    for i in 0..<(p * e) { unsafe dpm[i] = 0 }
                    let idx = (0..<l).filter { unsafe valid[bi * validStride + $0] != 0 }
                    let n = idx.count
                    if n == 0 { unsafe lossOut[bi] = 0; continue }
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
                        unsafe BLAS.sgemm(transA: false, transB: true, m: n, n: p, k: e, alpha: invTau,
                                          a: t, lda: e, b: pm, ldb: e, beta: 0, c: a, ldc: p)
                        for r in 0..<n { unsafe Softmax.forwardRow(a + r * p, count: p) }
                        unsafe BLAS.sgemm(transA: false, transB: false, m: n, n: e, k: p,
                                          a: a, lda: p, b: pm, ldb: e, beta: 0, c: craw, ldc: e)
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
                        for i in 0..<n {
                            loss += unsafe Losses.logSumExp(sim + i * n, count: n, stride: 1) - Double(sim[i * n + i])
                            loss += unsafe Losses.logSumExp(sim + i, count: n, stride: n) - Double(sim[i * n + i])
                        }
                        for i in 0..<n {  // rows
                            var mx = -Float.infinity
                            for k in 0..<n { mx = unsafe max(mx, sim[i * n + k]) }
                            var s: Float = 0
                            for k in 0..<n { s += unsafe expf(sim[i * n + k] - mx) }
                            for k in 0..<n { dsim[i * n + k] += unsafe w * expf(sim[i * n + k] - mx) / s }
                            dsim[i * n + i] -= w
                        }
                        for k in 0..<n {  // columns
                            var mx = -Float.infinity
                            for i in 0..<n { mx = unsafe max(mx, sim[i * n + k]) }
                            var s: Float = 0
                            for i in 0..<n { s += unsafe expf(sim[i * n + k] - mx) }
                            for i in 0..<n { dsim[i * n + k] += unsafe w * expf(sim[i * n + k] - mx) / s }
                            dsim[k * n + k] -= w
                        }
                        unsafe dsim.withUnsafeBufferPointer { dsb in
                            let ds = dsb.baseAddress!
                            // dT = dS · C / τ ; dC = dSᵀ · T / τ
                            unsafe BLAS.sgemm(transA: false, transB: false, m: n, n: e, k: n, alpha: invTau,
                                              a: ds, lda: n, b: c, ldb: e, beta: 0, c: dt, ldc: e)
                            unsafe BLAS.sgemm(transA: true, transB: false, m: n, n: e, k: n, alpha: invTau,
                                              a: ds, lda: n, b: t, ldb: e, beta: 0, c: dc, ldc: e)
                        }
                        unsafe Normalize.backward(dinp: dcraw, dout: dc, out: c, norm: norms, rows: n, dim: e)
                        // dA = dCraw · Pᵀ ; dP = Aᵀ · dCraw
                        var da = [Float](repeating: 0, count: n * p)
                        unsafe da.withUnsafeMutableBufferPointer { dab in
                            let da = dab.baseAddress!
                            unsafe BLAS.sgemm(transA: false, transB: true, m: n, n: p, k: e,
                                              a: dcraw, lda: e, b: pm, ldb: e, beta: 0, c: da, ldc: p)
                            unsafe BLAS.sgemm(transA: true, transB: false, m: p, n: e, k: n,
                                              a: a, lda: p, b: dcraw, ldb: e, beta: 0, c: dpm, ldc: e)
                            for r in 0..<n { unsafe Softmax.backwardRow(da + r * p, probabilities: a + r * p, count: p) }
                            // Z = T·Pᵀ/τ: dT += dZ · P / τ ; dP += dZᵀ · T / τ
                            unsafe BLAS.sgemm(transA: false, transB: false, m: n, n: e, k: p, alpha: invTau,
                                              a: da, lda: p, b: pm, ldb: e, beta: 1, c: dt, ldc: e)
                            unsafe BLAS.sgemm(transA: true, transB: false, m: p, n: e, k: n, alpha: invTau,
                                              a: da, lda: p, b: t, ldb: e, beta: 1, c: dpm, ldc: e)
                        }
                        for (r, i) in idx.enumerated() { for k in 0..<e { unsafe dtok[i * e + k] = dt[r * e + k] } }
                    }}}}}}}}}
                    unsafe lossOut[bi] = loss / 2
                }
            }
        }
        let sum = perSample.reduce(0, +)
        return totalValid == 0 ? 0 : sum / Double(totalValid)
    }
}
