import Foundation

/// Sinkhorn-Knopp equipartition of a batch over prototypes (SwAV, Caron et al. 2020, Alg. 1; MGCA's disease-level
/// alignment, Wang et al. 2022 §3.3, uses it with `ε = 0.05` and 3 iterations).
public enum Sinkhorn {
    /// Soft assignments `codes (B, K)` of `scores (B, K)` (prototype similarities):
    /// `Q = exp(scores/ε)ᵀ / Σ`, then `iterations` times rows (prototypes) scaled to sum `1/K` and columns
    /// (samples) to `1/B`; finally each sample's column is scaled to sum 1. Computed in Double (the global maximum
    /// is subtracted before `exp`, which the first normalization cancels). No gradient flows through the codes.
    @unsafe
    public static func assign(
        codes: UnsafeMutablePointer<Float>, scores: UnsafePointer<Float>, batch b: Int, prototypes k: Int,
        epsilon: Float, iterations: Int
    ) {
        let n = b * k
        var mx = -Float.infinity
        for i in 0..<n { mx = unsafe max(mx, scores[i]) }
        // q[j][i]: prototype j, sample i (the transposed layout of the reference's `Q`).
        var q = [Double](repeating: 0, count: n)
        var total = 0.0
        for i in 0..<b {
            for j in 0..<k {
                let v = unsafe exp(Double(scores[i * k + j] - mx) / Double(epsilon))
                q[j * b + i] = v
                total += v
            }
        }
        for i in 0..<n { q[i] /= total }
        let r = 1 / Double(k), c = 1 / Double(b)
        for _ in 0..<iterations {
            for j in 0..<k {
                var s = 0.0
                for i in 0..<b { s += q[j * b + i] }
                let f = r / s
                for i in 0..<b { q[j * b + i] *= f }
            }
            for i in 0..<b {
                var s = 0.0
                for j in 0..<k { s += q[j * b + i] }
                let f = c / s
                for j in 0..<k { q[j * b + i] *= f }
            }
        }
        for i in 0..<b {
            var s = 0.0
            for j in 0..<k { s += q[j * b + i] }
            for j in 0..<k { unsafe codes[i * k + j] = Float(q[j * b + i] / s) }
        }
    }
}
