import CarinaTensor

/// HybridMED's generation decoder (Jiang et al., HybridMED §3): a pre-LN transformer over the impression's tokens
/// with its own width `D`, depth, heads and MLP size (`ModelConfig.impressionDecoder`), reading a memory of encoder
/// states (the image tokens for captioning, the findings' hidden states for summarisation) through cross-attention.
///
/// Per block, on `x (B, N, D)` and the projected memory `m (B, M, D)`:
/// `x += proj(CausalAttn(LN₁(x)))`, `x += cproj(CrossAttn(q(LN₂(x)), kv(m), memory mask))`, `x += MLP(LN₃(x))`;
/// then `LN(x)` and the LM head `logits = LN(x) · Eᵀ + b`, tied to the decoder's token embedding `E (V, D)` (one
/// `V×D` table instead of two; only the head's bias `gen.head.bias (V)` is its own). The memory enters through
/// one shared `gen.mem` linear `C → D` (both memories come out of an encoder's final LayerNorm, width `C`).
///
/// Parameters, in PyTorch's `named_parameters` order (after every other parameter of the model; a module's own
/// parameters before its submodules'): `gen.pos (1, T, D)`, `gen.tok.weight (V, D)`, `gen.mem.{weight (D, C), bias}`, per block `gen.blocks.i.{ln1, qkv, proj, ln2, q,
/// kv, cproj, ln3, mlp.0, mlp.2}`, `gen.ln`, `gen.head.bias (V)`.
struct ImpressionDecoder {
    struct Block {
        var ln1W = 0, ln1B = 0, qkvW = 0, qkvB = 0, projW = 0, projB = 0, ln2W = 0, ln2B = 0, qW = 0, qB = 0
        var kvW = 0, kvB = 0, cprojW = 0, cprojB = 0, ln3W = 0, ln3B = 0, fc1W = 0, fc1B = 0, fc2W = 0, fc2B = 0
    }

    let shape: ModelConfig.DecoderShape
    let encoderWidth: Int, vocab: Int, maxTokens: Int
    let blocks: [Block]
    let tok: Int, pos: Int, memW: Int, memB: Int, lnW: Int, lnB: Int, headB: Int

    static func specs(_ c: ModelConfig) -> [(String, [Int])] {
        guard let d = c.impressionDecoder else { return [] }
        let w = d.width, m = d.mlp
        var s: [(String, [Int])] = [("gen.pos", [1, c.textLength, w]), ("gen.tok.weight", [c.vocabSize, w]),
                                    ("gen.mem.weight", [w, c.width]), ("gen.mem.bias", [w])]
        for i in 0..<d.depth {
            let p = "gen.blocks.\(i)"
            s += [("\(p).ln1.weight", [w]), ("\(p).ln1.bias", [w]), ("\(p).qkv.weight", [3 * w, w]), ("\(p).qkv.bias", [3 * w]),
                  ("\(p).proj.weight", [w, w]), ("\(p).proj.bias", [w]), ("\(p).ln2.weight", [w]), ("\(p).ln2.bias", [w]),
                  ("\(p).q.weight", [w, w]), ("\(p).q.bias", [w]), ("\(p).kv.weight", [2 * w, w]), ("\(p).kv.bias", [2 * w]),
                  ("\(p).cproj.weight", [w, w]), ("\(p).cproj.bias", [w]), ("\(p).ln3.weight", [w]), ("\(p).ln3.bias", [w]),
                  ("\(p).mlp.0.weight", [m, w]), ("\(p).mlp.0.bias", [m]), ("\(p).mlp.2.weight", [w, m]),
                  ("\(p).mlp.2.bias", [w])]
        }
        s += [("gen.ln.weight", [w]), ("gen.ln.bias", [w]), ("gen.head.bias", [c.vocabSize])]
        return s
    }

