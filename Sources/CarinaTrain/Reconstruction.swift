import CarinaLoader
import Foundation

/// MRM's reconstructions, to look at: for each of the first samples of a batch, its image, the image with the masked
/// patches blacked out, and the reconstruction (visible patches as they are, masked ones predicted; a prediction is
/// in its patch's normalized units, so it is mapped back with the original patch's mean and standard deviation, as
/// MAE's figures do). Needs a model with a masked image decoder. With a higher-resolution target (target scale `R`)
/// the three columns are at the target's resolution, `R·S` pixels a side: the batch's `targetImages`, the same
/// masked, and the predicted `(R·p)²` patches.
public enum Reconstruction {
    /// An 8-bit grid, one row per sample (`count` at most), three columns, 2-pixel white gaps; each sample scaled by
    /// its own intensity range. `seed` draws the masks.
    public static func grid(model: DualEncoder, batch: TrainingBatch, count: Int, seed: UInt64 = 0)
        throws -> (width: Int, height: Int, pixels: [UInt8]) {
        guard model.config.maskedImageDecoder != nil else {
            throw TrainError.invalidConfig("model \(model.config.name) has no masked image decoder to reconstruct with")
        }
        let c = model.config, r = c.targetScale, s = r * c.imageSize, p = r * c.patchSize, g = s / p, pp = p * p
        let np = c.patchCount
        model.maskSeed = seed
        try model.forward(batch, weights: LossWeights(global: 0, local: 0, graph: 0, mim: 1))
        let a = model.activations(batch: batch.batchSize)
        guard let mim = a.mim else { throw TrainError.invalidConfig("no masked image activations") }
        let rows = min(count, batch.batchSize), gap = 2
        let width = 3 * s + 2 * gap, height = rows * s + (rows - 1) * gap
        var out = [UInt8](repeating: 255, count: width * height)
        for bi in 0..<rows {
            let img = Array((r > 1 ? batch.targetImages : batch.images)[(bi * s * s)..<((bi + 1) * s * s)])
            var recon = img, masked = img
            let lo = img.min() ?? 0, hi = max(img.max() ?? 1, lo + 1e-6)
            for patch in 0..<np where mim.masked[bi * np + patch] != 0 {
                let py = patch / g, px = patch % g
                var vals = [Float]()
                for y in 0..<p { for x in 0..<p { vals.append(img[(py * p + y) * s + px * p + x]) } }
                let mean = vals.reduce(0, +) / Float(pp)
                let variance = vals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(max(pp - 1, 1))
                let std = (variance + 1e-6).squareRoot()
                for y in 0..<p {
                    for x in 0..<p {
                        let i = (py * p + y) * s + px * p + x
                        let pred = unsafe mim.prediction[(bi * c.imageTokens + 1 + patch) * pp + y * p + x]
                        recon[i] = pred * std + mean
                        masked[i] = lo
                    }
                }
            }
            for (col, pic) in [img, masked, recon].enumerated() {
                for y in 0..<s {
                    for x in 0..<s {
                        let v = (pic[y * s + x] - lo) / (hi - lo)
                        out[(bi * (s + gap) + y) * width + col * (s + gap) + x] = UInt8(max(0, min(255, (v * 255).rounded())))
                    }
                }
            }
        }
        return (width, height, out)
    }
}
