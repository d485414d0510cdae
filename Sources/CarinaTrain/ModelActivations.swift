import CarinaLoader

/// Everything the dual encoder saves between forward and backward for one batch size, plus gradient scratch.
final class ModelActivations {
    let batch: Int
    let buffer = ActivationBuffer()
    let image: StackActivations, impression: StackActivations, findings: StackActivations
    let scratch: StackScratch
    // Image side.
    let cols, patchOut, ig, ign, igNorm, pl, pn, pnNorm, entityLogits: UnsafeMutablePointer<Float>
    // Text side.
    let tg, tgn, tgNorm, tl, tn, tnNorm: UnsafeMutablePointer<Float>
    // Gradients.
    let dign, dig, dtgn, dtg, dpn, dpl, dvi, dtn, dtl, dvt, dlogits, dpatchOut: UnsafeMutablePointer<Float>
    var dLogitScale: Float = 0
    var weights = LossWeights()
    var encodeTextForEval = false
    var batchForBackward: TrainingBatch?

    init(batch b: Int, config c: ModelConfig) {
        batch = b
        let ni = c.imageTokens, np = c.patchCount, t = c.textLength, e = c.projection, w = c.width
        image = StackActivations(buffer, batch: b, tokens: ni, config: c)
        impression = StackActivations(buffer, batch: b, tokens: t, config: c)
        findings = StackActivations(buffer, batch: b, tokens: t, config: c)
        scratch = StackScratch(buffer, rows: b * max(ni, t), config: c)
        cols = unsafe buffer.take(b * np * c.patchSize * c.patchSize)
        patchOut = unsafe buffer.take(b * np * w)
        ig = unsafe buffer.take(b * e); ign = unsafe buffer.take(b * e); igNorm = unsafe buffer.take(b)
        pl = unsafe buffer.take(b * ni * e); pn = unsafe buffer.take(b * ni * e); pnNorm = unsafe buffer.take(b * ni)
        entityLogits = unsafe buffer.take(b * c.concepts)
        tg = unsafe buffer.take(b * e); tgn = unsafe buffer.take(b * e); tgNorm = unsafe buffer.take(b)
        tl = unsafe buffer.take(b * t * e); tn = unsafe buffer.take(b * t * e); tnNorm = unsafe buffer.take(b * t)
        dign = unsafe buffer.take(b * e); dig = unsafe buffer.take(b * e)
        dtgn = unsafe buffer.take(b * e); dtg = unsafe buffer.take(b * e)
        dpn = unsafe buffer.take(b * ni * e); dpl = unsafe buffer.take(b * ni * e)
        dvi = unsafe buffer.take(b * ni * w)
        dtn = unsafe buffer.take(b * t * e); dtl = unsafe buffer.take(b * t * e)
        dvt = unsafe buffer.take(b * t * w)
        dlogits = unsafe buffer.take(b * c.concepts)
        dpatchOut = unsafe buffer.take(b * np * w)
    }
}