    init?(_ arena: ParameterArena, config c: ModelConfig) {
        guard let d = c.impressionDecoder else { return nil }
        func o(_ s: String) -> Int { arena.tensor(s).offset }
        shape = d
        encoderWidth = c.width
        vocab = c.vocabSize
        maxTokens = c.textLength
        blocks = (0..<d.depth).map { i in
            let p = "gen.blocks.\(i)."
            return Block(ln1W: o(p + "ln1.weight"), ln1B: o(p + "ln1.bias"), qkvW: o(p + "qkv.weight"), qkvB: o(p + "qkv.bias"),
                         projW: o(p + "proj.weight"), projB: o(p + "proj.bias"), ln2W: o(p + "ln2.weight"),
                         ln2B: o(p + "ln2.bias"), qW: o(p + "q.weight"), qB: o(p + "q.bias"), kvW: o(p + "kv.weight"),
                         kvB: o(p + "kv.bias"), cprojW: o(p + "cproj.weight"), cprojB: o(p + "cproj.bias"),
                         ln3W: o(p + "ln3.weight"), ln3B: o(p + "ln3.bias"), fc1W: o(p + "mlp.0.weight"),
                         fc1B: o(p + "mlp.0.bias"), fc2W: o(p + "mlp.2.weight"), fc2B: o(p + "mlp.2.bias"))
        }
        tok = o("gen.tok.weight"); pos = o("gen.pos"); memW = o("gen.mem.weight"); memB = o("gen.mem.bias")
        lnW = o("gen.ln.weight"); lnB = o("gen.ln.bias"); headB = o("gen.head.bias")
    }

    /// Forward of teacher forcing or of one decoding step: `ids (B, N)` (the run's `N ≤ T` set in `acts.tokens`),
    /// memory `(B, M, C)` with row stride `M·C` and key mask `(B, M)` (nil: every row) → `acts.out (B, N, D)`.
    @unsafe
    func forward(_ acts: DecoderActivations, params w: UnsafeMutablePointer<Float>, ids: UnsafePointer<Int32>,
                 memory: UnsafePointer<Float>, memoryRows m: Int, memoryMask: UnsafePointer<Float>?) {
        let b = acts.batch, n = acts.tokens, rows = b * n, d = shape.width, h = shape.heads, f = shape.mlp
        acts.memoryRows = m
        unsafe Linear.forward(out: acts.memory, inp: memory, weight: w + memW, bias: w + memB, rows: b * m,
                              inDim: encoderWidth, outDim: d)
        unsafe Embedding.forward(out: acts.resid[0], ids: ids, table: w + tok, pos: w + pos, batch: b, tokens: n, dim: d)
        for (l, p) in blocks.enumerated() {
            let x = unsafe acts.resid[l]
            unsafe LayerNorm.forward(out: acts.ln1[l], mean: acts.ln1Mean[l], rstd: acts.ln1Rstd[l], inp: x,
                                     weight: w + p.ln1W, bias: w + p.ln1B, rows: rows, dim: d)
            unsafe Linear.forward(out: acts.qkv[l], inp: acts.ln1[l], weight: w + p.qkvW, bias: w + p.qkvB, rows: rows,
                                  inDim: d, outDim: 3 * d)
            unsafe Attention.forward(out: acts.attOut[l], att: acts.att[l], qkv: acts.qkv[l], keyMask: nil, batch: b,
                                     tokens: n, dim: d, heads: h, causal: true)
            unsafe Linear.forward(out: acts.resid2[l], inp: acts.attOut[l], weight: w + p.projW, bias: w + p.projB,
                                  rows: rows, inDim: d, outDim: d)
            unsafe Elementwise.addInPlace(acts.resid2[l], x, count: rows * d)
            unsafe LayerNorm.forward(out: acts.ln2[l], mean: acts.ln2Mean[l], rstd: acts.ln2Rstd[l], inp: acts.resid2[l],
                                     weight: w + p.ln2W, bias: w + p.ln2B, rows: rows, dim: d)
            unsafe Linear.forward(out: acts.q[l], inp: acts.ln2[l], weight: w + p.qW, bias: w + p.qB, rows: rows,
                                  inDim: d, outDim: d)
            unsafe Linear.forward(out: acts.kv[l], inp: acts.memory, weight: w + p.kvW, bias: w + p.kvB, rows: b * m,
                                  inDim: d, outDim: 2 * d)
            unsafe CrossAttention.forward(out: acts.cattOut[l], att: acts.catt[l], q: acts.q[l], kv: acts.kv[l],
                                          keyMask: memoryMask, batch: b, queries: n, keys: m, dim: d, heads: h)
            unsafe Linear.forward(out: acts.resid3[l], inp: acts.cattOut[l], weight: w + p.cprojW, bias: w + p.cprojB,
                                  rows: rows, inDim: d, outDim: d)
            unsafe Elementwise.addInPlace(acts.resid3[l], acts.resid2[l], count: rows * d)
            unsafe LayerNorm.forward(out: acts.ln3[l], mean: acts.ln3Mean[l], rstd: acts.ln3Rstd[l], inp: acts.resid3[l],
                                     weight: w + p.ln3W, bias: w + p.ln3B, rows: rows, dim: d)
            unsafe Linear.forward(out: acts.fch[l], inp: acts.ln3[l], weight: w + p.fc1W, bias: w + p.fc1B, rows: rows,
                                  inDim: d, outDim: f)
            unsafe GELU.forward(out: acts.fchGelu[l], derivative: acts.fch[l], inp: acts.fch[l], count: rows * f)
            unsafe Linear.forward(out: acts.resid[l + 1], inp: acts.fchGelu[l], weight: w + p.fc2W, bias: w + p.fc2B,
                                  rows: rows, inDim: f, outDim: d)
            unsafe Elementwise.addInPlace(acts.resid[l + 1], acts.resid3[l], count: rows * d)
        }
        unsafe LayerNorm.forward(out: acts.out, mean: acts.outMean, rstd: acts.outRstd, inp: acts.resid[blocks.count],
                                 weight: w + lnW, bias: w + lnB, rows: rows, dim: d)
    }

