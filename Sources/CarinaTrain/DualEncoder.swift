import CarinaLoader
import CarinaTensor
import Foundation

/// The carina dual encoder (ARCHITECTURE.md: `CarinaTrain`), operation for operation the PyTorch reference `trainer_baseline.py`:
/// a ViT over `1×S×S` images and a text transformer run on the impression and on the findings, projections to `E`,
/// and the global, local and graph losses. Parameters live in one `ParameterArena` in PyTorch's
/// `named_parameters` order and naming.
public final class DualEncoder {
    public let config: ModelConfig
    public let arena: ParameterArena
    let image: TransformerStack, text: TransformerStack
    let offsets: HeadOffsets
    private var acts: ModelActivations?
    /// Run the text encoders only up to each batch's longest text (see `TextInput`); false runs all `T` positions,
    /// as the PyTorch reference does. The losses and gradients agree either way up to float rounding.
    public var trimPadding = true
    /// Settings of the objectives beyond their weights (instance text and temperature, prototype constants).
    public var objectives = ObjectiveSettings()
    /// How findings WordPieces group into words for the token-level objective (the trainer sets it from the
    /// vocabulary; without one every piece is its own word).
    public var words = WordSegmenter()

    struct HeadOffsets {
        var logitScale = 0, imagePos = 0, imageCLS = 0, patchWeight = 0, patchBias = 0, textPos = 0, tokens = 0
        var entW = 0, entB = 0, prototypes = 0
    }
    let imgG: ProjectionHead, imgL: ProjectionHead, txtG: ProjectionHead, txtL: ProjectionHead
    /// Masked image modelling's decoder stack and its head offsets (when the configuration has one).
    let decoder: TransformerStack?
    let decoderOffsets: DecoderOffsets
    /// Seed of masked image modelling's patch masks; the trainer sets it from the run's seed and the update number.
    public var maskSeed: UInt64 = 0
    /// Visible patches `(B, keep)` to use instead of drawing them (tests against a reference).
    public var visiblePatchOverride: [Int]?
    /// Masked report ids `(B, T)` of the joined report to use instead of drawing the masked words (tests).
    public var maskedReportOverride: [Int32]?
    struct ReportOffsets { var bias = 0, condW = 0, condB = 0 }
    let reportOffsets: ReportOffsets
    /// CGA's state between forward and backward (see `DualEncoder+CGA.swift`).
    let graphState = GraphAlignmentState()
    /// HybridMED's impression decoder (when the configuration has one).
    let impressionDecoder: ImpressionDecoder?

    /// Parameter names and shapes in PyTorch's `CarinaTiny.named_parameters()` order.
    public static func parameterSpecs(_ c: ModelConfig) -> [(String, [Int])] {
        let w = c.width, e = c.projection
        var s: [(String, [Int])] = [("logit_scale", []), ("image.pos", [1, c.imageTokens, w]), ("image.cls", [1, 1, w])]
        for i in 0..<c.depth { s += BlockParameters.specs("image.blocks.\(i)", width: w, mlp: c.mlp) }
        s += [("image.ln.weight", [w]), ("image.ln.bias", [w]),
              ("image.patch.weight", [w, 1, c.patchSize, c.patchSize]), ("image.patch.bias", [w]),
              ("text.pos", [1, c.textLength, w])]
        for i in 0..<c.depth { s += BlockParameters.specs("text.blocks.\(i)", width: w, mlp: c.mlp) }
        s += [("text.ln.weight", [w]), ("text.ln.bias", [w]), ("text.tok.weight", [c.vocabSize, w])]
        for head in ["img_g", "img_l", "txt_g", "txt_l"] {
            s += ProjectionHead.specs(head, width: w, projection: e, hidden: c.projectionHidden,
                                      batchNorm: c.projectionNorm == .batch)
        }
        s += [("entity.weight", [c.concepts, e]), ("entity.bias", [c.concepts])]
        if let k = c.prototypes { s.append(("prototype.weight", [k, e])) }
        s += decoderSpecs(c)
        s += reportHeadSpecs(c)
        if c.graphAlignment == true { s.append(("cga.relation", [GraphAlignment.relationTypes, e])) }
        s += ImpressionDecoder.specs(c)
        return s
    }

