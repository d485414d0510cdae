import CarinaLoader
import CarinaTensor
import Foundation

/// Masked report modelling on the dual encoder (see `MaskedReportModelling`).
extension DualEncoder {
    /// Parameter specs of the report head, in the order of a PyTorch module holding `bias`, then `cond`.
    static func reportHeadSpecs(_ c: ModelConfig) -> [(String, [Int])] {
        guard c.maskedReportHead == true else { return [] }
        return [("mlm.bias", [c.vocabSize]), ("mlm.cond.weight", [c.width, c.width]), ("mlm.cond.bias", [c.width])]
    }

    /// Forward of masked report modelling; needs `mimForward` to have run (its visible tokens condition the text).
    @unsafe
    func mlmForward(_ a: ModelActivations, batch: TrainingBatch) -> Double {
        guard let mim = a.mim, let m = a.mlm else { return 0 }
        let c = config, b = batch.batchSize, w = unsafe arena.params, cw = c.width, v = c.vocabSize
        let o = offsets, rp = reportOffsets
        let j = TextInput.joined(first: (batch.findingsIDs, batch.findingsMask),
                                 second: (batch.impressionIDs, batch.impressionMask), batch: b, length: c.textLength)
        let text = TextInput.trimmed(ids: j.ids, mask: j.mask, batch: b, length: c.textLength, trim: trimPadding)
        let n = text.length
        var ids = text.ids
        var positions = [Int](), labels = [Int32]()
        if let override = maskedReportOverride {
            for bi in 0..<b {
                for t in 0..<n where override[bi * c.textLength + t] == objectives.maskTokenID && ids[bi * n + t] != objectives.maskTokenID {
                    positions.append(bi * n + t)
                    labels.append(ids[bi * n + t])
                    ids[bi * n + t] = objectives.maskTokenID
                }
            }
        } else {
            let seg = words.wordIndex(ids: text.ids, mask: text.mask, batch: b, length: n)
            let chosen = MaskedReportModelling.maskedWords(seed: maskSeed ^ 0x4D4C_4D00, words: seg.words,
                                                           ratio: objectives.wordMaskRatio)
            for bi in 0..<b {
                let set = Set(chosen[bi])
                for t in 0..<n where seg.index[bi * n + t] >= 0 && set.contains(Int(seg.index[bi * n + t])) {
                    positions.append(bi * n + t)
                    labels.append(ids[bi * n + t])
                    ids[bi * n + t] = objectives.maskTokenID
                }
            }
        }
        m.text.tokens = n
        m.ids = ids
        m.mask = text.mask
        m.positions = positions
        m.labels = labels
        // Conditioning: the mean of the visible patch tokens, projected, added to every token embedding.
        let keep = mim.keep, ne = 1 + keep
        unsafe m.pooled.update(repeating: 0, count: b * cw)
        for bi in 0..<b {
            for jx in 1..<ne {
                for k in 0..<cw { unsafe m.pooled[bi * cw + k] += mim.encoder.out[(bi * ne + jx) * cw + k] / Float(keep) }
            }
        }
        unsafe Linear.forward(out: m.cond, inp: m.pooled, weight: w + rp.condW, bias: w + rp.condB, rows: b, inDim: cw, outDim: cw)
        unsafe ids.withUnsafeBufferPointer { ip in
            unsafe Embedding.forward(out: m.text.resid[0], ids: ip.baseAddress!, table: w + o.tokens, pos: w + o.textPos,
                                     batch: b, tokens: n, dim: cw)
        }
        for bi in 0..<b {
            for t in 0..<n { for k in 0..<cw { unsafe m.text.resid[0][(bi * n + t) * cw + k] += m.cond[bi * cw + k] } }
        }
        unsafe text.mask.withUnsafeBufferPointer { mp in
            unsafe self.text.forward(m.text, params: w, keyMask: mp.baseAddress!)
        }
        let count = positions.count
        guard count > 0 else { m.hidden = []; return 0 }
        // Tied head on the masked rows: logits (M, V) = h · Eᵀ + bias; they become their gradient in place.
        m.hidden = [Float](repeating: 0, count: count * cw)
        for (i, p) in positions.enumerated() { for k in 0..<cw { m.hidden[i * cw + k] = unsafe m.text.out[p * cw + k] } }
        m.reserveLogits(count * v)
        var loss = 0.0
        let scale = a.weights.mlm / Float(count)
        unsafe m.hidden.withUnsafeBufferPointer { hp in
            do {
                let lg = unsafe m.logits
                let h = hp.baseAddress!
                // Rows split across the threads, each one single-threaded sgemm (as `Linear`).
                Parallel.forRanges(count, minimumPerPart: 16) { r0, r1 in
                    for i in r0..<r1 { for x in 0..<v { unsafe lg[i * v + x] = w[rp.bias + x] } }
                    unsafe BLAS.sgemm(transA: false, transB: true, m: r1 - r0, n: v, k: cw, a: h + r0 * cw, lda: cw,
                                      b: w + o.tokens, ldb: cw, beta: 1, c: lg + r0 * v, ldc: v)
                }
                loss = unsafe labels.withUnsafeBufferPointer { lb in
                    unsafe Losses.softmaxCrossEntropy(logits: lg, labels: lb.baseAddress!, rows: count, classes: v, scale: scale)
                }
            }
        }
        return loss / Double(count)
    }

