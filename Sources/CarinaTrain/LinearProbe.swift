import Foundation

/// A binary logistic-regression probe on frozen features: standardised inputs, L2 penalty, full-batch gradient
/// descent in Double. Deterministic.
public struct LinearProbe: Sendable {
    public private(set) var weights: [Double]
    public private(set) var bias: Double
    let mean: [Double], scale: [Double]

    /// Fits on `features (N, D)` row-major with boolean targets.
    public init(features x: [Float], dimension d: Int, targets y: [Bool], l2: Double = 1e-3, iterations: Int = 300,
                learningRate: Double = 0.5) {
        let n = y.count
        precondition(x.count == n * d, "features must be N×D")
        var mean = [Double](repeating: 0, count: d), sq = [Double](repeating: 0, count: d)
        for i in 0..<n { for k in 0..<d { let v = Double(x[i * d + k]); mean[k] += v; sq[k] += v * v } }
        let nn = Double(max(n, 1))
        mean = mean.map { $0 / nn }
        let scale = (0..<d).map { k in 1 / max((sq[k] / nn - mean[k] * mean[k]).squareRoot(), 1e-8) }
        let z = (0..<(n * d)).map { (Double(x[$0]) - mean[$0 % d]) * scale[$0 % d] }
        var w = [Double](repeating: 0, count: d), b = 0.0
        for _ in 0..<iterations {
            var gw = [Double](repeating: 0, count: d), gb = 0.0
            for i in 0..<n {
                var s = b
                for k in 0..<d { s += w[k] * z[i * d + k] }
                let err = 1 / (1 + exp(-s)) - (y[i] ? 1 : 0)
                gb += err
                for k in 0..<d { gw[k] += err * z[i * d + k] }
            }
            for k in 0..<d { w[k] -= learningRate * (gw[k] / nn + l2 * w[k]) }
            b -= learningRate * gb / nn
        }
        weights = w
        bias = b
        self.mean = mean
        self.scale = scale
    }

    /// Logits `(N)` for `features (N, D)`.
    public func scores(_ x: [Float]) -> [Double] {
        let d = weights.count
        return (0..<(x.count / d)).map { i in
            var s = bias
            for k in 0..<d { s += weights[k] * (Double(x[i * d + k]) - mean[k]) * scale[k] }
            return s
        }
    }
}
