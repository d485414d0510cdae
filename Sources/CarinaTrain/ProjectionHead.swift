import CarinaTensor

/// A projection head into the joint space: Carina's single Linear `(E, C)`, or, with a hidden width `H`, two layers
/// `Linear (H, C) → ReLU → Linear (E, H)` in the layout of PyTorch's `nn.Sequential` (`NAME.0.*`, `NAME.2.*`):
/// MGCA's 2-layer global and local embedding heads (Wang et al. 2022, `GlobalEmbedding`/`LocalEmbedding`) without
/// their BatchNorms.
struct ProjectionHead {
    let hidden: Int?
    let w1: Int, b1: Int, w2: Int, b2: Int

    static func specs(_ name: String, width c: Int, projection e: Int, hidden: Int?) -> [(String, [Int])] {
        guard let h = hidden else { return [("\(name).weight", [e, c]), ("\(name).bias", [e])] }
        return [("\(name).0.weight", [h, c]), ("\(name).0.bias", [h]), ("\(name).2.weight", [e, h]), ("\(name).2.bias", [e])]
    }

    init(_ arena: ParameterArena, _ name: String, hidden: Int?) {
        self.hidden = hidden
        func off(_ s: String) -> Int { arena.tensor("\(name).\(s)").offset }
        if hidden == nil {
            w1 = off("weight"); b1 = off("bias"); w2 = 0; b2 = 0
        } else {
            w1 = off("0.weight"); b1 = off("0.bias"); w2 = off("2.weight"); b2 = off("2.bias")
        }
    }

    /// `out (M, E)` from `inp (M, C)` (row stride `inStride`); a 2-layer head keeps its hidden rows in `saved`.
    @unsafe
    func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, params w: UnsafeMutablePointer<Float>,
                 rows m: Int, inDim c: Int, outDim e: Int, inStride: Int? = nil, saved: HeadActivations) {
        guard let h = hidden else {
            unsafe Linear.forward(out: out, inp: inp, weight: w + w1, bias: w + b1, rows: m, inDim: c, outDim: e,
                                  inStride: inStride)
            return
        }
        unsafe Linear.forward(out: saved.pre, inp: inp, weight: w + w1, bias: w + b1, rows: m, inDim: c, outDim: h,
                              inStride: inStride)
        for i in 0..<(m * h) { unsafe saved.post[i] = max(saved.pre[i], 0) }
        unsafe Linear.forward(out: out, inp: saved.post, weight: w + w2, bias: w + b2, rows: m, inDim: h, outDim: e)
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
        unsafe Linear.backward(dinp: scratch, dweight: g + w2, dbias: g + b2, dout: dout, inp: saved.post, weight: w + w2,
                               rows: m, inDim: h, outDim: e)
        for i in 0..<(m * h) where unsafe saved.pre[i] <= 0 { unsafe scratch[i] = 0 }
        unsafe Linear.backward(dinp: dinp, dweight: g + w1, dbias: g + b1, dout: scratch, inp: inp, weight: w + w1,
                               rows: m, inDim: c, outDim: h, inStride: inStride, accumulateInput: accumulateInput)
    }
}

/// The hidden rows one use of a 2-layer head saves for its backward (empty for a linear head).
@safe struct HeadActivations {
    let pre: UnsafeMutablePointer<Float>, post: UnsafeMutablePointer<Float>

    init(_ buffer: ActivationBuffer, rows: Int, hidden: Int?) {
        let n = rows * (hidden ?? 0)
        unsafe pre = unsafe buffer.take(n)
        unsafe post = unsafe buffer.take(n)
    }
}