    /// Backward of `mlmForward` (before `mimBackward`, which adds `dvisibleExtra` into the visible tokens' gradient).
    @unsafe
    func mlmBackward(_ a: ModelActivations, batch b: Int) {
        guard let m = a.mlm, let mim = a.mim else { return }
        let c = config, w = unsafe arena.params, g = unsafe arena.grads, cw = c.width, v = c.vocabSize
        let o = offsets, r = reportOffsets, n = m.text.tokens, count = m.positions.count
        unsafe m.dout.update(repeating: 0, count: b * n * cw)
        if count > 0 {
            var dh = [Float](repeating: 0, count: count * cw)
            do {
                let lp = unsafe UnsafeBufferPointer(start: m.logits, count: count * v)
                unsafe m.hidden.withUnsafeBufferPointer { hp in
                    unsafe dh.withUnsafeMutableBufferPointer { dp in
                        let lg = lp.baseAddress!, h = hp.baseAddress!, d = dp.baseAddress!
                        // dh = dlogits · E split by rows; dE += dlogitsᵀ · h and the bias split by vocabulary rows,
                        // so no two threads write the same row.
                        Parallel.forRanges(count, minimumPerPart: 16) { r0, r1 in
                            unsafe BLAS.sgemm(transA: false, transB: false, m: r1 - r0, n: cw, k: v, a: lg + r0 * v, lda: v,
                                              b: w + o.tokens, ldb: cw, beta: 0, c: d + r0 * cw, ldc: cw)
                        }
                        Parallel.forRanges(v, minimumPerPart: 256) { v0, v1 in
                            unsafe BLAS.sgemm(transA: true, transB: false, m: v1 - v0, n: cw, k: count, a: lg + v0, lda: v,
                                              b: h, ldb: cw, beta: 1, c: g + o.tokens + v0 * cw, ldc: cw)
                            for i in 0..<count { for x in v0..<v1 { unsafe g[r.bias + x] += lg[i * v + x] } }
                        }
                    }
                }
            }
            for (i, p) in m.positions.enumerated() { for k in 0..<cw { unsafe m.dout[p * cw + k] = dh[i * cw + k] } }
        }
        unsafe text.backward(m.text, dout: m.dout, params: w, grads: g, scratch: a.scratch)
        let dx = unsafe a.scratch.dresid
        unsafe m.ids.withUnsafeBufferPointer { ip in
            unsafe Embedding.backward(dtable: g + o.tokens, dpos: g + o.textPos, dout: dx, ids: ip.baseAddress!,
                                      batch: b, tokens: n, dim: cw)
        }
        unsafe m.dcond.update(repeating: 0, count: b * cw)
        for bi in 0..<b { for t in 0..<n { for k in 0..<cw { unsafe m.dcond[bi * cw + k] += dx[(bi * n + t) * cw + k] } } }
        unsafe Linear.backward(dinp: m.dpooled, dweight: g + r.condW, dbias: g + r.condB, dout: m.dcond, inp: m.pooled,
                               weight: w + r.condW, rows: b, inDim: cw, outDim: cw)
        let keep = mim.keep
        for i in 0..<(b * cw) { unsafe m.dpooled[i] /= Float(keep) }
    }
}

/// The activations of masked report modelling for one batch size.
@safe final class MLMActivations {
    let text: StackActivations
    let pooled, cond, dcond, dpooled, dout: UnsafeMutablePointer<Float>
    var ids: [Int32] = [], mask: [Float] = [], positions: [Int] = [], labels: [Int32] = []
    var hidden: [Float] = []
    /// The logits `(M, V)` of the masked positions, then their gradient; kept across steps (grown when needed), so a
    /// step neither allocates nor zero-fills its largest buffer.
    private(set) var logits: UnsafeMutablePointer<Float>
    private var logitsCapacity = 0

    func reserveLogits(_ n: Int) {
        guard n > logitsCapacity else { return }
        unsafe logits.deallocate()
        unsafe logits = .allocate(capacity: n)
        logitsCapacity = n
    }

    deinit { unsafe logits.deallocate() }

    init(_ buffer: ActivationBuffer, batch b: Int, config c: ModelConfig) {
        let t = c.textLength, cw = c.width
        text = StackActivations(buffer, batch: b, tokens: t, config: c)
        unsafe pooled = unsafe buffer.take(b * cw); unsafe cond = unsafe buffer.take(b * cw)
        unsafe dcond = unsafe buffer.take(b * cw); unsafe dpooled = unsafe buffer.take(b * cw)
        unsafe dout = unsafe buffer.take(b * t * cw)
        unsafe logits = .allocate(capacity: 1)
    }
}
