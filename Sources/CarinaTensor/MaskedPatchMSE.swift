import Foundation

extension Losses {
    /// Masked image modelling's reconstruction loss (MAE, He et al. 2022; MRM, Zhou et al. ICLR 2023, §3.2):
    /// each target patch normalized by its own mean and variance (`(x − μ) / √(σ² + 10⁻⁶)`, σ² unbiased as
    /// `torch.var`), the squared error averaged over the patch's `D` pixels, then over the masked patches of the
    /// batch (`masked[b, p] = 1`).
    ///
    /// Layouts: `prediction (B, P, D)` with sample stride `predictionStride` (so a decoder output with a leading CLS
    /// row can be passed offset by one row); `target (B, P, D)` the raw pixels (`PatchEmbedding.im2col`); `masked (B, P)`.
    /// Writes `dprediction` in the prediction's layout (0 for visible patches), times `weight`.
    @unsafe
    public static func maskedPatchMSE(
        prediction: UnsafePointer<Float>, predictionStride: Int, target: UnsafePointer<Float>,
        masked: UnsafePointer<Float>, batch b: Int, patches p: Int, dim d: Int,
        dprediction: UnsafeMutablePointer<Float>, weight: Float = 1
    ) -> Double {
        var count = 0
        for i in 0..<(b * p) where unsafe masked[i] != 0 { count += 1 }
        guard count > 0 else {
            for bi in 0..<b { unsafe (dprediction + bi * predictionStride).update(repeating: 0, count: p * d) }
            return 0
        }
        var loss = 0.0
        let scale = 2 * weight / Float(count * d)
        var t = [Float](repeating: 0, count: d)
        for bi in 0..<b {
            for pi in 0..<p {
                let pred = unsafe prediction + bi * predictionStride + pi * d
                let dp = unsafe dprediction + bi * predictionStride + pi * d
                guard unsafe masked[bi * p + pi] != 0 else {
                    for k in 0..<d { unsafe dp[k] = 0 }
                    continue
                }
                let x = unsafe target + (bi * p + pi) * d
                var mean = 0.0
                for k in 0..<d { mean += unsafe Double(x[k]) }
                mean /= Double(d)
                var v = 0.0
                for k in 0..<d { let c = unsafe Double(x[k]) - mean; v += c * c }
                v /= Double(max(d - 1, 1))
                let inv = 1 / (v + 1e-6).squareRoot()
                var se = 0.0
                for k in 0..<d {
                    t[k] = unsafe Float((Double(x[k]) - mean) * inv)
                    let diff = unsafe pred[k] - t[k]
                    se += Double(diff) * Double(diff)
                    unsafe dp[k] = scale * diff
                }
                loss += se / Double(d)
            }
        }
        return loss / Double(count)
    }
}
