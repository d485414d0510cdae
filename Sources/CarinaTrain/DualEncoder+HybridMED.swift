import CarinaLoader
import CarinaTensor

/// HybridMED's generation branches on the dual encoder (see `ImpressionGeneration` and `ImpressionDecoder`).
extension DualEncoder {
    /// The generation objectives need a decoder.
    func checkGeneration(_ weights: LossWeights) throws {
        if weights.generation && config.impressionDecoder == nil {
            throw TrainError.invalidConfig("the caption, summary and distill objectives need a model with an impressionDecoder "
                + "(model \(config.name) has none; carina train adds one with --impression-decoder)")
        }
    }

    /// One branch's forward: decoder over `targets.inputs`, the LM head on its target rows into `logits (R, V)`.
    @unsafe
    private func branchForward(_ run: DecoderActivations, _ g: GenerationActivations, rows: [Int], logits: inout [Float],
                               memory: UnsafePointer<Float>, memoryRows m: Int, mask: UnsafePointer<Float>?) {
        guard let dec = impressionDecoder else { return }
        let w = unsafe arena.params, d = dec.shape.width
        run.tokens = g.targets.tokens
        unsafe g.targets.inputs.withUnsafeBufferPointer { ip in
            unsafe dec.forward(run, params: w, ids: ip.baseAddress!, memory: memory, memoryRows: m, memoryMask: mask)
        }
        var gathered = [Float](repeating: 0, count: rows.count * d)
        for (k, r) in rows.enumerated() { for j in 0..<d { gathered[k * d + j] = unsafe run.out[r * d + j] } }
        if logits.count != rows.count * dec.vocab { logits = [Float](repeating: 0, count: rows.count * dec.vocab) }
        unsafe gathered.withUnsafeBufferPointer { gp in
            unsafe logits.withUnsafeMutableBufferPointer { lp in
                unsafe dec.logits(out: lp.baseAddress!, inp: gp.baseAddress!, rows: rows.count, params: w)
            }
        }
        if run === g.caption { g.captionGathered = gathered } else { g.summaryGathered = gathered }
    }

    /// The generation objectives' forward (the image and findings runs are done); fills `result`'s parts.
    @unsafe
    func generationForward(_ a: ModelActivations, batch: TrainingBatch, result: inout LossBreakdown) {
        guard let g = a.gen, let dec = impressionDecoder else { return }
        let c = config, b = batch.batchSize, wts = a.weights, v = dec.vocab
        let ft = a.findingsText.length
        let sumOn = wts.summary != 0 || wts.distill != 0, capOn = wts.caption != 0 || wts.distill != 0
        g.targets = ImpressionGeneration.targets(
            ids: batch.impressionIDs, mask: batch.impressionMask, findingsMask: sumOn ? a.findingsText.mask : [],
            findingsLength: sumOn ? ft : 0, batch: b, length: c.textLength)
        let t = g.targets
        if capOn {
            unsafe branchForward(g.caption, g, rows: t.captionRows, logits: &g.captionLogits, memory: a.image.out,
                                 memoryRows: c.imageTokens, mask: nil)
        }
        if sumOn {
            unsafe a.findingsText.mask.withUnsafeBufferPointer { mp in
                unsafe branchForward(g.summary, g, rows: t.summaryRows, logits: &g.summaryLogits, memory: a.findings.out,
                                     memoryRows: ft, mask: mp.baseAddress!)
            }
        }
        let rs = t.summaryRows.count
        g.distillGradient = []
        if wts.distill != 0 && rs > 0 {
            var student = [Float](repeating: 0, count: rs * v)
            for (k, i) in t.distillIndex.enumerated() {
                for j in 0..<v { student[k * v + j] = g.captionLogits[i * v + j] }
            }
            var ds = [Float](repeating: 0, count: rs * v)
            result.distill = unsafe student.withUnsafeBufferPointer { sp in
                unsafe g.summaryLogits.withUnsafeBufferPointer { tp in
                    unsafe ds.withUnsafeMutableBufferPointer { dp in
                        unsafe Losses.distillationKL(student: sp.baseAddress!, teacher: tp.baseAddress!, rows: rs, classes: v,
                                                     temperature: objectives.distillTemperature,
                                                     scale: wts.distill / Float(rs), dstudent: dp.baseAddress!)
                    }
                }
            } / Double(rs)
            g.distillGradient = ds
        }
        func crossEntropy(_ logits: inout [Float], _ labels: [Int32], weight: Float) -> Double {
            let r = labels.count
            guard r > 0 else { return 0 }
            return unsafe logits.withUnsafeMutableBufferPointer { lp in
                unsafe labels.withUnsafeBufferPointer { yp in
                    unsafe Losses.softmaxCrossEntropy(logits: lp.baseAddress!, labels: yp.baseAddress!, rows: r, classes: v,
                                                      scale: weight / Float(r))
                }
            } / Double(r)
        }
        if capOn {
            result.caption = crossEntropy(&g.captionLogits, t.captionLabels, weight: wts.caption)
            if !g.distillGradient.isEmpty {
                for (k, i) in t.distillIndex.enumerated() {
                    for j in 0..<v { g.captionLogits[i * v + j] += g.distillGradient[k * v + j] }
                }
            }
        }
        if sumOn { result.summary = crossEntropy(&g.summaryLogits, t.summaryLabels, weight: wts.summary) }
        result.total += Double(wts.caption) * result.caption + Double(wts.summary) * result.summary
            + Double(wts.distill) * result.distill
    }