    /// The buffers after every parameter: the BatchNorm heads' running statistics (`projectionNorm: batch`), in the
    /// order of PyTorch's `named_buffers()` (without `num_batches_tracked`).
    public static func bufferSpecs(_ c: ModelConfig) -> [(String, [Int])] {
        ["img_g", "img_l", "txt_g", "txt_l"].flatMap {
            ProjectionHead.bufferSpecs($0, projection: c.projection, hidden: c.projectionHidden,
                                       batchNorm: c.projectionNorm == .batch)
        }
    }

    /// Floats in a model's arena: its parameters and buffers (a checkpoint's parameter count).
    public static func arenaCount(_ c: ModelConfig) -> Int {
        (parameterSpecs(c) + bufferSpecs(c)).reduce(0) { $0 + $1.1.reduce(1, *) }
    }

    /// A model with PyTorch's default initialisation drawn from `seed`: Linear and Conv weights and biases
    /// `U(±1/√fan_in)`, LayerNorm and BatchNorm `1, 0` (running mean 0, variance 1), positions `N(0, 0.02²)`, token embeddings `N(0, 1)`, CLS 0,
    /// logit scale `log(1/τ₀)`.
    public init(config: ModelConfig, seed: UInt64) throws {
        try config.validate()
        self.config = config
        let arena = ParameterArena(Self.parameterSpecs(config), buffers: Self.bufferSpecs(config))
        self.arena = arena
        image = TransformerStack(arena, prefix: "image", config: config)
        text = TransformerStack(arena, prefix: "text", config: config)
        var o = HeadOffsets()
        func off(_ n: String) -> Int { arena.tensor(n).offset }
        o.logitScale = off("logit_scale"); o.imagePos = off("image.pos"); o.imageCLS = off("image.cls")
        o.patchWeight = off("image.patch.weight"); o.patchBias = off("image.patch.bias"); o.textPos = off("text.pos")
        o.tokens = off("text.tok.weight")
        let bn = config.projectionNorm == .batch
        imgG = ProjectionHead(arena, "img_g", hidden: config.projectionHidden, batchNorm: bn)
        imgL = ProjectionHead(arena, "img_l", hidden: config.projectionHidden, batchNorm: bn)
        txtG = ProjectionHead(arena, "txt_g", hidden: config.projectionHidden, batchNorm: bn)
        txtL = ProjectionHead(arena, "txt_l", hidden: config.projectionHidden, batchNorm: bn)
        o.entW = off("entity.weight"); o.entB = off("entity.bias")
        if config.prototypes != nil { o.prototypes = off("prototype.weight") }
        var q = DecoderOffsets()
        if let dc = config.decoderConfig {
            decoder = TransformerStack(arena, prefix: "mim", config: dc)
            q.maskToken = off("mim.mask_token"); q.pos = off("mim.pos"); q.embedW = off("mim.embed.weight")
            q.embedB = off("mim.embed.bias"); q.predW = off("mim.pred.weight"); q.predB = off("mim.pred.bias")
        } else {
            decoder = nil
        }
        decoderOffsets = q
        var r = ReportOffsets()
        if config.maskedReportHead == true { r.bias = off("mlm.bias"); r.condW = off("mlm.cond.weight"); r.condB = off("mlm.cond.bias") }
        reportOffsets = r
        impressionDecoder = ImpressionDecoder(arena, config: config)
        offsets = o
        initialize(seed: seed)
    }

    private func initialize(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let p = unsafe arena.params
        for t in arena.tensors {
            let dst = unsafe p + t.offset
            func fill(_ f: () -> Double) { for i in 0..<t.count { unsafe dst[i] = Float(f()) } }
            let name = t.name
            if name == "logit_scale" {
                unsafe dst[0] = logf(1 / config.initialTemperature)
            } else if name.hasSuffix(".pos") {
                fill { rng.normal() * 0.02 }
            } else if name == "image.cls" {
                fill { 0 }
            } else if name == "mlm.bias" || name == "gen.head.bias" {
                fill { 0 }
            } else if name == "mim.mask_token" || name == "gen.tok.weight" {
                fill { rng.normal() * 0.02 }
            } else if name == "text.tok.weight" {
                fill { rng.normal() }
            } else if name.contains(".ln") {
                fill { name.hasSuffix("weight") ? 1 : 0 }
            } else if name.hasSuffix(".running_mean") || name.hasSuffix(".running_var") {
                fill { name.hasSuffix("var") ? 1 : 0 }
            } else if config.projectionNorm == .batch,
                      ["img_g", "img_l", "txt_g", "txt_l"].contains(where: { name == "\($0).1.weight" || name == "\($0).1.bias" }) {
                fill { name.hasSuffix("weight") ? 1 : 0 }
            } else {
                // Linear / Conv: fan_in is the weight's size over its output dimension.
                let weightShape = arena.tensor(name.hasSuffix(".bias") ? String(name.dropLast(4)) + "weight" : name).shape
                let fanIn = weightShape.dropFirst().reduce(1, *)
                let bound = 1 / Double(fanIn).squareRoot()
                fill { (rng.nextUnitDouble() * 2 - 1) * bound }
            }
        }
    }

