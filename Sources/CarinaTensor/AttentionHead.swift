/// Scaled dot-product attention, one head or all of them: what `Attention`, `CrossAttention` and the MGCA alignments
/// share.
///
/// `Attention` is self-attention over a fused `qkv`, `CrossAttention` queries over another sequence's `kv`, and
/// `crossAlignment` and `localAlignment` attend from words to patches with each patch its own value.
enum AttentionHead {
    /// One head's forward: `att = softmax(scale · Q·Kᵀ)` over the unmasked keys, then `out = att · V`.
    ///
    /// `n` queries over `m` keys of `hd` features, each operand a strided view (`ld*`: its row stride), `att (n, m)`
    /// contiguous; `mask (m)`: 1 = attend (nil: all). `causal` (only with `n == m`): query `i` attends to keys
    /// `0…i`, the probabilities above the diagonal are 0.
    @unsafe @inline(__always)
    static func forward(
        out: UnsafeMutablePointer<Float>, ldOut: Int, att a: UnsafeMutablePointer<Float>,
        q: UnsafePointer<Float>, ldq: Int, k: UnsafePointer<Float>, ldk: Int, v: UnsafePointer<Float>, ldv: Int,
        mask: UnsafePointer<Float>?, queries n: Int, keys m: Int, headDim hd: Int, scale: Float, causal: Bool
    ) {
        unsafe BLAS.sgemm(transA: false, transB: true, m: n, n: m, k: hd, alpha: scale,
                          a: q, lda: ldq, b: k, ldb: ldk, beta: 0, c: a, ldc: m)
        if causal {
            for i in 0..<n {
                unsafe Softmax.forwardRow(a + i * m, count: i + 1, mask: mask)
                unsafe (a + i * m + i + 1).update(repeating: 0, count: m - i - 1)
            }
        } else {
            for i in 0..<n { unsafe Softmax.forwardRow(a + i * m, count: m, mask: mask) }
        }
        unsafe BLAS.sgemm(transA: false, transB: false, m: n, n: hd, k: m,
                          a: a, lda: m, b: v, ldb: ldv, beta: 0, c: out, ldc: ldOut)
    }

    /// One head's backward from `dY` and the saved `att`, with `dp (n, m)` as scratch.
    ///
    /// Writes `dV`, then writes `dQ` and `dK`, or adds them when `accumulate` (`dK` may then be `dV`, for keys that
    /// are their own values). Masked keys get no gradient (their probabilities are 0).
    @unsafe @inline(__always)
    static func backward(
        dq: UnsafeMutablePointer<Float>, lddq: Int, dk: UnsafeMutablePointer<Float>, lddk: Int,
        dv: UnsafeMutablePointer<Float>, lddv: Int, dout dy: UnsafePointer<Float>, ldy: Int,
        att a: UnsafePointer<Float>, q: UnsafePointer<Float>, ldq: Int, k: UnsafePointer<Float>, ldk: Int, v: UnsafePointer<Float>, ldv: Int,
        scratch dp: UnsafeMutablePointer<Float>, queries n: Int, keys m: Int, headDim hd: Int, scale: Float,
        accumulate: Bool = false
    ) {
        let beta: Float = accumulate ? 1 : 0
        // dP = dY · Vᵀ ; dV = Pᵀ · dY
        unsafe BLAS.sgemm(transA: false, transB: true, m: n, n: m, k: hd,
                          a: dy, lda: ldy, b: v, ldb: ldv, beta: 0, c: dp, ldc: m)
        unsafe BLAS.sgemm(transA: true, transB: false, m: m, n: hd, k: n,
                          a: a, lda: m, b: dy, ldb: ldy, beta: 0, c: dv, ldc: lddv)
        for i in 0..<n { unsafe Softmax.backwardRow(dp + i * m, probabilities: a + i * m, count: m) }
        // dQ = scale · dS · K ; dK = scale · dSᵀ · Q
        unsafe BLAS.sgemm(transA: false, transB: false, m: n, n: hd, k: m, alpha: scale,
                          a: dp, lda: m, b: k, ldb: ldk, beta: beta, c: dq, ldc: lddq)
        unsafe BLAS.sgemm(transA: true, transB: false, m: m, n: hd, k: n, alpha: scale,
                          a: dp, lda: m, b: q, ldb: ldq, beta: beta, c: dk, ldc: lddk)
    }

    /// Every head of every sample, in parallel over (sample, head).
    ///
    /// Queries `q (B, N, C)` with row stride `ldq`, `kv (B, M, ·)` with row stride `ldkv` holding the keys at
    /// column 0 and the values at column `C`, each split into `H` heads of `C/H` → `out (B, N, C)`; saves
    /// `att (B, H, N, M)`. `keyMask (B, M)`; scale `1/√(C/H)`.
    @unsafe
    static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>, ldq: Int,
        kv: UnsafePointer<Float>, ldkv: Int, keyMask: UnsafePointer<Float>?, batch b: Int, queries n: Int, keys m: Int,
        dim c: Int, heads h: Int, causal: Bool
    ) {
        let hd = c / h
        let scale = 1 / Float(hd).squareRoot()
        Parallel.forRanges(b * h) { s, e in
            for bh in s..<e {
                let bi = bh / h, hi = bh % h
                let qp = unsafe q + bi * n * ldq + hi * hd, kp = unsafe kv + bi * m * ldkv + hi * hd
                let mask = unsafe keyMask.map { unsafe $0 + bi * m }
                unsafe forward(out: out + bi * n * c + hi * hd, ldOut: c, att: att + bh * n * m,
                               q: qp, ldq: ldq, k: kp, ldk: ldkv, v: kp + c, ldv: ldkv, mask: mask,
                               queries: n, keys: m, headDim: hd, scale: scale, causal: causal)
            }
        }
    }

    /// The backward of the multi-head `forward`.
    ///
    /// Writes `dq` and `dkv` (in the layouts and row strides of `q` and `kv`) from `dout (B, N, C)` and the saved
    /// `att`.
    @unsafe
    static func backward(
        dq: UnsafeMutablePointer<Float>, dkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        q: UnsafePointer<Float>, ldq: Int, kv: UnsafePointer<Float>, ldkv: Int, att: UnsafePointer<Float>,
        batch b: Int, queries n: Int, keys m: Int, dim c: Int, heads h: Int
    ) {
        let hd = c / h
        let scale = 1 / Float(hd).squareRoot()
        Parallel.forRanges(b * h) { s, e in
            let dp = UnsafeMutablePointer<Float>.allocate(capacity: n * m)
            defer { unsafe dp.deallocate() }
            for bh in s..<e {
                let bi = bh / h, hi = bh % h
                let qp = unsafe q + bi * n * ldq + hi * hd, kp = unsafe kv + bi * m * ldkv + hi * hd
                let dqp = unsafe dq + bi * n * ldq + hi * hd, dkp = unsafe dkv + bi * m * ldkv + hi * hd
                unsafe backward(dq: dqp, lddq: ldq, dk: dkp, lddk: ldkv, dv: dkp + c, lddv: ldkv,
                                dout: dout + bi * n * c + hi * hd, ldy: c, att: att + bh * n * m,
                                q: qp, ldq: ldq, k: kp, ldk: ldkv, v: kp + c, ldv: ldkv, scratch: dp,
                                queries: n, keys: m, headDim: hd, scale: scale)
            }
        }
    }
}
