import CarinaTensor
import Foundation

/// Instance-level image↔report alignment: symmetric InfoNCE over the batch (CLIP, Radford et al. 2021; MGCA's
/// cross-modal instance alignment, Wang et al. 2022 §3.1).
///
/// Inputs: L2-normalized global embeddings `image (B, E)` and `text (B, E)`; the report text is the impression,
/// the findings, or both joined (`InstanceText`). Logits `image · textᵀ / τ`; loss `(CE(rows) + CE(columns)) / 2`,
/// each a mean over the batch. `τ` is learnable (`1 / min(exp(s), maxScale)` from the model's `logit_scale`) or
/// fixed (MGCA: 0.07, where `s` gets no gradient). MGCA sums its two directions; weight 2 reproduces its scale.
public struct InstanceAlignment: Sendable, Equatable {
    /// A fixed temperature, or nil for the model's learnable one.
    public var fixedTemperature: Float?

    public init(fixedTemperature: Float? = nil) { self.fixedTemperature = fixedTemperature }

    /// Writes `dimage`, `dtext` (times `weight`); returns the loss and `∂loss/∂s` (0 with a fixed temperature).
    @unsafe
    public func forward(image: UnsafePointer<Float>, text: UnsafePointer<Float>, logitScale: Float, maxScale: Float,
                        batch b: Int, dim e: Int, dimage: UnsafeMutablePointer<Float>, dtext: UnsafeMutablePointer<Float>,
                        weight: Float) -> (loss: Double, dLogitScale: Float) {
        if let tau = fixedTemperature {
            let r = unsafe Losses.symmetricInfoNCE(image: image, text: text, logitScale: logf(1 / tau),
                                                   maxScale: .greatestFiniteMagnitude, batch: b, dim: e,
                                                   dimage: dimage, dtext: dtext, weight: weight)
            return (r.loss, 0)
        }
        return unsafe Losses.symmetricInfoNCE(image: image, text: text, logitScale: logitScale, maxScale: maxScale,
                                              batch: b, dim: e, dimage: dimage, dtext: dtext, weight: weight)
    }
}

/// Which report text the instance-level objective (and the prototype objective) embeds.
public enum InstanceText: String, Sendable, Equatable, CaseIterable, Codable {
    /// The impression (Carina's default).
    case impression
    /// The findings, through the findings encoder run (shared with the token-level objectives).
    case findings
    /// The findings then the impression as one sequence, `[CLS] findings impression [SEP]` cut to `T` (MGCA joins the
    /// two sections into one report text).
    case both
}
