/// HybridMED's generation proxy tasks and their distillation (Jiang et al., "HybridMED: hybrid medical
/// vision-language pre-training", §3.2–3.3; no public code, so the choices below are Carina's).
///
/// One `ImpressionDecoder` serves two branches that differ only in their memory:
/// - **captioning**: memory = the image encoder's output `(B, 1+P, C)` (CLS and patch tokens, all attended);
/// - **summarisation**: memory = the findings run of the text encoder `(B, T_f, C)` with its padding mask.
///
/// Both are trained by teacher forcing on the impression: input tokens `x₀…x_{L−2}` (from `[CLS]`), targets
/// `x₁…x_{L−1}` (through `[SEP]`), where `L` is each sample's impression length; the loss of a branch is the mean
/// next-token cross-entropy over its target tokens in the batch, `L_cap = −(1/R) Σ log p_cap(x_{i+1} | x_{≤i}, image)`.
/// A sample whose impression holds no word (at most `[CLS]` and `[SEP]`, as the loader encodes an empty section)
/// gives no target; a sample whose findings hold no word gives no summarisation or distillation target. Both still train on the other
/// objectives.
///
/// **Distillation** (HybridMED §3.3) over the targets both branches have:
/// `L_kd = T² · (1/R_s) Σ KL(softmax(z_sum/T) ‖ softmax(z_cap/T))`, `T = 2` by default. The summariser teaches and
/// the captioner learns: text→text is the easier task (the findings already name what the impression says, the
/// image has to be read), so its distribution is the better target early and throughout; and at inference only
/// the captioner runs (no findings for a new image), so it is the branch that has to improve. The teacher's logits
/// are a constant (stop-gradient): the distillation term moves the captioner and, through its memory, the image
/// encoder only. `T²` keeps the gradient's size independent of `T` (Hinton et al. 2015).
public enum ImpressionGeneration {
    /// The teacher-forcing layout of one batch: decoder inputs `(B, n)` and the rows (`bi·n + i`) that have a
    /// target, with the target ids; the summarisation rows are the caption rows of samples with findings, and
    /// `distillIndex[k]` is the position of summarisation row `k` among the caption rows.
    struct Targets {
        var tokens = 1
        var inputs: [Int32] = []
        var captionRows: [Int] = [], captionLabels: [Int32] = []
        var summaryRows: [Int] = [], summaryLabels: [Int32] = [], distillIndex: [Int] = []
    }

    /// The targets of impressions `ids, mask (B, T)` (masks are prefixes) and findings masks `(B, T_f)`.
    static func targets(ids: [Int32], mask: [Float], findingsMask: [Float], findingsLength ft: Int, batch b: Int,
                        length t: Int) -> Targets {
        var r = Targets()
        let lengths = (0..<b).map { bi in (0..<t).reduce(0) { $0 + (mask[bi * t + $1] != 0 ? 1 : 0) } }
        let n = max((lengths.max() ?? 1) - 1, 1)
        r.tokens = n
        r.inputs = [Int32](repeating: 0, count: b * n)
        for bi in 0..<b {
            for i in 0..<n { r.inputs[bi * n + i] = ids[bi * t + i] }
            let words = (0..<ft).reduce(0) { $0 + (findingsMask[bi * ft + $1] != 0 ? 1 : 0) }
            for i in 0..<n where lengths[bi] > 2 && i + 1 < lengths[bi] {
                let row = bi * n + i
                if words > 2 {
                    r.distillIndex.append(r.captionRows.count)
                    r.summaryRows.append(row)
                    r.summaryLabels.append(ids[bi * t + i + 1])
                }
                r.captionRows.append(row)
                r.captionLabels.append(ids[bi * t + i + 1])
            }
        }
        return r
    }
}