    /// One branch's backward from its logits' gradient (left in the logits by the forward) into the memory's.
    @unsafe
    private func branchBackward(_ run: DecoderActivations, _ g: GenerationActivations, rows: [Int], dlogits: [Float],
                                gathered: [Float], memory: UnsafePointer<Float>, dmemory: UnsafeMutablePointer<Float>,
                                accumulate: Bool) {
        guard let dec = impressionDecoder else { return }
        let w = unsafe arena.params, gr = unsafe arena.grads, d = dec.shape.width, n = run.tokens
        var dg = [Float](repeating: 0, count: rows.count * d)
        if !rows.isEmpty {
            unsafe dlogits.withUnsafeBufferPointer { lp in
                unsafe gathered.withUnsafeBufferPointer { gp in
                    unsafe dg.withUnsafeMutableBufferPointer { dp in
                        unsafe Linear.backward(dinp: dp.baseAddress!, dweight: gr + dec.tok, dbias: gr + dec.headB,
                                               dout: lp.baseAddress!, inp: gp.baseAddress!, weight: w + dec.tok,
                                               rows: rows.count, inDim: d, outDim: dec.vocab)
                    }
                }
            }
        }
        var dout = [Float](repeating: 0, count: run.batch * n * d)
        for (k, r) in rows.enumerated() { for j in 0..<d { dout[r * d + j] = dg[k * d + j] } }
        unsafe dout.withUnsafeBufferPointer { op in
            unsafe g.targets.inputs.withUnsafeBufferPointer { ip in
                unsafe dec.backward(run, dout: op.baseAddress!, ids: ip.baseAddress!, memory: memory, params: w, grads: gr,
                                    dmemory: dmemory, accumulate: accumulate)
            }
        }
    }

    /// Captioning's (and distillation's) backward: the decoder's gradients, and the image encoder output's added
    /// into `a.dvi`.
    @unsafe
    func captionBackward(_ a: ModelActivations) {
        guard let g = a.gen, a.weights.caption != 0 || a.weights.distill != 0 else { return }
        unsafe branchBackward(g.caption, g, rows: g.targets.captionRows, dlogits: g.captionLogits,
                              gathered: g.captionGathered, memory: a.image.out, dmemory: a.dvi, accumulate: true)
    }

    /// Summarisation's backward into the findings run's output gradient `a.dvt` (written, or added when
    /// `accumulate`); false when it has nothing to add (off, or the teacher of distillation alone: stop-gradient).
    @unsafe
    func summaryBackward(_ a: ModelActivations, accumulate: Bool) -> Bool {
        guard let g = a.gen, a.weights.summary != 0 else { return false }
        unsafe branchBackward(g.summary, g, rows: g.targets.summaryRows, dlogits: g.summaryLogits,
                              gathered: g.summaryGathered, memory: a.findings.out, dmemory: a.dvt, accumulate: accumulate)
        return true
    }
}

/// The generation objectives' state for one batch size: a decoder run per branch, the teacher-forcing layout,
/// the branches' logits (their gradients after the forward) and the distillation's gradient.
@safe final class GenerationActivations {
    let caption: DecoderActivations, summary: DecoderActivations
    var targets = ImpressionGeneration.Targets()
    var captionLogits: [Float] = [], summaryLogits: [Float] = [], distillGradient: [Float] = []
    var captionGathered: [Float] = [], summaryGathered: [Float] = []

    init(_ buffer: ActivationBuffer, batch b: Int, config c: ModelConfig, shape s: ModelConfig.DecoderShape) {
        caption = DecoderActivations(buffer, batch: b, tokens: c.textLength, memoryRows: c.imageTokens, shape: s)
        summary = DecoderActivations(buffer, batch: b, tokens: c.textLength, memoryRows: c.textLength, shape: s)
    }
}
