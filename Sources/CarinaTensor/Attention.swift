/// Multi-head scaled dot-product attention over a fused `qkv` projection, with an optional key-padding mask.
public enum Attention {
    /// Forward: `qkv (B, N, 3C)` laid out `[q | k | v]`, each split into `H` heads of `C/H` → `out (B, N, C)`;
    /// saves `att (B, H, N, N)`, the attention probabilities. `keyMask (B, N)`: 1 = attend, 0 = padding.
    /// Scale `1/√(C/H)` (PyTorch's `scaled_dot_product_attention`). `causal`: query `i` attends to keys `0…i` only
    /// (`is_causal=True`; the probabilities above the diagonal are exactly 0, so `backward` needs no flag).
    @unsafe
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        keyMask: UnsafePointer<Float>?, batch b: Int, tokens n: Int, dim c: Int, heads h: Int, causal: Bool = false
    ) {
        let hd = c / h, c3 = 3 * c
        let scale = 1 / Float(hd).squareRoot()
        Parallel.forRanges(b * h) { s, e in
            for bh in s..<e {
                let bi = bh / h, hi = bh % h
                let q = unsafe qkv + bi * n * c3 + hi * hd
                let a = unsafe att + bh * n * n
                unsafe BLAS.sgemm(transA: false, transB: true, m: n, n: n, k: hd, alpha: scale,
                                  a: q, lda: c3, b: q + c, ldb: c3, beta: 0, c: a, ldc: n)
                let mask = unsafe keyMask.map { unsafe $0 + bi * n }
                if causal {
                    for i in 0..<n {
                        unsafe Softmax.forwardRow(a + i * n, count: i + 1, mask: mask)
                        unsafe (a + i * n + i + 1).update(repeating: 0, count: n - i - 1)
                    }
                } else {
                    for i in 0..<n { unsafe Softmax.forwardRow(a + i * n, count: n, mask: mask) }
                }
                unsafe BLAS.sgemm(transA: false, transB: false, m: n, n: hd, k: n,
                                  a: a, lda: n, b: q + 2 * c, ldb: c3, beta: 0, c: out + bi * n * c + hi * hd, ldc: c)
            }
        }
    }

    /// Backward: writes `dqkv (B, N, 3C)` from `dout (B, N, C)` and the saved `att`. Masked keys get no gradient.
    @unsafe
    public static func backward(
        dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, qkv: UnsafePointer<Float>,
        att: UnsafePointer<Float>, batch b: Int, tokens n: Int, dim c: Int, heads h: Int
    ) {
        let hd = c / h, c3 = 3 * c
        let scale = 1 / Float(hd).squareRoot()
        Parallel.forRanges(b * h) { s, e in
            let dp = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
            defer { unsafe dp.deallocate() }
            for bh in s..<e {
                let bi = bh / h, hi = bh % h
                let q = unsafe qkv + bi * n * c3 + hi * hd
                let dq = unsafe dqkv + bi * n * c3 + hi * hd
                let a = unsafe att + bh * n * n
                let dy = unsafe dout + bi * n * c + hi * hd
                // dP = dY · Vᵀ ; dV = Pᵀ · dY
                unsafe BLAS.sgemm(transA: false, transB: true, m: n, n: n, k: hd,
                                  a: dy, lda: c, b: q + 2 * c, ldb: c3, beta: 0, c: dp, ldc: n)
                unsafe BLAS.sgemm(transA: true, transB: false, m: n, n: hd, k: n,
                                  a: a, lda: n, b: dy, ldb: c, beta: 0, c: dq + 2 * c, ldc: c3)
                for i in 0..<n { unsafe Softmax.backwardRow(dp + i * n, probabilities: a + i * n, count: n) }
                // dQ = scale · dS · K ; dK = scale · dSᵀ · Q
                unsafe BLAS.sgemm(transA: false, transB: false, m: n, n: hd, k: n, alpha: scale,
                                  a: dp, lda: n, b: q + c, ldb: c3, beta: 0, c: dq, ldc: c3)
                unsafe BLAS.sgemm(transA: true, transB: false, m: n, n: hd, k: n, alpha: scale,
                                  a: dp, lda: n, b: q, ldb: c3, beta: 0, c: dq + c, ldc: c3)
            }
        }
    }
}
