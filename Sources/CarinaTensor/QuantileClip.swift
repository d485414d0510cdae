import Foundation

/// MGCA's token weights (Wang et al. 2022 §3.2): the last layer's CLS attention over a sample's words or patches,
/// clipped to its 10th and 90th percentiles and normalized to sum 1; no gradient flows through them.
public enum QuantileClip {
    /// The `q`-quantile of `sorted` (ascending) with linear interpolation between the closest ranks
    /// (`torch.quantile`'s default).
    public static func quantile(sorted: [Float], _ q: Double) -> Double {
        precondition(!sorted.isEmpty, "quantile of an empty set")
        let pos = q * Double(sorted.count - 1)
        let lo = Int(pos.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        let f = pos - Double(lo)
        return Double(sorted[lo]) + (Double(sorted[hi]) - Double(sorted[lo])) * f
    }

    /// Writes `out (n)`: the `values` where `valid` is nonzero (all when nil), clipped to `[quantile(low),
    /// quantile(high)]` of those values and divided by their sum; 0 elsewhere. All zeros when no entry is valid.
    @unsafe
    public static func normalizedWeights(
        out: UnsafeMutablePointer<Float>, values: UnsafePointer<Float>, valid: UnsafePointer<Float>?, count n: Int,
        low: Double = 0.1, high: Double = 0.9
    ) {
        var picked = [Float]()
        picked.reserveCapacity(n)
        for i in 0..<n where unsafe valid.map({ unsafe $0[i] != 0 }) ?? true { picked.append(unsafe values[i]) }
        unsafe out.update(repeating: 0, count: n)
        guard !picked.isEmpty else { return }
        picked.sort()
        let lo = quantile(sorted: picked, low), hi = quantile(sorted: picked, high)
        var clipped = [Double](repeating: 0, count: n)
        var sum = 0.0
        for i in 0..<n where unsafe valid.map({ unsafe $0[i] != 0 }) ?? true {
            let v = unsafe min(max(Double(values[i]), lo), hi)
            clipped[i] = v
            sum += v
        }
        guard sum > 0 else { return }
        for i in 0..<n { unsafe out[i] = Float(clipped[i] / sum) }
    }
}
