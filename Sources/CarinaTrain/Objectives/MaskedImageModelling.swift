import CarinaCore
import CarinaTensor

/// MRM's masked image modelling (Zhou et al., ICLR 2023, §3.2; the MAE recipe, He et al. 2022).
///
/// Per sample a seeded random subset of `⌊P·(1 − r)⌋` patches stays visible (`r` = 0.75 by default); the image
/// encoder runs on CLS plus the visible patches only (their own position embeddings); a light decoder
/// (`ModelConfig.maskedImageDecoder`: embed to its width, a learned mask token at every masked position, its own
/// positions, blocks, LayerNorm, a linear prediction of the `p²` pixels) restores the full sequence; the loss is
/// `Losses.maskedPatchMSE`: per-patch normalized pixel targets, squared error over the masked patches only.
/// Shapes: visible tokens `(B, 1 + keep, C)`, decoder `(B, 1 + P, D)`, prediction `(B, 1 + P, p²)`.
/// The mask depends only on the seed and the update number, so `--resume` draws the same masks.
/// Not done: MRM's higher-resolution target.
public enum MaskedImageModelling {
    /// Visible patches per sample for `patches` patches and mask ratio `ratio` (MAE's `int(L · (1 − r))`, at least 1).
    public static func keepCount(patches: Int, ratio: Float) -> Int {
        max(1, Int(Float(patches) * (1 - ratio)))
    }

    /// The visible patch indices `(B, keep)`: sample `b`'s first `keep` entries of a Fisher-Yates shuffle drawn from
    /// SplitMix64 seeded with `seed` and `b`.
    public static func visiblePatches(seed: UInt64, batch b: Int, patches p: Int, keep: Int) -> [Int] {
        var out = [Int]()
        out.reserveCapacity(b * keep)
        for bi in 0..<b {
            var rng = SplitMix64(seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(bi + 1)))
            var order = Array(0..<p)
            for i in stride(from: p - 1, to: 0, by: -1) {
                let j = Int(rng.next() % UInt64(i + 1))
                order.swapAt(i, j)
            }
            out += order.prefix(keep)
        }
        return out
    }
}