    /// The LM head on `rows` rows of `inp (·, D)`: `logits (rows, V) = inp · Eᵀ + b`.
    @unsafe
    func logits(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, rows: Int, params w: UnsafeMutablePointer<Float>) {
        unsafe Linear.forward(out: out, inp: inp, weight: w + tok, bias: w + headB, rows: rows, inDim: shape.width,
                              outDim: vocab)
    }

    /// Backward from `dout (B, N, D)`, the gradient of `acts.out`: accumulates every `gen.*` gradient and writes
    /// the gradient of the encoder memory `(B, M, C)` into `dmemory` (or adds it when `accumulate`).
    @unsafe
    func backward(_ acts: DecoderActivations, dout: UnsafePointer<Float>, ids: UnsafePointer<Int32>,
                  memory: UnsafePointer<Float>, params w: UnsafeMutablePointer<Float>, grads g: UnsafeMutablePointer<Float>,
                  dmemory: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let s = acts.scratch
        let b = acts.batch, n = acts.tokens, rows = b * n, d = shape.width, h = shape.heads, f = shape.mlp
        let m = acts.memoryRows
        unsafe s.dmem.update(repeating: 0, count: b * m * d)
        unsafe s.dresid.update(repeating: 0, count: rows * d)
        unsafe LayerNorm.backward(dinp: s.dresid, dweight: g + lnW, dbias: g + lnB, dout: dout, inp: acts.resid[blocks.count],
                                  weight: w + lnW, mean: acts.outMean, rstd: acts.outRstd, rows: rows, dim: d)
        // Each branch ends in an output projection read from the residual gradient `dresid`, and starts at a
        // LayerNorm of the residual stream whose input gradient adds into `dresid`.
        @unsafe func projectionBackward(dinp: UnsafeMutablePointer<Float>, weight: Int, bias: Int,
                                        inp: UnsafePointer<Float>, inDim: Int) {
            unsafe Linear.backward(dinp: dinp, dweight: g + weight, dbias: g + bias, dout: s.dresid, inp: inp,
                                   weight: w + weight, rows: rows, inDim: inDim, outDim: d)
        }
        @unsafe func normBackward(weight: Int, bias: Int, inp: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                  rstd: UnsafePointer<Float>) {
            unsafe LayerNorm.backward(dinp: s.dresid, dweight: g + weight, dbias: g + bias, dout: s.dln, inp: inp,
                                      weight: w + weight, mean: mean, rstd: rstd, rows: rows, dim: d)
        }
        for (l, p) in blocks.enumerated().reversed() {
            // MLP branch.
            unsafe projectionBackward(dinp: s.dfch, weight: p.fc2W, bias: p.fc2B, inp: acts.fchGelu[l], inDim: f)
            unsafe GELU.backward(dinp: s.dfch, derivative: acts.fch[l], dout: s.dfch, count: rows * f)
            unsafe Linear.backward(dinp: s.dln, dweight: g + p.fc1W, dbias: g + p.fc1B, dout: s.dfch, inp: acts.ln3[l],
                                   weight: w + p.fc1W, rows: rows, inDim: d, outDim: f)
            unsafe normBackward(weight: p.ln3W, bias: p.ln3B, inp: acts.resid3[l], mean: acts.ln3Mean[l],
                                rstd: acts.ln3Rstd[l])
            // Cross-attention branch.
            unsafe projectionBackward(dinp: s.dattOut, weight: p.cprojW, bias: p.cprojB, inp: acts.cattOut[l], inDim: d)
            unsafe CrossAttention.backward(dq: s.dq, dkv: s.dkv, dout: s.dattOut, q: acts.q[l], kv: acts.kv[l],
                                           att: acts.catt[l], batch: b, queries: n, keys: m, dim: d, heads: h)
            unsafe Linear.backward(dinp: s.dmem, dweight: g + p.kvW, dbias: g + p.kvB, dout: s.dkv, inp: acts.memory,
                                   weight: w + p.kvW, rows: b * m, inDim: d, outDim: 2 * d, accumulateInput: true)
            unsafe Linear.backward(dinp: s.dln, dweight: g + p.qW, dbias: g + p.qB, dout: s.dq, inp: acts.ln2[l],
                                   weight: w + p.qW, rows: rows, inDim: d, outDim: d)
            unsafe normBackward(weight: p.ln2W, bias: p.ln2B, inp: acts.resid2[l], mean: acts.ln2Mean[l],
                                rstd: acts.ln2Rstd[l])
            // Causal self-attention branch.
            unsafe projectionBackward(dinp: s.dattOut, weight: p.projW, bias: p.projB, inp: acts.attOut[l], inDim: d)
            unsafe Attention.backward(dqkv: s.dqkv, dout: s.dattOut, qkv: acts.qkv[l], att: acts.att[l], batch: b,
                                      tokens: n, dim: d, heads: h)
            unsafe Linear.backward(dinp: s.dln, dweight: g + p.qkvW, dbias: g + p.qkvB, dout: s.dqkv, inp: acts.ln1[l],
                                   weight: w + p.qkvW, rows: rows, inDim: d, outDim: 3 * d)
            unsafe normBackward(weight: p.ln1W, bias: p.ln1B, inp: acts.resid[l], mean: acts.ln1Mean[l],
                                rstd: acts.ln1Rstd[l])
        }
        unsafe Embedding.backward(dtable: g + tok, dpos: g + pos, dout: s.dresid, ids: ids, batch: b, tokens: n, dim: d)
        unsafe Linear.backward(dinp: dmemory, dweight: g + memW, dbias: g + memB, dout: s.dmem, inp: memory,
                               weight: w + memW, rows: b * m, inDim: encoderWidth, outDim: d, accumulateInput: accumulate)
    }
}

