import CarinaTensor

/// A projection head into the joint space: Carina's single Linear `(E, C)`, or, with a hidden width `H`, two layers
/// `Linear (H, C) → ReLU → Linear (E, H)` in the layout of PyTorch's `nn.Sequential` (`NAME.0.*`, `NAME.2.*`):
/// MGCA's 2-layer global and local embedding heads (Wang et al. 2022, `GlobalEmbedding`/`LocalEmbedding`) without
/// their BatchNorms; with `projectionNorm: batch`, MGCA's heads as they are:
/// `Linear (H, C) → BatchNorm1d(H) → ReLU → Linear (E, H) → BatchNorm1d(E, affine=False)` (`NAME.0`, `NAME.1`,
/// `NAME.3`; the running statistics `NAME.1.running_*`, `NAME.4.running_*` are buffers at the end of the arena).
///
/// The batch statistics of a use are taken over its valid rows only (the `valid` mask: an image's patch rows, not
/// its CLS row; a text's real tokens or words, not its CLS row or padding), where MGCA's `LocalEmbedding` also counts
/// the padding positions of its fixed-length sequences; every row is normalized with them.
struct ProjectionHead {
    let hidden: Int?
    let batchNorm: Bool
    let w1: Int, b1: Int, w2: Int, b2: Int
    /// BatchNorm offsets (with `batchNorm`): γ, β of the hidden norm, and the four running statistics.
    let gamma: Int, beta: Int, mean1: Int, var1: Int, mean2: Int, var2: Int

    static func specs(_ name: String, width c: Int, projection e: Int, hidden: Int?, batchNorm: Bool = false)
        -> [(String, [Int])] {
        guard let h = hidden else { return [("\(name).weight", [e, c]), ("\(name).bias", [e])] }
        guard batchNorm else {
            return [("\(name).0.weight", [h, c]), ("\(name).0.bias", [h]), ("\(name).2.weight", [e, h]),
                    ("\(name).2.bias", [e])]
        }
        return [("\(name).0.weight", [h, c]), ("\(name).0.bias", [h]), ("\(name).1.weight", [h]), ("\(name).1.bias", [h]),
                ("\(name).3.weight", [e, h]), ("\(name).3.bias", [e])]
    }

    /// The running statistics of a head with BatchNorms (not trained: they follow every trainable parameter).
    static func bufferSpecs(_ name: String, projection e: Int, hidden: Int?, batchNorm: Bool) -> [(String, [Int])] {
        guard let h = hidden, batchNorm else { return [] }
        return [("\(name).1.running_mean", [h]), ("\(name).1.running_var", [h]), ("\(name).4.running_mean", [e]),
                ("\(name).4.running_var", [e])]
    }

    init(_ arena: ParameterArena, _ name: String, hidden: Int?, batchNorm: Bool = false) {
        self.hidden = hidden
        self.batchNorm = hidden != nil && batchNorm
        func off(_ s: String) -> Int { arena.tensor("\(name).\(s)").offset }
        if hidden == nil {
            w1 = off("weight"); b1 = off("bias"); w2 = 0; b2 = 0
        } else if !self.batchNorm {
            w1 = off("0.weight"); b1 = off("0.bias"); w2 = off("2.weight"); b2 = off("2.bias")
        } else {
            w1 = off("0.weight"); b1 = off("0.bias"); w2 = off("3.weight"); b2 = off("3.bias")
        }
        if self.batchNorm {
            gamma = off("1.weight"); beta = off("1.bias"); mean1 = off("1.running_mean"); var1 = off("1.running_var")
            mean2 = off("4.running_mean"); var2 = off("4.running_var")
        } else {
            gamma = 0; beta = 0; mean1 = 0; var1 = 0; mean2 = 0; var2 = 0
        }
    }

