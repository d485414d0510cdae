import CarinaLoader

/// Everything the dual encoder saves between forward and backward for one batch size, plus gradient scratch.
@safe final class ModelActivations {
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
    // MGCA's token level: pooled words (B, T, C), their projections, gradients; prototype level.
    let pooled, wl, wn, wnNorm, dwn, dwl, dpooled, dpnTok: UnsafeMutablePointer<Float>
    let dprototypes: UnsafeMutablePointer<Float>
    // Hidden rows of 2-layer heads at each use, and their gradient scratch.
    let igHead, plHead, tgHead, tlHead, wlHead: HeadActivations
    let dhead: UnsafeMutablePointer<Float>
    /// Masked image modelling's activations (models with a decoder).
    let mim: MIMActivations?
    /// Masked report modelling's activations (models with a report head).
    let mlm: MLMActivations?
    /// HybridMED's generation branches (models with an impression decoder).
    let gen: GenerationActivations?
    var wordIndex: [Int32] = []
    var dLogitScale: Float = 0
    var weights = LossWeights()
    var encodeTextForEval = false
    var batchForBackward: TrainingBatch?
    /// The impression and findings ids and masks the text stacks ran on: the batch's, or cut to its longest text.
    var impressionText = TextInput(ids: [], mask: [], length: 0), findingsText = TextInput(ids: [], mask: [], length: 0)

    init(batch b: Int, config c: ModelConfig) {
        batch = b
        let ni = c.imageTokens, np = c.patchCount, t = c.textLength, e = c.projection, w = c.width
        image = StackActivations(buffer, batch: b, tokens: ni, config: c)
        impression = StackActivations(buffer, batch: b, tokens: t, config: c, clsOnly: true)
        findings = StackActivations(buffer, batch: b, tokens: t, config: c)
        scratch = StackScratch(buffer, rows: b * max(ni, t), config: c)
        unsafe cols = unsafe buffer.take(b * np * c.patchSize * c.patchSize)
        unsafe patchOut = unsafe buffer.take(b * np * w)
        unsafe ig = unsafe buffer.take(b * e); unsafe ign = unsafe buffer.take(b * e); unsafe igNorm = unsafe buffer.take(b)
        unsafe pl = unsafe buffer.take(b * ni * e); unsafe pn = unsafe buffer.take(b * ni * e); unsafe pnNorm = unsafe buffer.take(b * ni)
        unsafe entityLogits = unsafe buffer.take(b * c.concepts)
        unsafe tg = unsafe buffer.take(b * e); unsafe tgn = unsafe buffer.take(b * e); unsafe tgNorm = unsafe buffer.take(b)
        unsafe tl = unsafe buffer.take(b * t * e); unsafe tn = unsafe buffer.take(b * t * e); unsafe tnNorm = unsafe buffer.take(b * t)
        unsafe dign = unsafe buffer.take(b * e); unsafe dig = unsafe buffer.take(b * e)
        unsafe dtgn = unsafe buffer.take(b * e); unsafe dtg = unsafe buffer.take(b * e)
        unsafe dpn = unsafe buffer.take(b * ni * e); unsafe dpl = unsafe buffer.take(b * ni * e)
        unsafe dvi = unsafe buffer.take(b * ni * w)
        unsafe dtn = unsafe buffer.take(b * t * e); unsafe dtl = unsafe buffer.take(b * t * e)
        unsafe dvt = unsafe buffer.take(b * t * w)
        unsafe dlogits = unsafe buffer.take(b * c.concepts)
        unsafe dpatchOut = unsafe buffer.take(b * np * w)
        unsafe pooled = unsafe buffer.take(b * t * w); unsafe dpooled = unsafe buffer.take(b * t * w)
        unsafe wl = unsafe buffer.take(b * t * e); unsafe wn = unsafe buffer.take(b * t * e); unsafe wnNorm = unsafe buffer.take(b * t)
        unsafe dwn = unsafe buffer.take(b * t * e); unsafe dwl = unsafe buffer.take(b * t * e)
        unsafe dpnTok = unsafe buffer.take(b * ni * e)
        unsafe dprototypes = unsafe buffer.take((c.prototypes ?? 0) * e)
        let h = c.projectionHidden
        igHead = HeadActivations(buffer, rows: b, config: c); plHead = HeadActivations(buffer, rows: b * ni, config: c)
        tgHead = HeadActivations(buffer, rows: b, config: c); tlHead = HeadActivations(buffer, rows: b * t, config: c)
        wlHead = HeadActivations(buffer, rows: b * t, config: c)
        unsafe dhead = unsafe buffer.take(b * max(ni, t) * (h ?? 0))
        let buffer = self.buffer
        mim = c.decoderConfig.map { MIMActivations(buffer, batch: b, config: c, decoder: $0) }
        mlm = c.maskedReportHead == true ? MLMActivations(buffer, batch: b, config: c) : nil
        gen = c.impressionDecoder.map { GenerationActivations(buffer, batch: b, config: c, shape: $0) }
    }
}
