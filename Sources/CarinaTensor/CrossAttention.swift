/// Multi-head scaled dot-product attention of one sequence's queries over another's keys and values (a decoder
/// reading a memory), with a key-padding mask on the memory.
public enum CrossAttention {
    /// Forward: queries `q (B, N, C)` (row stride `qStride`), keys and values `kv (B, M, 2C)` laid out `[k | v]`,
    /// each split into `H` heads of `C/H` → `out (B, N, C)`; saves `att (B, H, N, M)`. `keyMask (B, M)`: 1 = attend,
    /// 0 = padding (a sample with no key left gets a zero output). Scale `1/√(C/H)`.
    @unsafe
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>,
        kv: UnsafePointer<Float>, keyMask: UnsafePointer<Float>?, batch b: Int, queries n: Int, keys m: Int,
        dim c: Int, heads h: Int
    ) {
        let hd = c / h, c2 = 2 * c
        let scale = 1 / Float(hd).squareRoot()
        Parallel.forRanges(b * h) { s, e in
            for bh in s..<e {
                let bi = bh / h, hi = bh % h
                let qp = unsafe q + bi * n * c + hi * hd, kp = unsafe kv + bi * m * c2 + hi * hd
                let a = unsafe att + bh * n * m
                unsafe BLAS.sgemm(transA: false, transB: true, m: n, n: m, k: hd, alpha: scale,
                                  a: qp, lda: c, b: kp, ldb: c2, beta: 0, c: a, ldc: m)
                let mask = unsafe keyMask.map { unsafe $0 + bi * m }
                for i in 0..<n { unsafe Softmax.forwardRow(a + i * m, count: m, mask: mask) }
                unsafe BLAS.sgemm(transA: false, transB: false, m: n, n: hd, k: m,
                                  a: a, lda: m, b: kp + c, ldb: c2, beta: 0, c: out + bi * n * c + hi * hd, ldc: c)
            }
        }
    }

    /// Backward: writes `dq (B, N, C)` and `dkv (B, M, 2C)` from `dout (B, N, C)` and the saved `att`. Masked keys
    /// get no gradient.
    @unsafe
    public static func backward(
        dq: UnsafeMutablePointer<Float>, dkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        q: UnsafePointer<Float>, kv: UnsafePointer<Float>, att: UnsafePointer<Float>, batch b: Int, queries n: Int,
        keys m: Int, dim c: Int, heads h: Int
    ) {
        let hd = c / h, c2 = 2 * c
        let scale = 1 / Float(hd).squareRoot()
        Parallel.forRanges(b * h) { s, e in
            let dp = UnsafeMutablePointer<Float>.allocate(capacity: n * m)
            defer { unsafe dp.deallocate() }
            for bh in s..<e {
                let bi = bh / h, hi = bh % h
                let qp = unsafe q + bi * n * c + hi * hd, kp = unsafe kv + bi * m * c2 + hi * hd
                let dqp = unsafe dq + bi * n * c + hi * hd, dkp = unsafe dkv + bi * m * c2 + hi * hd
                let a = unsafe att + bh * n * m
                let dy = unsafe dout + bi * n * c + hi * hd
                // dP = dY · Vᵀ ; dV = Pᵀ · dY
                unsafe BLAS.sgemm(transA: false, transB: true, m: n, n: m, k: hd,
                                  a: dy, lda: c, b: kp + c, ldb: c2, beta: 0, c: dp, ldc: m)
                unsafe BLAS.sgemm(transA: true, transB: false, m: m, n: hd, k: n,
                                  a: a, lda: m, b: dy, ldb: c, beta: 0, c: dkp + c, ldc: c2)
                for i in 0..<n { unsafe Softmax.backwardRow(dp + i * m, probabilities: a + i * m, count: m) }
                // dQ = scale · dS · K ; dK = scale · dSᵀ · Q
                unsafe BLAS.sgemm(transA: false, transB: false, m: n, n: hd, k: m, alpha: scale,
                                  a: dp, lda: m, b: kp, ldb: c2, beta: 0, c: dqp, ldc: c)
                unsafe BLAS.sgemm(transA: true, transB: false, m: m, n: hd, k: n, alpha: scale,
                                  a: dp, lda: m, b: qp, ldb: c, beta: 0, c: dkp, ldc: c2)
            }
        }
    }
}