/// Gradient scratch of one decoder backward.
@safe final class DecoderScratch {
    let dresid, dln, dqkv, dattOut, dq, dkv, dmem, dfch: UnsafeMutablePointer<Float>
    init(_ buffer: ActivationBuffer, rows: Int, memoryRows: Int, shape s: ModelConfig.DecoderShape) {
        let d = s.width
        unsafe dresid = unsafe buffer.take(rows * d); unsafe dln = unsafe buffer.take(rows * d)
        unsafe dqkv = unsafe buffer.take(rows * 3 * d); unsafe dattOut = unsafe buffer.take(rows * d)
        unsafe dq = unsafe buffer.take(rows * d); unsafe dkv = unsafe buffer.take(memoryRows * 2 * d)
        unsafe dmem = unsafe buffer.take(memoryRows * d); unsafe dfch = unsafe buffer.take(rows * s.mlp)
    }
}

/// The saved activations of one decoder run over at most `capacity` tokens and `memoryCapacity` memory rows per
/// sample.
@safe final class DecoderActivations {
    let batch: Int, capacity: Int, memoryCapacity: Int
    var tokens: Int {
        didSet { precondition(tokens >= 1 && tokens <= capacity, "a decoder run of \(tokens) tokens in buffers for \(capacity)") }
    }
    var memoryRows = 0 {
        didSet { precondition(memoryRows >= 1 && memoryRows <= memoryCapacity, "a memory of \(memoryRows) rows in buffers for \(memoryCapacity)") }
    }
    let memory: UnsafeMutablePointer<Float>
    var resid: [UnsafeMutablePointer<Float>] = unsafe []
    var ln1: [UnsafeMutablePointer<Float>] = unsafe [], ln1Mean: [UnsafeMutablePointer<Float>] = unsafe [], ln1Rstd: [UnsafeMutablePointer<Float>] = unsafe []
    var qkv: [UnsafeMutablePointer<Float>] = unsafe [], att: [UnsafeMutablePointer<Float>] = unsafe [], attOut: [UnsafeMutablePointer<Float>] = unsafe []
    var resid2: [UnsafeMutablePointer<Float>] = unsafe []
    var ln2: [UnsafeMutablePointer<Float>] = unsafe [], ln2Mean: [UnsafeMutablePointer<Float>] = unsafe [], ln2Rstd: [UnsafeMutablePointer<Float>] = unsafe []
    var q: [UnsafeMutablePointer<Float>] = unsafe [], kv: [UnsafeMutablePointer<Float>] = unsafe [], catt: [UnsafeMutablePointer<Float>] = unsafe []
    var cattOut: [UnsafeMutablePointer<Float>] = unsafe [], resid3: [UnsafeMutablePointer<Float>] = unsafe []
    var ln3: [UnsafeMutablePointer<Float>] = unsafe [], ln3Mean: [UnsafeMutablePointer<Float>] = unsafe [], ln3Rstd: [UnsafeMutablePointer<Float>] = unsafe []
    var fch: [UnsafeMutablePointer<Float>] = unsafe [], fchGelu: [UnsafeMutablePointer<Float>] = unsafe []
    let out, outMean, outRstd: UnsafeMutablePointer<Float>
    let scratch: DecoderScratch