    // MARK: Forward and backward

    /// Checks a batch against the configuration: sizes, id range, mask values.
    public func validate(_ batch: TrainingBatch) throws {
        let c = config
        func need(_ ok: Bool, _ what: String) throws { if !ok { throw TrainError.invalidBatch(what) } }
        try need(batch.batchSize > 0, "empty batch")
        try need(batch.imageSize == c.imageSize, "image size \(batch.imageSize) but model \(c.name) expects \(c.imageSize)")
        try need(batch.textLength == c.textLength, "text length \(batch.textLength) but model \(c.name) expects \(c.textLength)")
        try need(batch.conceptCount == c.concepts, "\(batch.conceptCount) concepts but model \(c.name) expects \(c.concepts)")
        for (field, ids) in [("impression", batch.impressionIDs), ("findings", batch.findingsIDs)] {
            if let bad = ids.firstIndex(where: { $0 < 0 || Int($0) >= c.vocabSize }) {
                throw TrainError.invalidBatch("\(field) token id \(ids[bad]) at sample \(bad / c.textLength), position \(bad % c.textLength) is outside the vocabulary 0..<\(c.vocabSize)")
            }
        }
        for (field, m) in [("impression", batch.impressionMask), ("findings", batch.findingsMask)] {
            try need(m.allSatisfy { $0 == 0 || $0 == 1 }, "\(field) mask holds values other than 0 and 1")
        }
        try need(batch.images.allSatisfy { $0.isFinite }, "images hold non-finite values")
    }

    func activations(batch b: Int) -> ModelActivations {
        if let a = acts, a.batch == b { return a }
        acts = nil  // free before allocating the new size
        let a = ModelActivations(batch: b, config: config)
        acts = a
        return a
    }

    /// Forward through the encoders and the weighted losses; the losses' input gradients are kept for `backward`.
    /// Encoders whose outputs no active loss uses are skipped.
    @discardableResult
    public func forward(_ batch: TrainingBatch, weights: LossWeights) throws -> LossBreakdown {
        try validate(batch)
        if weights.prototype != 0 && config.prototypes == nil {
            throw TrainError.invalidConfig("the prototype objective needs a model with prototypes (model \(config.name) has none)")
        }
        if weights.mlm != 0 && (config.maskedReportHead != true || weights.mim == 0) {
            throw TrainError.invalidConfig("masked report modelling needs a model with maskedReportHead and the mim objective on (its visible image tokens condition the text)")
        }
        if weights.mim != 0 && config.maskedImageDecoder == nil {
            throw TrainError.invalidConfig("masked image modelling needs a model with a maskedImageDecoder (model \(config.name) has none)")
        }
        if weights.mim != 0 && config.targetScale > 1 {
            let side = config.targetScale * config.imageSize
            guard batch.targetScale == config.targetScale, batch.targetImages.count == batch.batchSize * side * side else {
                throw TrainError.invalidBatch("model \(config.name) reconstructs \(side)×\(side) targets "
                    + "(maskedImageTargetScale \(config.targetScale)) but the batch has target scale \(batch.targetScale) "
                    + "and \(batch.targetImages.count) target values; load it with LoaderOptions.targetScale "
                    + "\(config.targetScale)")
            }
            guard batch.targetImages.allSatisfy({ $0.isFinite }) else { throw TrainError.invalidBatch("target images hold non-finite values") }
        }
        try checkGraphAlignment(batch, weights: weights)
        try checkGeneration(weights)
        let a = activations(batch: batch.batchSize)
        a.weights = weights
        return unsafe forwardValidated(batch, a)
    }