    /// `out (M, E)` from `inp (M, C)` (row stride `inStride`); a 2-layer head keeps its hidden rows in `saved`.
    /// With BatchNorms, `training` normalizes by the statistics of the `valid` rows (nil: all) and moves the running
    /// statistics; otherwise the running statistics normalize.
    @unsafe
    func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, params w: UnsafeMutablePointer<Float>,
                 rows m: Int, inDim c: Int, outDim e: Int, inStride: Int? = nil, saved: HeadActivations,
                 valid: [Float]? = nil, training: Bool = true) {
        guard let h = hidden else {
            unsafe Linear.forward(out: out, inp: inp, weight: w + w1, bias: w + b1, rows: m, inDim: c, outDim: e,
                                  inStride: inStride)
            return
        }
        unsafe Linear.forward(out: saved.pre, inp: inp, weight: w + w1, bias: w + b1, rows: m, inDim: c, outDim: h,
                              inStride: inStride)
        guard batchNorm else {
            for i in 0..<(m * h) { unsafe saved.post[i] = max(saved.pre[i], 0) }
            unsafe Linear.forward(out: out, inp: saved.post, weight: w + w2, bias: w + b2, rows: m, inDim: h, outDim: e)
            return
        }
        precondition(valid.map { $0.count == m } ?? true, "the valid mask must have one entry per row")
        saved.valid = valid
        unsafe withValid(valid) { v in
            saved.batchStatistics.0 = unsafe BatchNorm.forward(
                out: saved.post, inp: saved.pre, rows: m, dim: h, valid: v, weight: w + gamma, bias: w + beta,
                runningMean: w + mean1, runningVar: w + var1, mean: saved.mean1, rstd: saved.rstd1, training: training)
            for i in 0..<(m * h) { unsafe saved.post[i] = max(saved.post[i], 0) }
            unsafe Linear.forward(out: saved.z, inp: saved.post, weight: w + w2, bias: w + b2, rows: m, inDim: h, outDim: e)
            saved.batchStatistics.1 = unsafe BatchNorm.forward(
                out: out, inp: saved.z, rows: m, dim: e, valid: v, weight: nil, bias: nil, runningMean: w + mean2,
                runningVar: w + var2, mean: saved.mean2, rstd: saved.rstd2, training: training)
        }
    }

    /// Accumulates the parameter gradients; writes (or adds, `accumulateInput`) `dinp` when given.
    @unsafe
    func backward(dinp: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>, inp: UnsafePointer<Float>,
                  params w: UnsafeMutablePointer<Float>, grads g: UnsafeMutablePointer<Float>, rows m: Int, inDim c: Int,
                  outDim e: Int, inStride: Int? = nil, accumulateInput: Bool = false, saved: HeadActivations,
                  scratch: UnsafeMutablePointer<Float>) {
        guard let h = hidden else {
            unsafe Linear.backward(dinp: dinp, dweight: g + w1, dbias: g + b1, dout: dout, inp: inp, weight: w + w1,
                                   rows: m, inDim: c, outDim: e, inStride: inStride, accumulateInput: accumulateInput)
            return
        }
        var dz = unsafe dout
        if batchNorm {
            unsafe withValid(saved.valid) { v in
                unsafe BatchNorm.backward(dinp: saved.dz, dweight: nil, dbias: nil, dout: dout, inp: saved.z, weight: nil,
                                          mean: saved.mean2, rstd: saved.rstd2, rows: m, dim: e, valid: v,
                                          batchStatistics: saved.batchStatistics.1)
            }
            unsafe dz = UnsafePointer(saved.dz)
        }
        unsafe Linear.backward(dinp: scratch, dweight: g + w2, dbias: g + b2, dout: dz, inp: saved.post, weight: w + w2,
                               rows: m, inDim: h, outDim: e)
        // The ReLU's input was `pre` (linear heads) or the hidden BatchNorm's output, positive where `post` is.
        let relu = unsafe batchNorm ? saved.post : saved.pre
        for i in 0..<(m * h) where unsafe relu[i] <= 0 { unsafe scratch[i] = 0 }
        if batchNorm {
            unsafe withValid(saved.valid) { v in
                unsafe BatchNorm.backward(dinp: scratch, dweight: g + gamma, dbias: g + beta, dout: scratch, inp: saved.pre,
                                          weight: w + gamma, mean: saved.mean1, rstd: saved.rstd1, rows: m, dim: h,
                                          valid: v, batchStatistics: saved.batchStatistics.0)
            }
        }
        unsafe Linear.backward(dinp: dinp, dweight: g + w1, dbias: g + b1, dout: scratch, inp: inp, weight: w + w1,
                               rows: m, inDim: c, outDim: h, inStride: inStride, accumulateInput: accumulateInput)
    }

    @unsafe
    private func withValid(_ valid: [Float]?, _ body: (UnsafePointer<Float>?) -> Void) {
        guard let valid else { return unsafe body(nil) }
        unsafe valid.withUnsafeBufferPointer { unsafe body($0.baseAddress!) }
    }
}

/// The hidden rows one use of a 2-layer head saves for its backward (empty for a linear head), and with BatchNorms
/// the second layer's output before its norm, the statistics used and the row mask.
@safe final class HeadActivations {
    let pre: UnsafeMutablePointer<Float>, post: UnsafeMutablePointer<Float>
    let z: UnsafeMutablePointer<Float>, dz: UnsafeMutablePointer<Float>
    let mean1: UnsafeMutablePointer<Float>, rstd1: UnsafeMutablePointer<Float>
    let mean2: UnsafeMutablePointer<Float>, rstd2: UnsafeMutablePointer<Float>
    var valid: [Float]?
    var batchStatistics = (false, false)

    init(_ buffer: ActivationBuffer, rows: Int, hidden: Int?, projection e: Int = 0, batchNorm: Bool = false) {
        let h = hidden ?? 0, n = rows * h, bn = hidden != nil && batchNorm
        unsafe pre = unsafe buffer.take(n)
        unsafe post = unsafe buffer.take(n)
        unsafe z = unsafe buffer.take(bn ? rows * e : 0)
        unsafe dz = unsafe buffer.take(bn ? rows * e : 0)
        unsafe mean1 = unsafe buffer.take(bn ? h : 0)
        unsafe rstd1 = unsafe buffer.take(bn ? h : 0)
        unsafe mean2 = unsafe buffer.take(bn ? e : 0)
        unsafe rstd2 = unsafe buffer.take(bn ? e : 0)
    }

    /// The saved rows of a head of model `c`.
    convenience init(_ buffer: ActivationBuffer, rows: Int, config c: ModelConfig) {
        self.init(buffer, rows: rows, hidden: c.projectionHidden, projection: c.projection,
                  batchNorm: c.projectionNorm == .batch)
    }
}
