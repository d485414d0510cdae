import COpenBLAS

/// The one entry point to OpenBLAS's `cblas_sgemm`, row-major, and its thread setting.
public enum BLAS {
    /// Sets OpenBLAS's own thread count (`openblas_set_num_threads`).
    ///
    /// Carina's kernels split work across `Parallel.threads` themselves and call single-threaded sgemm on each
    /// part, so by default OpenBLAS runs on one thread: its idle workers would otherwise spin against ours.
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// `C = alpha * op(A) * op(B) + beta * C` for row-major `op(A)`: `(m, k)`, `op(B)`: `(k, n)`, `C`: `(m, n)`
    /// (`cblas_sgemm`). `lda`, `ldb`, `ldc` are the row strides of the stored matrices.
    @unsafe @inline(__always)
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // sgemm with k = 0 only scales C; do it here so the contract is clear.
            for i in 0..<m { for j in 0..<n { unsafe c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        unsafe cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