    /// Which encoder runs and heads the active objectives need.
    struct Plan {
        var instance: Bool, findings: Bool, patches: Bool
        /// The whole image through the encoder (every objective but MRM's, which see the masked image only).
        var image: Bool
        init(_ w: LossWeights, _ s: ObjectiveSettings, eval: Bool) {
            instance = w.global != 0 || w.prototype != 0 || eval
            patches = w.local != 0 || w.token != 0 || w.graphAlignment
            findings = patches || (instance && s.instanceText == .findings) || w.summary != 0 || w.distill != 0
            image = instance || patches || w.graph != 0 || w.generation
        }
    }

    @unsafe
    private func forwardValidated(_ batch: TrainingBatch, _ a: ModelActivations) -> LossBreakdown {
        let c = config, b = batch.batchSize, w = unsafe arena.params, o = offsets
        let cw = c.width, e = c.projection, ni = c.imageTokens, np = c.patchCount, t = c.textLength
        let weights = a.weights
        let plan = Plan(weights, objectives, eval: a.encodeTextForEval)
        // BatchNorm heads normalize by their batch's statistics in training, by the running ones in evaluation.
        let training = !a.encodeTextForEval
        // Image encoder: patches, CLS, positions, blocks.
        unsafe embedPatches(batch.images, a, batch: b)
        var result = LossBreakdown(total: 0, global: 0, local: 0, graph: 0)
        guard plan.image else {
            // Only MRM's objectives: the encoder sees the masked image alone.
            if weights.mim != 0 { result.mim = unsafe mimForward(a, batch: batch) }
            if weights.mlm != 0 { result.mlm = unsafe mlmForward(a, batch: batch) }
            result.total = Double(weights.mim) * result.mim + Double(weights.mlm) * result.mlm
            a.batchForBackward = batch
            return result
        }
        unsafe encodePatches(a, batch: b)
        let vi = unsafe a.image.out
        // Image heads: global projection of CLS (rows ni·C apart), local projection of every token.
        unsafe imgG.forward(out: a.ig, inp: vi, params: w, rows: b, inDim: cw, outDim: e, inStride: ni * cw, saved: a.igHead,
                            training: training)
        unsafe Normalize.forward(out: a.ign, norm: a.igNorm, inp: a.ig, rows: b, dim: e)
        if weights.graph != 0 {
            unsafe Linear.forward(out: a.entityLogits, inp: a.ig, weight: w + o.entW, bias: w + o.entB, rows: b, inDim: e,
                                  outDim: c.concepts)
            result.graph = unsafe batch.concepts.withUnsafeBufferPointer { y in
                unsafe Losses.binaryCrossEntropyWithLogits(logits: a.entityLogits, targets: y.baseAddress!,
                                                           count: b * c.concepts, dlogits: a.dlogits, weight: weights.graph)
            }
        }
        if plan.findings {
            a.findingsText = TextInput.trimmed(ids: batch.findingsIDs, mask: batch.findingsMask, batch: b, length: t,
                                               trim: trimPadding)
            unsafe encodeText(a.findingsText, into: a.findings, batch: b)
        }
        if plan.instance {
            switch objectives.instanceText {
            case .impression, .both:
                if objectives.instanceText == .impression {
                    a.impressionText = TextInput.trimmed(ids: batch.impressionIDs, mask: batch.impressionMask, batch: b,
                                                         length: t, trim: trimPadding)
                } else {
                    let j = TextInput.joined(first: (batch.findingsIDs, batch.findingsMask),
                                             second: (batch.impressionIDs, batch.impressionMask), batch: b, length: t)
                    a.impressionText = TextInput.trimmed(ids: j.ids, mask: j.mask, batch: b, length: t, trim: trimPadding)
                }
                unsafe encodeText(a.impressionText, into: a.impression, batch: b)
                // The impression stack keeps only its CLS rows, compact (B, C).
                unsafe txtG.forward(out: a.tg, inp: a.impression.out, params: w, rows: b, inDim: cw, outDim: e,
                                    saved: a.tgHead, training: training)
            case .findings:
                unsafe txtG.forward(out: a.tg, inp: a.findings.out, params: w, rows: b, inDim: cw, outDim: e,
                                    inStride: a.findingsText.length * cw, saved: a.tgHead, training: training)
            }
            unsafe Normalize.forward(out: a.tgn, norm: a.tgNorm, inp: a.tg, rows: b, dim: e)
        }
        if weights.global != 0 {
            let r = unsafe objectives.instance.forward(image: a.ign, text: a.tgn, logitScale: w[o.logitScale],
                                                       maxScale: c.maxLogitScale, batch: b, dim: e,
                                                       dimage: a.dign, dtext: a.dtgn, weight: weights.global)
            result.global = r.loss
            a.dLogitScale = r.dLogitScale
        }
        if weights.prototype != 0, let k = c.prototypes {
            if weights.global == 0 {
                unsafe a.dign.update(repeating: 0, count: b * e)
                unsafe a.dtgn.update(repeating: 0, count: b * e)
            }
            // MGCA re-normalizes the prototypes in place before every step.
            unsafe PrototypeAlignment.normalizeRows(w + o.prototypes, count: k, dim: e)
            unsafe a.dprototypes.update(repeating: 0, count: k * e)
            result.prototype = unsafe objectives.prototype.forward(
                image: a.ign, text: a.tgn, prototypes: w + o.prototypes, batch: b, prototypes: k, dim: e,
                dimage: a.dign, dtext: a.dtgn, dprototypes: a.dprototypes, weight: weights.prototype)
        }
        if plan.patches {
            // BatchNorm statistics over the patch rows (not the CLS rows, which no local objective reads).
            let patchRows = imgL.batchNorm ? (0..<(b * ni)).map { Float($0 % ni == 0 ? 0 : 1) } : nil
            unsafe imgL.forward(out: a.pl, inp: vi, params: w, rows: b * ni, inDim: cw, outDim: e, saved: a.plHead,
                                valid: patchRows, training: training)
            unsafe Normalize.forward(out: a.pn, norm: a.pnNorm, inp: a.pl, rows: b * ni, dim: e)
            unsafe a.dpn.update(repeating: 0, count: b * ni * e)
        }
        if weights.local != 0 {
            let ft = a.findingsText.length
            // BatchNorm statistics over the real tokens after CLS (the rows the local objective reads).
            var tokenRows: [Float]?
            if txtL.batchNorm {
                var m = a.findingsText.mask
                for bi in 0..<b { m[bi * ft] = 0 }
                tokenRows = m
            }
            unsafe txtL.forward(out: a.tl, inp: a.findings.out, params: w, rows: b * ft, inDim: cw, outDim: e,
                                saved: a.tlHead, valid: tokenRows, training: training)
            unsafe Normalize.forward(out: a.tn, norm: a.tnNorm, inp: a.tl, rows: b * ft, dim: e)
            // Token rows 1..<T (CLS excluded) against patch rows 1..<Ni; row 0 of each sample gets no gradient.
            unsafe a.dtn.update(repeating: 0, count: b * ft * e)
            result.local = unsafe a.findingsText.mask.withUnsafeBufferPointer { m in
                unsafe Losses.localAlignment(
                    tokens: a.tn + e, tokenStride: ft * e, valid: m.baseAddress! + 1, validStride: ft,
                    patches: a.pn + e, patchStride: ni * e, batch: b, tokenCount: ft - 1, patchCount: np, dim: e,
                    temperature: c.localTemperature, dtokens: a.dtn + e, dpatches: a.dpn + e, weight: weights.local)
            }
        }
        if weights.token != 0 {
            result.token = unsafe tokenForward(a, batch: b)
        }
        if weights.graphAlignment {
            unsafe graphForward(a, batch: batch, result: &result)
        }
        if weights.mim != 0 {
            result.mim = unsafe mimForward(a, batch: batch)
        }
        if weights.mlm != 0 {
            result.mlm = unsafe mlmForward(a, batch: batch)
        }
        result.total = Double(weights.global) * result.global + Double(weights.local) * result.local
            + Double(weights.graph) * result.graph
        if weights.token != 0 { result.total += Double(weights.token) * result.token }
        if weights.prototype != 0 { result.total += Double(weights.prototype) * result.prototype }
        if weights.mim != 0 { result.total += Double(weights.mim) * result.mim }
        if weights.mlm != 0 { result.total += Double(weights.mlm) * result.mlm }
        if weights.graphAlignment { result.total += graphState.weightedTotal(weights, result) }
        if weights.generation { unsafe generationForward(a, batch: batch, result: &result) }
        a.batchForBackward = batch
        return result
    }

