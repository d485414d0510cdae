import CarinaLoader
import CarinaTensor

/// Masked image modelling on the dual encoder (see `MaskedImageModelling`).
extension DualEncoder {
    /// Parameter specs of the decoder, in the order of a PyTorch module holding `mask_token`, `pos`, then `embed`,
    /// `blocks`, `ln`, `pred` (its own parameters before its submodules').
    static func decoderSpecs(_ c: ModelConfig) -> [(String, [Int])] {
        guard let d = c.maskedImageDecoder else { return [] }
        var s: [(String, [Int])] = [("mim.mask_token", [1, 1, d.width]), ("mim.pos", [1, c.imageTokens, d.width]),
                                    ("mim.embed.weight", [d.width, c.width]), ("mim.embed.bias", [d.width])]
        for i in 0..<d.depth { s += BlockParameters.specs("mim.blocks.\(i)", width: d.width, mlp: d.mlp) }
        let out = c.targetScale * c.targetScale * c.patchSize * c.patchSize
        s += [("mim.ln.weight", [d.width]), ("mim.ln.bias", [d.width]),
              ("mim.pred.weight", [out, d.width]), ("mim.pred.bias", [out])]
        return s
    }

    struct DecoderOffsets {
        var maskToken = 0, pos = 0, embedW = 0, embedB = 0, predW = 0, predB = 0
    }

    /// Forward of the masked image modelling loss (the full image's patch embeddings `a.patchOut` and pixel
    /// columns `a.cols` are already computed); keeps what `mimBackward` needs. The target is the input image's
    /// patches, or with a target scale `R` the `(R·p)²` patches of the batch's `targetImages` (MRM's
    /// higher-resolution target).
    @unsafe
    func mimForward(_ a: ModelActivations, batch: TrainingBatch) -> Double {
        guard let dc = config.decoderConfig, let dec = decoder, let mim = a.mim else { return 0 }
        let c = config, w = unsafe arena.params, o = offsets, q = decoderOffsets, b = batch.batchSize
        let cw = c.width, dw = dc.width, ni = c.imageTokens, np = c.patchCount, r = c.targetScale
        let pp = r * r * c.patchSize * c.patchSize
        let keep = MaskedImageModelling.keepCount(patches: np, ratio: objectives.maskRatio)
        let visible = visiblePatchOverride ?? MaskedImageModelling.visiblePatches(seed: maskSeed, batch: b, patches: np, keep: keep)
        precondition(visible.count == b * keep, "visible patches must be (B, \(keep))")
        mim.visible = visible
        mim.keep = keep
        var masked = [Float](repeating: 1, count: b * np)
        for bi in 0..<b { for j in 0..<keep { masked[bi * np + visible[bi * keep + j]] = 0 } }
        mim.masked = masked
        // Encoder on CLS and the visible patches, each with its own position.
        let n = 1 + keep
        mim.encoder.tokens = n
        let x0 = unsafe mim.encoder.resid[0]
        for bi in 0..<b {
            for k in 0..<cw { unsafe x0[bi * n * cw + k] = w[o.imageCLS + k] + w[o.imagePos + k] }
            for j in 0..<keep {
                let p = visible[bi * keep + j]
                let dst = unsafe x0 + (bi * n + 1 + j) * cw, src = unsafe a.patchOut + (bi * np + p) * cw
                let pos = unsafe w + o.imagePos + (1 + p) * cw
                for k in 0..<cw { unsafe dst[k] = src[k] + pos[k] }
            }
        }
        unsafe image.forward(mim.encoder, params: w, keyMask: nil)
        // Decoder: embed, mask tokens at the masked positions, positions, blocks, prediction.
        unsafe Linear.forward(out: mim.embedded, inp: mim.encoder.out, weight: w + q.embedW, bias: w + q.embedB,
                              rows: b * n, inDim: cw, outDim: dw)
        let d0 = unsafe mim.decoder.resid[0]
        for bi in 0..<b {
            var slot = [Int](repeating: -1, count: np)
            for j in 0..<keep { slot[visible[bi * keep + j]] = j }
            for r in 0..<ni {
                let dst = unsafe d0 + (bi * ni + r) * dw, pos = unsafe w + q.pos + r * dw
                // Row 0 and visible patches read the embedded encoder rows, masked patches the mask token.
                let offset = r == 0 ? bi * n * dw : slot[r - 1] >= 0 ? (bi * n + 1 + slot[r - 1]) * dw : -1
                let src = unsafe offset >= 0 ? UnsafePointer(mim.embedded + offset) : UnsafePointer(w + q.maskToken)
                for k in 0..<dw { unsafe dst[k] = src[k] + pos[k] }
            }
        }
        unsafe dec.forward(mim.decoder, params: w, keyMask: nil)
        unsafe Linear.forward(out: mim.prediction, inp: mim.decoder.out, weight: w + q.predW, bias: w + q.predB,
                              rows: b * ni, inDim: dw, outDim: pp)
        for bi in 0..<b { unsafe (mim.dprediction + bi * ni * pp).update(repeating: 0, count: pp) }
        var target = unsafe UnsafePointer(a.cols)
        if r > 1 {
            unsafe batch.targetImages.withUnsafeBufferPointer { img in
                unsafe PatchEmbedding.im2col(cols: mim.targetCols, image: img.baseAddress!, batch: b, size: r * c.imageSize,
                                             patch: r * c.patchSize)
            }
            unsafe target = UnsafePointer(mim.targetCols)
        }
        return unsafe masked.withUnsafeBufferPointer { mp in
            unsafe Losses.maskedPatchMSE(prediction: mim.prediction + pp, predictionStride: ni * pp, target: target,
                                         masked: mp.baseAddress!, batch: b, patches: np, dim: pp,
                                         dprediction: mim.dprediction + pp, weight: a.weights.mim)
        }
    }

