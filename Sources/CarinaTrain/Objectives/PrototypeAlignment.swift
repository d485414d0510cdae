import CarinaTensor
import Foundation

/// MGCA's cross-modal disease-level (prototype) alignment (Wang et al., NeurIPS 2022, §3.3), SwAV's
/// swapped prediction (Caron et al. 2020) across the two modalities.
///
/// `K` prototypes `C (K, E)` are L2-normalized row-wise before each step (in place, as MGCA does). With the
/// normalized global embeddings `image (B, E)`, `text (B, E)`: scores `z = image · Cᵀ`, `z' = text · Cᵀ (B, K)`;
/// soft codes `q = Sinkhorn(z; ε, iterations)`, `q' = Sinkhorn(z')` (no gradient); predictions
/// `P = softmax(z / T)`, `P' = softmax(z' / T)`; loss `−(mean_b Σ_k q_bk log P'_bk + mean_b Σ_k q'_bk log P_bk) / 2`.
/// Defaults are MGCA's: `ε = 0.05`, 3 iterations, `T = 0.2`, 500 prototypes, frozen for the first epoch.
public struct PrototypeAlignment: Sendable, Equatable {
    public var temperature: Float = 0.2
    public var epsilon: Float = 0.05
    public var iterations: Int = 3

    public init(temperature: Float = 0.2, epsilon: Float = 0.05, iterations: Int = 3) {
        self.temperature = temperature
        self.epsilon = epsilon
        self.iterations = iterations
    }

    /// Normalizes each of the `k` rows of `prototypes (K, E)` in place (`x / max(‖x‖, 1e-12)`).
    @unsafe
    public static func normalizeRows(_ prototypes: UnsafeMutablePointer<Float>, count k: Int, dim e: Int) {
        for r in 0..<k {
            let row = unsafe prototypes + r * e
            var s: Float = 0
            for i in 0..<e { s += unsafe row[i] * row[i] }
            let inv = 1 / max(s.squareRoot(), Normalize.epsilon)
            for i in 0..<e { unsafe row[i] *= inv }
        }
    }

    /// Returns the loss; adds `∂/∂image`, `∂/∂text` (times `weight`) into `dimage`, `dtext` and `∂/∂C` into
    /// `dprototypes`.
    @unsafe
    public func forward(
        image: UnsafePointer<Float>, text: UnsafePointer<Float>, prototypes: UnsafePointer<Float>, batch b: Int,
        prototypes k: Int, dim e: Int, dimage: UnsafeMutablePointer<Float>, dtext: UnsafeMutablePointer<Float>,
        dprototypes: UnsafeMutablePointer<Float>, weight: Float
    ) -> Double {
        var zi = [Float](repeating: 0, count: b * k), zt = zi, qi = zi, qt = zi
        var loss = 0.0
        unsafe zi.withUnsafeMutableBufferPointer { zib in
        unsafe zt.withUnsafeMutableBufferPointer { ztb in
        unsafe qi.withUnsafeMutableBufferPointer { qib in
        unsafe qt.withUnsafeMutableBufferPointer { qtb in
            let zi = zib.baseAddress!, zt = ztb.baseAddress!, qi = qib.baseAddress!, qt = qtb.baseAddress!
            unsafe BLAS.sgemm(transA: false, transB: true, m: b, n: k, k: e, a: image, lda: e, b: prototypes, ldb: e,
                              beta: 0, c: zi, ldc: k)
            unsafe BLAS.sgemm(transA: false, transB: true, m: b, n: k, k: e, a: text, lda: e, b: prototypes, ldb: e,
                              beta: 0, c: zt, ldc: k)
            unsafe Sinkhorn.assign(codes: qi, scores: zi, batch: b, prototypes: k, epsilon: epsilon, iterations: iterations)
            unsafe Sinkhorn.assign(codes: qt, scores: zt, batch: b, prototypes: k, epsilon: epsilon, iterations: iterations)
            // Cross-entropy of each side's prediction against the other side's code; dz = (P − q) / (T · 2B).
            let invT = 1 / temperature
            let g = weight / (temperature * Float(2 * b))
            for unsafe (z, q) in unsafe [(zt, qi), (zi, qt)] {
                for r in 0..<b {
                    let row = unsafe z + r * k
                    let lse = unsafe Losses.logSumExpScaled(row, count: k, scale: invT)
                    var ce = 0.0
                    var qsum: Float = 0
                    for j in 0..<k { ce -= unsafe Double(q[r * k + j]) * (Double(row[j] * invT) - lse); qsum += unsafe q[r * k + j] }
                    loss += ce
                    // The row becomes its gradient, (Σq · P − q) / T.
                    for j in 0..<k { unsafe row[j] = g * (qsum * Float(exp(Double(row[j] * invT) - lse)) - q[r * k + j]) }
                }
            }
            loss /= Double(2 * b)
            // zi = image·Cᵀ: dimage += dzi·C, dC += dziᵀ·image (and likewise for the text).
            unsafe BLAS.sgemm(transA: false, transB: false, m: b, n: e, k: k, a: zi, lda: k, b: prototypes, ldb: e,
                              beta: 1, c: dimage, ldc: e)
            unsafe BLAS.sgemm(transA: false, transB: false, m: b, n: e, k: k, a: zt, lda: k, b: prototypes, ldb: e,
                              beta: 1, c: dtext, ldc: e)
            unsafe BLAS.sgemm(transA: true, transB: false, m: k, n: e, k: b, a: zi, lda: k, b: image, ldb: e,
                              beta: 1, c: dprototypes, ldc: e)
            unsafe BLAS.sgemm(transA: true, transB: false, m: k, n: e, k: b, a: zt, lda: k, b: text, ldb: e,
                              beta: 1, c: dprototypes, ldc: e)
        }}}}
        return loss
    }
}

extension Losses {
    /// log Σ exp(scale · x) over `count` contiguous values, in Double.
    @unsafe @inline(__always)
    static func logSumExpScaled(_ x: UnsafePointer<Float>, count n: Int, scale: Float) -> Double {
        var mx = -Double.infinity
        for i in 0..<n { mx = unsafe max(mx, Double(x[i] * scale)) }
        var s = 0.0
        for i in 0..<n { s += unsafe exp(Double(x[i] * scale) - mx) }
        return mx + log(s)
    }
}