    /// MGCA's token level on the findings run: pieces pooled into words, projected and normalized, weighted by the
    /// last layers' CLS attention; `dwn` and `dpnTok` get the gradients (the latter is added into `dpn`).
    @unsafe
    private func tokenForward(_ a: ModelActivations, batch b: Int) -> Double {
        let c = config, w = unsafe arena.params, cw = c.width, e = c.projection
        let ni = c.imageTokens, np = c.patchCount, h = c.heads, last = c.depth - 1
        let ft = a.findingsText.length
        let seg = words.wordIndex(ids: a.findingsText.ids, mask: a.findingsText.mask, batch: b, length: ft)
        a.wordIndex = seg.index
        unsafe seg.index.withUnsafeBufferPointer { ip in
            unsafe SegmentPooling.forward(out: a.pooled, inp: a.findings.out, index: ip.baseAddress!, batch: b, tokens: ft,
                                          segments: ft, dim: cw)
        }
        var wordValid = [Float](repeating: 0, count: b * ft)
        for bi in 0..<b { for s in 0..<seg.words[bi] { wordValid[bi * ft + s] = 1 } }
        unsafe txtL.forward(out: a.wl, inp: a.pooled, params: w, rows: b * ft, inDim: cw, outDim: e, saved: a.wlHead,
                            valid: txtL.batchNorm ? wordValid : nil)
        unsafe Normalize.forward(out: a.wn, norm: a.wnNorm, inp: a.wl, rows: b * ft, dim: e)
        // Last-layer CLS attention, the mean over heads: text (B, ft) over tokens, image (B, P) over patches.
        var textCLS = [Float](repeating: 0, count: b * ft), imageCLS = [Float](repeating: 0, count: b * np)
        let ta = unsafe a.findings.att[last], ia = unsafe a.image.att[last]
        for bi in 0..<b {
            for hi in 0..<h {
                let trow = unsafe ta + (bi * h + hi) * ft * ft, irow = unsafe ia + (bi * h + hi) * ni * ni
                for j in 0..<ft { textCLS[bi * ft + j] += unsafe trow[j] / Float(h) }
                for p in 0..<np { imageCLS[bi * np + p] += unsafe irow[1 + p] / Float(h) }
            }
        }
        let wordAtt = TokenAlignment.wordAttention(textCLS, wordIndex: seg.index, batch: b, tokens: ft, words: ft)
        let r = unsafe TokenAlignment(temperature: c.localTemperature).forward(
            words: a.wn, wordValid: wordValid, wordAttention: wordAtt, patches: a.pn + e, patchStride: ni * e,
            patchAttention: imageCLS, batch: b, words: ft, patches: np, dim: e, dwords: a.dwn, dpatches: a.dpnTok + e,
            weight: a.weights.token)
        for bi in 0..<b {
            for i in 0..<(np * e) { unsafe a.dpn[bi * ni * e + e + i] += a.dpnTok[bi * ni * e + e + i] }
        }
        return r.loss
    }

