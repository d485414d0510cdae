import Foundation

extension Losses {
    /// The loss and gradient that MGCA's token-level alignments put on a square similarity `sim (n, n)`.
    ///
    /// Each row `i` scores cross-entropy to the diagonal along its row and along its column (row stride `n`):
    /// returns `Σ_i w_i (CE(s_i·, i) + CE(s_·i, i))` in `Double`, with `w_i = weights[i]` (nil: 1). Adds
    /// `dS_il = g_i (rowSoftmax_il − δ_il) + g_l (colSoftmax_il − δ_il)` into `dsim`, with `g_i = scale · w_i`
    /// (nil weights: `scale`): rows first, then columns, each softmax in `Float` over its max.
    @unsafe @inline(__always)
    static func diagonalCrossEntropyBothWays(
        sim: UnsafePointer<Float>, count n: Int, weights: UnsafePointer<Float>?, scale: Float,
        dsim: UnsafeMutablePointer<Float>
    ) -> Double {
        var loss = 0.0
        for i in 0..<n {
            let wi = unsafe weights.map { unsafe Double($0[i]) } ?? 1
            let diag = unsafe Double(sim[i * n + i])
            loss += unsafe wi * (Losses.logSumExp(sim + i * n, count: n, stride: 1) - diag)
            loss += unsafe wi * (Losses.logSumExp(sim + i, count: n, stride: n) - diag)
        }
        for i in 0..<n {  // rows
            let g = unsafe weights.map { unsafe scale * $0[i] } ?? scale
            unsafe addSoftmaxGradient(sim + i * n, into: dsim + i * n, count: n, stride: 1, target: i, weight: g)
        }
        for l in 0..<n {  // columns
            let g = unsafe weights.map { unsafe scale * $0[l] } ?? scale
            unsafe addSoftmaxGradient(sim + l, into: dsim + l, count: n, stride: n, target: l, weight: g)
        }
        return loss
    }

    /// Adds the gradient of `g · CE(x, target)` along one line of `x` into `d` at the same places.
    ///
    /// The line is `count` entries `x[k · stride]` (a row or a column); the gradient `g · (softmax(x) − onehot)`, the
    /// softmax in `Float` over the line's max.
    @unsafe @inline(__always)
    static func addSoftmaxGradient(_ x: UnsafePointer<Float>, into d: UnsafeMutablePointer<Float>, count n: Int,
                                   stride: Int, target: Int, weight g: Float) {
        var mx = -Float.infinity
        for k in 0..<n { mx = unsafe max(mx, x[k * stride]) }
        var s: Float = 0
        for k in 0..<n { s += unsafe expf(x[k * stride] - mx) }
        for k in 0..<n { unsafe d[k * stride] += g * expf(x[k * stride] - mx) / s }
        unsafe d[target * stride] -= g
    }
}