    init(_ buffer: ActivationBuffer, batch b: Int, tokens n: Int, memoryRows mm: Int, shape s: ModelConfig.DecoderShape) {
        batch = b
        capacity = n
        tokens = n
        memoryCapacity = mm
        let rows = b * n, d = s.width, h = s.heads
        unsafe memory = unsafe buffer.take(b * mm * d)
        for _ in 0..<s.depth {
            unsafe resid.append(buffer.take(rows * d))
            unsafe ln1.append(buffer.take(rows * d)); unsafe ln1Mean.append(buffer.take(rows)); unsafe ln1Rstd.append(buffer.take(rows))
            unsafe qkv.append(buffer.take(rows * 3 * d)); unsafe att.append(buffer.take(b * h * n * n))
            unsafe attOut.append(buffer.take(rows * d)); unsafe resid2.append(buffer.take(rows * d))
            unsafe ln2.append(buffer.take(rows * d)); unsafe ln2Mean.append(buffer.take(rows)); unsafe ln2Rstd.append(buffer.take(rows))
            unsafe q.append(buffer.take(rows * d)); unsafe kv.append(buffer.take(b * mm * 2 * d))
            unsafe catt.append(buffer.take(b * h * n * mm)); unsafe cattOut.append(buffer.take(rows * d))
            unsafe resid3.append(buffer.take(rows * d))
            unsafe ln3.append(buffer.take(rows * d)); unsafe ln3Mean.append(buffer.take(rows)); unsafe ln3Rstd.append(buffer.take(rows))
            unsafe fch.append(buffer.take(rows * s.mlp)); unsafe fchGelu.append(buffer.take(rows * s.mlp))
        }
        unsafe resid.append(buffer.take(rows * d))
        unsafe out = unsafe buffer.take(rows * d); unsafe outMean = unsafe buffer.take(rows); unsafe outRstd = unsafe buffer.take(rows)
        scratch = DecoderScratch(buffer, rows: rows, memoryRows: b * mm, shape: s)
    }
}