    @unsafe
    private func encodeText(_ input: TextInput, into acts: StackActivations, batch b: Int) {
        let w = unsafe arena.params
        acts.tokens = input.length
        unsafe input.ids.withUnsafeBufferPointer { ip in
            unsafe Embedding.forward(out: acts.resid[0], ids: ip.baseAddress!, table: w + offsets.tokens,
                                     pos: w + offsets.textPos, batch: b, tokens: input.length, dim: config.width)
        }
        unsafe input.mask.withUnsafeBufferPointer { mp in
            unsafe text.forward(acts, params: w, keyMask: mp.baseAddress!)
        }
    }

    /// Backward of the last `forward`: accumulates every parameter's gradient into the arena's gradient slab.
    public func backward() {
        guard let a = acts, let batch = a.batchForBackward else { preconditionFailure("backward() needs a forward() first") }
        unsafe backward(batch, a)
    }

    @unsafe
    private func backward(_ batch: TrainingBatch, _ a: ModelActivations) {
        let c = config, b = batch.batchSize, w = unsafe arena.params, g = unsafe arena.grads, o = offsets
        let cw = c.width, e = c.projection, ni = c.imageTokens
        let weights = a.weights
        let plan = Plan(weights, objectives, eval: false)
        if weights.mlm != 0 { unsafe mlmBackward(a, batch: b) }
        if weights.mim != 0 { unsafe mimBackward(a, batch: b, report: weights.mlm != 0) }
        guard plan.image else { return }
        // Gradient of the raw image CLS projection `ig`: from the entity head and through the normalization.
        unsafe a.dig.update(repeating: 0, count: b * e)
        if weights.graph != 0 {
            unsafe Linear.backward(dinp: a.dig, dweight: g + o.entW, dbias: g + o.entB, dout: a.dlogits, inp: a.ig,
                                   weight: w + o.entW, rows: b, inDim: e, outDim: c.concepts)
        }
        if weights.prototype != 0, let k = c.prototypes {
            for i in 0..<(k * e) { unsafe g[o.prototypes + i] += a.dprototypes[i] }
        }
        if plan.instance {
            unsafe Normalize.backward(dinp: a.dig, dout: a.dign, out: a.ign, norm: a.igNorm, rows: b, dim: e, accumulate: true)
            if weights.global != 0 { unsafe g[o.logitScale] += a.dLogitScale }
            // Report encoder: the impression stack (impression or joined text) now; the findings run below.
            unsafe Normalize.backward(dinp: a.dtg, dout: a.dtgn, out: a.tgn, norm: a.tgNorm, rows: b, dim: e)
            if objectives.instanceText != .findings {
                unsafe txtG.backward(dinp: a.dvt, dout: a.dtg, inp: a.impression.out, params: w, grads: g, rows: b,
                                     inDim: cw, outDim: e, saved: a.tgHead, scratch: a.dhead)
                unsafe backwardText(a.impressionText.ids, a.impression, dout: a.dvt, a: a)
            }
        }
        // Image encoder output gradient `dvi`.
        if plan.patches {
            unsafe Normalize.backward(dinp: a.dpl, dout: a.dpn, out: a.pn, norm: a.pnNorm, rows: b * ni, dim: e)
            unsafe imgL.backward(dinp: a.dvi, dout: a.dpl, inp: a.image.out, params: w, grads: g, rows: b * ni, inDim: cw,
                                 outDim: e, saved: a.plHead, scratch: a.dhead)
        } else {
            unsafe a.dvi.update(repeating: 0, count: b * ni * cw)
        }
        unsafe imgG.backward(dinp: a.dvi, dout: a.dig, inp: a.image.out, params: w, grads: g, rows: b, inDim: cw, outDim: e,
                             inStride: ni * cw, accumulateInput: true, saved: a.igHead, scratch: a.dhead)
        unsafe captionBackward(a)
        unsafe backwardImage(a, batch: b)
        // Findings encoder: the sum of the local, token-level and (findings) instance gradients of its output.
        guard plan.findings else { return }
        let ft = a.findingsText.length
        var started = false
        if weights.local != 0 {
            unsafe Normalize.backward(dinp: a.dtl, dout: a.dtn, out: a.tn, norm: a.tnNorm, rows: b * ft, dim: e)
            unsafe txtL.backward(dinp: a.dvt, dout: a.dtl, inp: a.findings.out, params: w, grads: g, rows: b * ft,
                                 inDim: cw, outDim: e, saved: a.tlHead, scratch: a.dhead)
            started = true
        }
        if weights.token != 0 {
            unsafe Normalize.backward(dinp: a.dwl, dout: a.dwn, out: a.wn, norm: a.wnNorm, rows: b * ft, dim: e)
            unsafe txtL.backward(dinp: a.dpooled, dout: a.dwl, inp: a.pooled, params: w, grads: g, rows: b * ft,
                                 inDim: cw, outDim: e, saved: a.wlHead, scratch: a.dhead)
            unsafe a.wordIndex.withUnsafeBufferPointer { ip in
                unsafe SegmentPooling.backward(dinp: a.dvt, dout: a.dpooled, index: ip.baseAddress!, batch: b, tokens: ft,
                                               segments: ft, dim: cw, accumulate: started)
            }
            started = true
        }
        if plan.instance && objectives.instanceText == .findings {
            // The report embedding is the findings run's CLS row: its gradient lands on rows ft·C apart.
            if !started { unsafe a.dvt.update(repeating: 0, count: b * ft * cw) }
            unsafe txtG.backward(dinp: a.dvt, dout: a.dtg, inp: a.findings.out, params: w, grads: g, rows: b, inDim: cw,
                                 outDim: e, inStride: ft * cw, accumulateInput: true, saved: a.tgHead, scratch: a.dhead)
            started = true
        }
        if unsafe summaryBackward(a, accumulate: started) { started = true }
        if weights.graphAlignment { started = unsafe graphBackward(a, batch: b, accumulate: started) || started }
        if started { unsafe backwardText(a.findingsText.ids, a.findings, dout: a.dvt, a: a) }
    }

