import Foundation

extension Losses {
    /// Cross-entropy of `rows` rows of logits `(M, V)` against integer labels, summed (divide by `M` for the mean);
    /// the logits are overwritten with their gradient times `scale`, `scale · (softmax − onehot)`. The log-sum-exp
    /// runs eight lanes at a time in Float (`FastMath.exp`, max subtracted); the row sums in Double. Rows are split
    /// across `Parallel.threads`.
    @unsafe
    public static func softmaxCrossEntropy(
        logits: UnsafeMutablePointer<Float>, labels: UnsafePointer<Int32>, rows m: Int, classes v: Int, scale: Float
    ) -> Double {
        var perRow = [Double](repeating: 0, count: m)
        unsafe perRow.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            Parallel.forRanges(m, minimumPerPart: 4) { r0, r1 in
                for r in r0..<r1 {
                    let row = unsafe logits + r * v
                    var mx = -Float.infinity
                    for j in 0..<v { mx = unsafe max(mx, row[j]) }
                    var sum = 0.0, j = 0
                    while j + 8 <= v {
                        sum += Double(FastMath.exp(unsafe FastMath.load(row + j) - mx).sum())
                        j += 8
                    }
                    while j < v { sum += unsafe Double(expf(row[j] - mx)); j += 1 }
                    let lse = Double(mx) + log(sum)
                    let label = unsafe Int(labels[r])
                    unsafe out[r] = lse - Double(row[label])
                    let shift = Float(lse)
                    j = 0
                    while j + 8 <= v {
                        unsafe FastMath.store(FastMath.exp(FastMath.load(row + j) - shift) * scale, row + j)
                        j += 8
                    }
                    while j < v { unsafe row[j] = expf(row[j] - shift) * scale; j += 1 }
                    unsafe row[label] -= scale
                }
            }
        }
        return perRow.reduce(0, +)
    }
}
