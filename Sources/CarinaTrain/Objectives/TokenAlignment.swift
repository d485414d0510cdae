import CarinaTensor
import Foundation

/// MGCA's token-level cross-modal alignment, both directions (Wang et al., NeurIPS 2022, §3.2;
/// the formulas below as its public code computes them).
///
/// Word→patch: each word `w_i` (its WordPieces' last hidden states summed, projected, L2-normalized) attends over
/// its image's normalized patch embeddings `p_j` with temperature `τ`; the L2-normalized context `c_i` is scored
/// against all the sample's words, `s_il = w_i·c_l / τ`, with cross-entropy to the diagonal along rows and columns,
/// each word weighted by the text encoder's last-layer CLS attention to it (the head mean, summed over its pieces),
/// clipped to the 10th-90th percentile of the sample's words and normalized to sum 1.
/// Patch→word: the same with patches attending over the sample's words (padding masked out of the keys); the
/// context is left unnormalized, as MGCA does with a ViT; patches are weighted by the image encoder's last-layer
/// CLS attention, clipped and normalized likewise. Each direction is `Σ_b Σ_i w_bi CE_bi / B` (rows and columns
/// averaged); the objective is their sum (MGCA's `loss_word + loss_patch`; MGCA weighs it 0.7).
///
/// Shapes: `words (B, W, E)`, `wordValid (B, W)`, `wordAttention (B, W)` (raw, summed per word); `patches (B, P, E)`
/// with sample stride `patchStride`, `patchAttention (B, P)` (raw). The weights get no gradient.
public struct TokenAlignment: Sendable, Equatable {
    public var temperature: Float
    public var lowQuantile: Double = 0.1
    public var highQuantile: Double = 0.9

    public init(temperature: Float = 0.1) { self.temperature = temperature }

    /// The word-level CLS attention `(B, W)`: `attention (B, T)` summed over the tokens of each word.
    public static func wordAttention(_ attention: [Float], wordIndex: [Int32], batch b: Int, tokens t: Int,
                                     words w: Int) -> [Float] {
        var out = [Float](repeating: 0, count: b * w)
        for bi in 0..<b {
            for ti in 0..<t {
                let s = Int(wordIndex[bi * t + ti])
                if s >= 0 && s < w { out[bi * w + s] += attention[bi * t + ti] }
            }
        }
        return out
    }

    /// Loss parts (`word`: word→patch, `patch`: patch→word) and their sum; writes `dwords` and `dpatches`
    /// (overwritten, times `weight`).
    @unsafe
    public func forward(
        words: UnsafePointer<Float>, wordValid: [Float], wordAttention: [Float], patches: UnsafePointer<Float>,
        patchStride: Int, patchAttention: [Float], batch b: Int, words w: Int, patches p: Int, dim e: Int,
        dwords: UnsafeMutablePointer<Float>, dpatches: UnsafeMutablePointer<Float>, weight: Float
    ) -> (loss: Double, word: Double, patch: Double) {
        var wordWeights = [Float](repeating: 0, count: b * w), patchWeights = [Float](repeating: 0, count: b * p)
        unsafe wordWeights.withUnsafeMutableBufferPointer { ww in
            unsafe wordAttention.withUnsafeBufferPointer { wa in
                unsafe wordValid.withUnsafeBufferPointer { wv in
                    for bi in 0..<b {
                        unsafe QuantileClip.normalizedWeights(
                            out: ww.baseAddress! + bi * w, values: wa.baseAddress! + bi * w, valid: wv.baseAddress! + bi * w,
                            count: w, low: lowQuantile, high: highQuantile)
                    }
                }
            }
        }
        unsafe patchWeights.withUnsafeMutableBufferPointer { pw in
            unsafe patchAttention.withUnsafeBufferPointer { pa in
                for bi in 0..<b {
                    unsafe QuantileClip.normalizedWeights(out: pw.baseAddress! + bi * p, values: pa.baseAddress! + bi * p,
                                                          valid: nil, count: p, low: lowQuantile, high: highQuantile)
                }
            }
        }
        let dw2 = UnsafeMutablePointer<Float>.allocate(capacity: b * w * e)
        let dp2 = UnsafeMutablePointer<Float>.allocate(capacity: b * patchStride)
        defer { unsafe dw2.deallocate(); unsafe dp2.deallocate() }
        let (wordLoss, patchLoss) = unsafe wordValid.withUnsafeBufferPointer { wv in
            unsafe wordWeights.withUnsafeBufferPointer { ww in
                unsafe patchWeights.withUnsafeBufferPointer { pw in
                    let lw = unsafe Losses.crossAlignment(
                        queries: words, queryStride: w * e, queryValid: wv.baseAddress!, queryWeight: ww.baseAddress!,
                        keys: patches, keyStride: patchStride, keyValid: nil, batch: b, queryCount: w, keyCount: p,
                        dim: e, temperature: temperature, normalizeContext: true, dqueries: dwords, dkeys: dp2,
                        weight: weight)
                    let lp = unsafe Losses.crossAlignment(
                        queries: patches, queryStride: patchStride, queryValid: nil, queryWeight: pw.baseAddress!,
                        keys: words, keyStride: w * e, keyValid: wv.baseAddress!, batch: b, queryCount: p, keyCount: w,
                        dim: e, temperature: temperature, normalizeContext: false, dqueries: dpatches, dkeys: dw2,
                        weight: weight)
                    return (lw, lp)
                }
            }
        }
        // dpatches is written with the sample stride `patchStride`; only its P rows per sample are touched.
        for bi in 0..<b {
            for i in 0..<(p * e) { unsafe dpatches[bi * patchStride + i] += dp2[bi * patchStride + i] }
        }
        for i in 0..<(b * w * e) { unsafe dwords[i] += dw2[i] }
        return (wordLoss + patchLoss, wordLoss, patchLoss)
    }
}