    @unsafe
    private func backwardText(_ ids: [Int32], _ acts: StackActivations, dout: UnsafePointer<Float>, a: ModelActivations) {
        let w = unsafe arena.params, g = unsafe arena.grads
        unsafe text.backward(acts, dout: dout, params: w, grads: g, scratch: a.scratch)
        unsafe ids.withUnsafeBufferPointer { ip in
            unsafe Embedding.backward(dtable: g + offsets.tokens, dpos: g + offsets.textPos, dout: a.scratch.dresid,
                                      ids: ip.baseAddress!, batch: acts.batch, tokens: acts.tokens, dim: config.width)
        }
    }

    // MARK: The image encoder alone

    /// Patch embedding of `images (B, 1, S, S)`: `a.cols` and `a.patchOut (B, P, C)`.
    @unsafe
    func embedPatches(_ images: [Float], _ a: ModelActivations, batch b: Int) {
        let c = config, w = unsafe arena.params, o = offsets
        unsafe images.withUnsafeBufferPointer { img in
            unsafe PatchEmbedding.im2col(cols: a.cols, image: img.baseAddress!, batch: b, size: c.imageSize, patch: c.patchSize)
        }
        unsafe Linear.forward(out: a.patchOut, inp: a.cols, weight: w + o.patchWeight, bias: w + o.patchBias,
                              rows: b * c.patchCount, inDim: c.patchSize * c.patchSize, outDim: c.width)
    }

