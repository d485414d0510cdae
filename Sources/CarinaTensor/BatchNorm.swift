import Foundation

/// Batch normalization over the rows of a `(M, C)` matrix, per channel (PyTorch's `nn.BatchNorm1d` on `(N, C)`,
/// `eps = 1e-5`, momentum 0.1), with an optional row mask: only the rows with `valid[r] ≠ 0` enter the statistics
/// (padding tokens of a text, the CLS row of an image), while every row is normalized with them.
///
/// Training: `μ = mean(x over valid rows)`, `σ² = biased variance over valid rows` normalize,
/// `y = (x − μ)/√(σ² + ε)·γ + β` (`γ`, `β` absent: `affine=False`), and the running statistics move by
/// `r ← (1 − 0.1)·r + 0.1·s` with the *unbiased* variance `σ²·n/(n − 1)`, as PyTorch does. With fewer than two
/// valid rows there is no batch statistic (PyTorch refuses such a batch): the running statistics normalize and stay
/// as they are. Evaluation: the running statistics normalize. Sums are accumulated in Double per channel, so the
/// result does not depend on the thread count.
public enum BatchNorm {
    public static let epsilon: Float = 1e-5
    public static let momentum: Float = 0.1

    /// Forward: `inp (M, C)` → `out (M, C)` (may alias `inp`); saves the mean and `1/√(σ² + ε)` used, `(C)` each.
    /// Returns true when batch statistics were used (and the running statistics updated).
    ///
    /// - Complexity: O(M·C).
    @unsafe @discardableResult
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows m: Int, dim c: Int,
        valid: UnsafePointer<Float>?, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
        runningMean: UnsafeMutablePointer<Float>, runningVar: UnsafeMutablePointer<Float>,
        mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>, training: Bool
    ) -> Bool {
        var n = m
        if let v = unsafe valid { n = 0; for r in 0..<m where unsafe v[r] != 0 { n += 1 } }
        let batchStatistics = training && n >= 2
        let count = n
        Parallel.forRanges(c, minimumPerPart: 16) { c0, c1 in
            let w = c1 - c0
            if batchStatistics {
                var sum = [Double](repeating: 0, count: w), sq = [Double](repeating: 0, count: w)
                for r in 0..<m where unsafe valid?[r] ?? 1 != 0 {
                    let x = unsafe inp + r * c + c0
                    for k in 0..<w { sum[k] += unsafe Double(x[k]) }
                }
                for k in 0..<w { sum[k] /= Double(count) }
                for r in 0..<m where unsafe valid?[r] ?? 1 != 0 {
                    let x = unsafe inp + r * c + c0
                    for k in 0..<w { let d = unsafe Double(x[k]) - sum[k]; sq[k] += d * d }
                }
                for k in 0..<w {
                    let variance = sq[k] / Double(count)
                    unsafe mean[c0 + k] = Float(sum[k])
                    unsafe rstd[c0 + k] = Float(1 / (variance + Double(epsilon)).squareRoot())
                    let unbiased = sq[k] / Double(count - 1)
                    unsafe runningMean[c0 + k] = (1 - momentum) * runningMean[c0 + k] + momentum * Float(sum[k])
                    unsafe runningVar[c0 + k] = (1 - momentum) * runningVar[c0 + k] + momentum * Float(unbiased)
                }
            } else {
                for k in c0..<c1 {
                    unsafe mean[k] = runningMean[k]
                    unsafe rstd[k] = 1 / (runningVar[k] + epsilon).squareRoot()
                }
            }
            for r in 0..<m {
                let x = unsafe inp + r * c, y = unsafe out + r * c
                if let gamma = unsafe weight, let beta = unsafe bias {
                    for k in c0..<c1 { unsafe y[k] = (x[k] - mean[k]) * rstd[k] * gamma[k] + beta[k] }
                } else {
                    for k in c0..<c1 { unsafe y[k] = (x[k] - mean[k]) * rstd[k] }
                }
            }
        }
        return batchStatistics
    }

    /// Backward of `forward`: writes `dinp (M, C)` (may alias `dout`) and accumulates `dweight`, `dbias (C)` when
    /// affine. `batchStatistics` is `forward`'s result: with batch statistics the mean and variance depend on the
    /// valid rows, `dx = r·(g − [valid]·(Σg + x̂·Σg·x̂)/n)` with `g = dy·γ` and the sums over all rows; otherwise
    /// `dx = r·g`.
    ///
    /// - Complexity: O(M·C).
    @unsafe
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows m: Int, dim c: Int, valid: UnsafePointer<Float>?,
        batchStatistics: Bool
    ) {
        var n = m
        if let v = unsafe valid { n = 0; for r in 0..<m where unsafe v[r] != 0 { n += 1 } }
        let count = n
        Parallel.forRanges(c, minimumPerPart: 16) { c0, c1 in
            let w = c1 - c0
            var sumG = [Double](repeating: 0, count: w), sumGX = [Double](repeating: 0, count: w)
            var sumDY = [Double](repeating: 0, count: w)
            for r in 0..<m {
                let x = unsafe inp + r * c, dy = unsafe dout + r * c
                for k in 0..<w {
                    let j = c0 + k
                    let xh = unsafe Double((x[j] - mean[j]) * rstd[j]), d = unsafe Double(dy[j])
                    sumDY[k] += d
                    sumGX[k] += d * xh
                }
            }
            for k in 0..<w {
                let j = c0 + k, gamma = unsafe weight.map { unsafe Double($0[j]) } ?? 1
                unsafe dweight?[j] += Float(sumGX[k])
                unsafe dbias?[j] += Float(sumDY[k])
                sumG[k] = sumDY[k] * gamma / Double(count)
                sumGX[k] = sumGX[k] * gamma / Double(count)
            }
            for r in 0..<m {
                let x = unsafe inp + r * c, dy = unsafe dout + r * c, dx = unsafe dinp + r * c
                let inStats = batchStatistics && (unsafe valid?[r] ?? 1) != 0
                for k in 0..<w {
                    let j = c0 + k, gamma = unsafe weight?[j] ?? 1, rs = unsafe rstd[j]
                    let g = unsafe dy[j] * gamma
                    if inStats {
                        let xh = unsafe (x[j] - mean[j]) * rs
                        unsafe dx[j] = rs * (g - Float(sumG[k]) - xh * Float(sumGX[k]))
                    } else {
                        unsafe dx[j] = rs * g
                    }
                }
            }
        }
    }
}
