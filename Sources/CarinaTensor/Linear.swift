/// A fully connected layer `out = inp · Wᵀ + b` with PyTorch's weight layout `W: (OC, C)`.
public enum Linear {
    /// Forward: `inp (M, C)` with row stride `inStride` → `out (M, OC)` with row stride `outStride`.
    /// Rows are split across `Parallel.threads`, each part one single-threaded sgemm.
    @unsafe
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, rows m: Int, inDim c: Int, outDim oc: Int,
        inStride: Int? = nil, outStride: Int? = nil
    ) {
        let lda = inStride ?? c, ldc = outStride ?? oc
        Parallel.forRanges(m, minimumPerPart: 32) { r0, r1 in
            if let bias = unsafe bias {
                for r in r0..<r1 { for o in 0..<oc { unsafe out[r * ldc + o] = bias[o] } }
            }
            unsafe BLAS.sgemm(transA: false, transB: true, m: r1 - r0, n: oc, k: c,
                              a: inp + r0 * lda, lda: lda, b: weight, ldb: c,
                              beta: bias == nil ? 0 : 1, c: out + r0 * ldc, ldc: ldc)
        }
    }

    /// Backward: accumulates `dweight (OC, C) += doutᵀ · inp` and `dbias (OC) += Σ_rows dout`; writes
    /// `dinp (M, C) = dout · W` (or adds it when `accumulateInput`). `dinp` may be nil when not needed.
    @unsafe
    public static func backward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        rows m: Int, inDim c: Int, outDim oc: Int, inStride: Int? = nil, outStride: Int? = nil,
        accumulateInput: Bool = false
    ) {
        let lda = inStride ?? c, ldo = outStride ?? oc
        if let dinp = unsafe dinp {
            Parallel.forRanges(m, minimumPerPart: 32) { r0, r1 in
                unsafe BLAS.sgemm(transA: false, transB: false, m: r1 - r0, n: c, k: oc,
                                  a: dout + r0 * ldo, lda: ldo, b: weight, ldb: c,
                                  beta: accumulateInput ? 1 : 0, c: dinp + r0 * lda, ldc: lda)
            }
        }
        // Split the weight gradient by output rows: each part owns whole rows of dW, so no reduction is shared.
        Parallel.forRanges(oc, minimumPerPart: 8) { o0, o1 in
            unsafe BLAS.sgemm(transA: true, transB: false, m: o1 - o0, n: c, k: m,
                              a: dout + o0, lda: ldo, b: inp, ldb: lda,
                              beta: 1, c: dweight + o0 * c, ldc: c)
            if let dbias = unsafe dbias {
                // Row by row so the inner loop runs over contiguous memory.
                var acc = [Float](repeating: 0, count: o1 - o0)
                unsafe acc.withUnsafeMutableBufferPointer { ab in
                    for r in 0..<m {
                        let row = unsafe dout + r * ldo + o0
                        for o in 0..<(o1 - o0) { unsafe ab[o] += row[o] }
                    }
                    for o in 0..<(o1 - o0) { unsafe dbias[o0 + o] += ab[o] }
                }
            }
        }
    }
}
