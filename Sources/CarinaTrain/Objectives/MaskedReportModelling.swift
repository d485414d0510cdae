import CarinaCore

/// MRM's masked report modelling (Zhou et al., ICLR 2023, §3.2; the formulas below as its public code computes them), conditioned on the masked image.
///
/// The report (findings then impression, joined as for `InstanceText.both`) has a seeded `r` of its whole words
/// (50% by default; a word's WordPieces from `WordSegmenter`) replaced by `[MASK]`. The image conditions the text
/// encoder as MRM does: the mean of the masked image encoder's visible patch tokens `(B, C)` (masked image
/// modelling's encoder run), projected by `mlm.cond (C, C)`, is added to every token embedding. The prediction
/// head is tied to the token embedding: `logits = h · Eᵀ + mlm.bias` on the text encoder's final (LayerNormed)
/// states `h` at the masked positions (BERT's extra transform layer left out); the loss is the cross-entropy over
/// the masked positions, averaged. Shapes: ids `(B, T)`, conditioning `(B, C)`, logits `(M, V)` for `M` masked
/// tokens. Needs masked image modelling's encoder run (the `mim` objective on).
public enum MaskedReportModelling {
    /// For each sample, the word indices (of its `words[b]` words) to mask: a seeded `round(ratio · words)` of them
    /// (at least one when the sample has a word).
    public static func maskedWords(seed: UInt64, words: [Int], ratio: Float) -> [[Int]] {
        words.enumerated().map { bi, n in
            guard n > 0 else { return [] }
            var rng = SplitMix64(seed: seed ^ (0xD1B5_4A32_D192_ED03 &* UInt64(bi + 1)))
            var order = Array(0..<n)
            for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            let count = max(1, Int((Float(n) * ratio).rounded()))
            return Array(order.prefix(count))
        }
    }
}