    /// CLS and positions added to the embedded patches, then the image stack: `a.image.out (B, Ni, C)`.
    @unsafe
    func encodePatches(_ a: ModelActivations, batch b: Int) {
        let w = unsafe arena.params, o = offsets, cw = config.width, ni = config.imageTokens, np = config.patchCount
        let x0 = unsafe a.image.resid[0]
        for bi in 0..<b {
            for k in 0..<cw { unsafe x0[bi * ni * cw + k] = w[o.imageCLS + k] + w[o.imagePos + k] }
            for p in 0..<np {
                let dst = unsafe x0 + (bi * ni + 1 + p) * cw, src = unsafe a.patchOut + (bi * np + p) * cw
                let pos = unsafe w + o.imagePos + (1 + p) * cw
                for k in 0..<cw { unsafe dst[k] = src[k] + pos[k] }
            }
        }
        unsafe image.forward(a.image, params: w, keyMask: nil)
    }

    /// Backward of the image stack from `a.dvi (B, Ni, C)`, the gradient of its output, through the positions, CLS
    /// and patch embedding; accumulates into the arena's gradients.
    @unsafe
    func backwardImage(_ a: ModelActivations, batch b: Int) {
        let c = config, w = unsafe arena.params, g = unsafe arena.grads, o = offsets
        let cw = c.width, ni = c.imageTokens, np = c.patchCount
        unsafe image.backward(a.image, dout: a.dvi, params: w, grads: g, scratch: a.scratch)
        // Patch embedding, CLS and positions.
        let dx0 = unsafe a.scratch.dresid
        for bi in 0..<b {
            for k in 0..<cw {
                let d = unsafe dx0[bi * ni * cw + k]
                unsafe g[o.imageCLS + k] += d
            }
            for p in 0..<np {
                let src = unsafe dx0 + (bi * ni + 1 + p) * cw, dst = unsafe a.dpatchOut + (bi * np + p) * cw
                for k in 0..<cw { unsafe dst[k] = src[k] }
            }
        }
        for bi in 0..<b { for k in 0..<(ni * cw) { unsafe g[o.imagePos + k] += dx0[bi * ni * cw + k] } }
        unsafe Linear.backward(dinp: nil, dweight: g + o.patchWeight, dbias: g + o.patchBias, dout: a.dpatchOut, inp: a.cols,
                               weight: w + o.patchWeight, rows: b * np, inDim: c.patchSize * c.patchSize, outDim: cw)
    }

    // MARK: Embeddings for evaluation

    /// L2-normalized global embeddings `(B, E)` of the images and of the impressions of `batch`.
    public func embed(_ batch: TrainingBatch) throws -> (image: [Float], text: [Float]) {
        try validate(batch)
        let a = activations(batch: batch.batchSize)
        a.weights = LossWeights(global: 0, local: 0, graph: 0)
        a.encodeTextForEval = true
        defer { a.encodeTextForEval = false }
        _ = unsafe forwardValidated(batch, a)
        let n = batch.batchSize * config.projection
        return unsafe (Array(UnsafeBufferPointer(start: a.ign, count: n)), Array(UnsafeBufferPointer(start: a.tgn, count: n)))
    }
}