    /// Backward of `mimForward`: accumulates the decoder's, the image encoder's and the patch embedding's gradients.
    @unsafe
    func mimBackward(_ a: ModelActivations, batch b: Int, report: Bool = false) {
        guard let dc = config.decoderConfig, let dec = decoder, let mim = a.mim else { return }
        let c = config, w = unsafe arena.params, g = unsafe arena.grads, o = offsets, q = decoderOffsets
        let cw = c.width, dw = dc.width, ni = c.imageTokens, np = c.patchCount, pp = c.patchSize * c.patchSize
        let ppTarget = c.targetScale * c.targetScale * pp
        let keep = mim.keep, n = 1 + keep
        unsafe Linear.backward(dinp: mim.ddecoder, dweight: g + q.predW, dbias: g + q.predB, dout: mim.dprediction,
                               inp: mim.decoder.out, weight: w + q.predW, rows: b * ni, inDim: dw, outDim: ppTarget)
        unsafe dec.backward(mim.decoder, dout: mim.ddecoder, params: w, grads: g, scratch: mim.scratch)
        let dd = unsafe mim.scratch.dresid
        for bi in 0..<b {
            var slot = [Int](repeating: -1, count: np)
            for j in 0..<keep { slot[mim.visible[bi * keep + j]] = j }
            for r in 0..<ni {
                let src = unsafe dd + (bi * ni + r) * dw
                for k in 0..<dw { unsafe g[q.pos + r * dw + k] += src[k] }
                if r == 0 {
                    for k in 0..<dw { unsafe mim.dembedded[bi * n * dw + k] = src[k] }
                } else if slot[r - 1] >= 0 {
                    for k in 0..<dw { unsafe mim.dembedded[(bi * n + 1 + slot[r - 1]) * dw + k] = src[k] }
                } else {
                    for k in 0..<dw { unsafe g[q.maskToken + k] += src[k] }
                }
            }
        }
        unsafe Linear.backward(dinp: mim.dvisible, dweight: g + q.embedW, dbias: g + q.embedB, dout: mim.dembedded,
                               inp: mim.encoder.out, weight: w + q.embedW, rows: b * n, inDim: cw, outDim: dw)
        if report, let m = a.mlm {  // the report's conditioning read the mean of the visible patch tokens
            for bi in 0..<b {
                for j in 1..<n { for k in 0..<cw { unsafe mim.dvisible[(bi * n + j) * cw + k] += m.dpooled[bi * cw + k] } }
            }
        }
        unsafe image.backward(mim.encoder, dout: mim.dvisible, params: w, grads: g, scratch: a.scratch)
        let dx = unsafe a.scratch.dresid
        unsafe mim.dpatchOut.update(repeating: 0, count: b * np * cw)
        for bi in 0..<b {
            for k in 0..<cw {
                let d = unsafe dx[bi * n * cw + k]
                unsafe g[o.imageCLS + k] += d
                unsafe g[o.imagePos + k] += d
            }
            for j in 0..<keep {
                let p = mim.visible[bi * keep + j]
                let src = unsafe dx + (bi * n + 1 + j) * cw
                for k in 0..<cw {
                    unsafe g[o.imagePos + (1 + p) * cw + k] += src[k]
                    unsafe mim.dpatchOut[(bi * np + p) * cw + k] = src[k]
                }
            }
        }
        unsafe Linear.backward(dinp: nil, dweight: g + o.patchWeight, dbias: g + o.patchBias, dout: mim.dpatchOut,
                               inp: a.cols, weight: w + o.patchWeight, rows: b * np, inDim: pp, outDim: cw)
    }
}

/// The activations of masked image modelling for one batch size.
@safe final class MIMActivations {
    let encoder: StackActivations, decoder: StackActivations, scratch: StackScratch
    let embedded, prediction, dprediction, ddecoder, dembedded, dvisible, dpatchOut: UnsafeMutablePointer<Float>
    /// The higher-resolution target's patches `(B, P, R²·p²)` (target scale above 1).
    let targetCols: UnsafeMutablePointer<Float>
    var visible: [Int] = [], masked: [Float] = [], keep = 0

    init(_ buffer: ActivationBuffer, batch b: Int, config c: ModelConfig, decoder dc: ModelConfig) {
        let ni = c.imageTokens, np = c.patchCount, dw = dc.width, cw = c.width, r = c.targetScale
        let pp = r * r * c.patchSize * c.patchSize
        encoder = StackActivations(buffer, batch: b, tokens: ni, config: c)
        decoder = StackActivations(buffer, batch: b, tokens: ni, config: dc)
        scratch = StackScratch(buffer, rows: b * ni, config: dc)
        unsafe embedded = unsafe buffer.take(b * ni * dw)
        unsafe prediction = unsafe buffer.take(b * ni * pp); unsafe dprediction = unsafe buffer.take(b * ni * pp)
        unsafe ddecoder = unsafe buffer.take(b * ni * dw); unsafe dembedded = unsafe buffer.take(b * ni * dw)
        unsafe dvisible = unsafe buffer.take(b * ni * cw); unsafe dpatchOut = unsafe buffer.take(b * np * cw)
        unsafe targetCols = unsafe buffer.take(r > 1 ? b * np * pp : 0)
    }
}
