import CarinaTensor

/// Offsets (in the parameter arena) of one pre-LN transformer block: `x + Attn(LN₁(x))`, then `x + MLP(LN₂(x))`.
struct BlockParameters {
    var ln1Weight = 0, ln1Bias = 0, ln2Weight = 0, ln2Bias = 0
    var qkvWeight = 0, qkvBias = 0, projWeight = 0, projBias = 0
    var fc1Weight = 0, fc1Bias = 0, fc2Weight = 0, fc2Bias = 0

    /// Parameter specs in PyTorch's `named_parameters` order for a block named `prefix`.
    static func specs(_ prefix: String, width c: Int, mlp m: Int) -> [(String, [Int])] {
        [("\(prefix).ln1.weight", [c]), ("\(prefix).ln1.bias", [c]), ("\(prefix).ln2.weight", [c]),
         ("\(prefix).ln2.bias", [c]), ("\(prefix).qkv.weight", [3 * c, c]), ("\(prefix).qkv.bias", [3 * c]),
         ("\(prefix).proj.weight", [c, c]), ("\(prefix).proj.bias", [c]), ("\(prefix).mlp.0.weight", [m, c]),
         ("\(prefix).mlp.0.bias", [m]), ("\(prefix).mlp.2.weight", [c, m]), ("\(prefix).mlp.2.bias", [c])]
    }

    init(_ arena: ParameterArena, _ prefix: String) {
        func o(_ s: String) -> Int { arena.tensor("\(prefix).\(s)").offset }
        ln1Weight = o("ln1.weight"); ln1Bias = o("ln1.bias"); ln2Weight = o("ln2.weight"); ln2Bias = o("ln2.bias")
        qkvWeight = o("qkv.weight"); qkvBias = o("qkv.bias"); projWeight = o("proj.weight"); projBias = o("proj.bias")
        fc1Weight = o("mlp.0.weight"); fc1Bias = o("mlp.0.bias"); fc2Weight = o("mlp.2.weight"); fc2Bias = o("mlp.2.bias")
    }
}

/// The saved activations of one run of a transformer stack over `(B, N, C)`.
@safe final class StackActivations {
    let batch: Int
    /// Tokens per sample of the current run, at most `capacity` (the text stacks run on each batch's longest text).
    var tokens: Int {
        didSet { precondition(tokens >= 1 && tokens <= capacity, "a stack run of \(tokens) tokens in buffers for \(capacity)") }
    }
    /// Tokens per sample the buffers hold; a shorter run uses a prefix of each, laid out as `(B, tokens, …)`.
    let capacity: Int
    /// Only the CLS row of the output is used (the impression): after the last block's attention, which still needs
    /// every row's keys and values, the last block and the final LayerNorm run on the `B` CLS rows alone, stored
    /// compactly as `(B, C)` in `resid2`, `ln2`, `fch`, `fchGelu`, `resid[depth]` and `out`.
    let clsOnly: Bool
    /// Residual stream entering each block, plus the stack's output before the final LayerNorm: `depth + 1` × `(B, N, C)`.
    var resid: [UnsafeMutablePointer<Float>] = unsafe []
    var ln1: [UnsafeMutablePointer<Float>] = unsafe [], ln1Mean: [UnsafeMutablePointer<Float>] = unsafe [], ln1Rstd: [UnsafeMutablePointer<Float>] = unsafe []
    var qkv: [UnsafeMutablePointer<Float>] = unsafe [], att: [UnsafeMutablePointer<Float>] = unsafe []
    var attOut: [UnsafeMutablePointer<Float>] = unsafe [], resid2: [UnsafeMutablePointer<Float>] = unsafe []
    var ln2: [UnsafeMutablePointer<Float>] = unsafe [], ln2Mean: [UnsafeMutablePointer<Float>] = unsafe [], ln2Rstd: [UnsafeMutablePointer<Float>] = unsafe []
    var fch: [UnsafeMutablePointer<Float>] = unsafe [], fchGelu: [UnsafeMutablePointer<Float>] = unsafe []
    /// Final LayerNorm output `(B, N, C)` and its statistics.
    let out: UnsafeMutablePointer<Float>, outMean: UnsafeMutablePointer<Float>, outRstd: UnsafeMutablePointer<Float>

    init(_ buffer: ActivationBuffer, batch b: Int, tokens n: Int, config: ModelConfig, clsOnly: Bool = false) {
        batch = b
        tokens = n
        capacity = n
        self.clsOnly = clsOnly
        let rows = b * n, c = config.width, m = config.mlp
        for _ in 0..<config.depth {
            unsafe resid.append(buffer.take(rows * c))
            unsafe ln1.append(buffer.take(rows * c)); unsafe ln1Mean.append(buffer.take(rows)); unsafe ln1Rstd.append(buffer.take(rows))
            unsafe qkv.append(buffer.take(rows * 3 * c)); unsafe att.append(buffer.take(b * config.heads * n * n))
            unsafe attOut.append(buffer.take(rows * c)); unsafe resid2.append(buffer.take(rows * c))
            unsafe ln2.append(buffer.take(rows * c)); unsafe ln2Mean.append(buffer.take(rows)); unsafe ln2Rstd.append(buffer.take(rows))
            unsafe fch.append(buffer.take(rows * m)); unsafe fchGelu.append(buffer.take(rows * m))
        }
        unsafe resid.append(buffer.take(rows * c))
        unsafe out = unsafe buffer.take(rows * c)
        unsafe outMean = unsafe buffer.take(rows)
        unsafe outRstd = unsafe buffer.take(rows)
    }
}

/// Gradient scratch shared by every stack backward (sized for the largest `B·N`).
@safe final class StackScratch {
    let dresid: UnsafeMutablePointer<Float>, dln: UnsafeMutablePointer<Float>, dqkv: UnsafeMutablePointer<Float>
    let dattOut: UnsafeMutablePointer<Float>, dfch: UnsafeMutablePointer<Float>
    /// Residual gradient of the CLS rows while a CLS-only last block is differentiated, `(B, C)`.
    let dcls: UnsafeMutablePointer<Float>

    init(_ buffer: ActivationBuffer, rows: Int, config: ModelConfig) {
        let c = config.width
        unsafe dresid = unsafe buffer.take(rows * c)
        unsafe dln = unsafe buffer.take(rows * c)
        unsafe dqkv = unsafe buffer.take(rows * 3 * c)
        unsafe dattOut = unsafe buffer.take(rows * c)
        unsafe dfch = unsafe buffer.take(rows * config.mlp)
        unsafe dcls = unsafe buffer.take(rows * c)
    }
}

/// A pre-LN transformer stack (`depth` blocks and a final LayerNorm) over parameters in the arena.
struct TransformerStack {
    let blocks: [BlockParameters]
    let lnWeight: Int, lnBias: Int
    let config: ModelConfig

    init(_ arena: ParameterArena, prefix: String, config: ModelConfig) {
        blocks = (0..<config.depth).map { BlockParameters(arena, "\(prefix).blocks.\($0)") }
        lnWeight = arena.tensor("\(prefix).ln.weight").offset
        lnBias = arena.tensor("\(prefix).ln.bias").offset
        self.config = config
    }

    /// Forward over `acts.resid[0] (B, N, C)` (filled by the caller) to `acts.out (B, N, C)`.
    /// `keyMask (B, N)`: 1 = attend; nil attends everywhere.
    @unsafe
    func forward(_ acts: StackActivations, params w: UnsafeMutablePointer<Float>, keyMask: UnsafePointer<Float>?) {
        let b = acts.batch, n = acts.tokens, rows = b * n, c = config.width, m = config.mlp
        for (l, p) in blocks.enumerated() {
            unsafe LayerNorm.forward(out: acts.ln1[l], mean: acts.ln1Mean[l], rstd: acts.ln1Rstd[l], inp: acts.resid[l],
                                     weight: w + p.ln1Weight, bias: w + p.ln1Bias, rows: rows, dim: c)
            unsafe Linear.forward(out: acts.qkv[l], inp: acts.ln1[l], weight: w + p.qkvWeight, bias: w + p.qkvBias,
                                  rows: rows, inDim: c, outDim: 3 * c)
            unsafe Attention.forward(out: acts.attOut[l], att: acts.att[l], qkv: acts.qkv[l], keyMask: keyMask,
                                     batch: b, tokens: n, dim: c, heads: config.heads)
            // Rows that continue past the attention: all, or only each sample's CLS row (compact) in the last block.
            let compact = acts.clsOnly && l == config.depth - 1
            let pr = compact ? b : rows
            unsafe Linear.forward(out: acts.resid2[l], inp: acts.attOut[l], weight: w + p.projWeight,
                                  bias: w + p.projBias, rows: pr, inDim: c, outDim: c, inStride: compact ? n * c : c)
            if compact {
                for bi in 0..<b { for k in 0..<c { unsafe acts.resid2[l][bi * c + k] += acts.resid[l][bi * n * c + k] } }
            } else {
                unsafe Elementwise.addInPlace(acts.resid2[l], acts.resid[l], count: rows * c)
            }
            unsafe LayerNorm.forward(out: acts.ln2[l], mean: acts.ln2Mean[l], rstd: acts.ln2Rstd[l], inp: acts.resid2[l],
                                     weight: w + p.ln2Weight, bias: w + p.ln2Bias, rows: pr, dim: c)
            unsafe Linear.forward(out: acts.fch[l], inp: acts.ln2[l], weight: w + p.fc1Weight, bias: w + p.fc1Bias,
                                  rows: pr, inDim: c, outDim: m)
            unsafe GELU.forward(out: acts.fchGelu[l], derivative: acts.fch[l], inp: acts.fch[l], count: pr * m)
            unsafe Linear.forward(out: acts.resid[l + 1], inp: acts.fchGelu[l], weight: w + p.fc2Weight,
                                  bias: w + p.fc2Bias, rows: pr, inDim: m, outDim: c)
            unsafe Elementwise.addInPlace(acts.resid[l + 1], acts.resid2[l], count: pr * c)
        }
        unsafe LayerNorm.forward(out: acts.out, mean: acts.outMean, rstd: acts.outRstd, inp: acts.resid[config.depth],
                                 weight: w + lnWeight, bias: w + lnBias, rows: acts.clsOnly ? b : rows, dim: c)
    }

    /// Backward from `dout`, the gradient of `acts.out` (`(B, N, C)`, or `(B, C)` for a CLS-only stack); accumulates
    /// parameter gradients into `g` and leaves the gradient of `acts.resid[0]` in `scratch.dresid`.
    @unsafe
    func backward(_ acts: StackActivations, dout: UnsafePointer<Float>, params w: UnsafeMutablePointer<Float>,
                  grads g: UnsafeMutablePointer<Float>, scratch s: StackScratch) {
        let b = acts.batch, n = acts.tokens, rows = b * n, c = config.width, m = config.mlp
        // While the rows are compact the residual gradient lives in `dcls`, then it is scattered into `dresid`.
        let top = unsafe acts.clsOnly ? s.dcls : s.dresid
        let topRows = acts.clsOnly ? b : rows
        unsafe top.update(repeating: 0, count: topRows * c)
        unsafe LayerNorm.backward(dinp: top, dweight: g + lnWeight, dbias: g + lnBias, dout: dout,
                                  inp: acts.resid[config.depth], weight: w + lnWeight, mean: acts.outMean,
                                  rstd: acts.outRstd, rows: topRows, dim: c)
        for (l, p) in blocks.enumerated().reversed() {
            let compact = acts.clsOnly && l == config.depth - 1
            let pr = compact ? b : rows
            let dr = unsafe compact ? s.dcls : s.dresid
            // MLP branch.
            unsafe Linear.backward(dinp: s.dfch, dweight: g + p.fc2Weight, dbias: g + p.fc2Bias, dout: dr,
                                   inp: acts.fchGelu[l], weight: w + p.fc2Weight, rows: pr, inDim: m, outDim: c)
            unsafe GELU.backward(dinp: s.dfch, derivative: acts.fch[l], dout: s.dfch, count: pr * m)
            unsafe Linear.backward(dinp: s.dln, dweight: g + p.fc1Weight, dbias: g + p.fc1Bias, dout: s.dfch,
                                   inp: acts.ln2[l], weight: w + p.fc1Weight, rows: pr, inDim: c, outDim: m)
            unsafe LayerNorm.backward(dinp: dr, dweight: g + p.ln2Weight, dbias: g + p.ln2Bias, dout: s.dln,
                                      inp: acts.resid2[l], weight: w + p.ln2Weight, mean: acts.ln2Mean[l],
                                      rstd: acts.ln2Rstd[l], rows: pr, dim: c)
            // Attention branch (non-CLS rows get no output gradient in a compact block).
            if compact { unsafe s.dattOut.update(repeating: 0, count: rows * c) }
            unsafe Linear.backward(dinp: s.dattOut, dweight: g + p.projWeight, dbias: g + p.projBias, dout: dr,
                                   inp: acts.attOut[l], weight: w + p.projWeight, rows: pr, inDim: c, outDim: c,
                                   inStride: compact ? n * c : c)
            if compact {
                unsafe s.dresid.update(repeating: 0, count: rows * c)
                for bi in 0..<b { for k in 0..<c { unsafe s.dresid[bi * n * c + k] = s.dcls[bi * c + k] } }
            }
            unsafe Attention.backward(dqkv: s.dqkv, dout: s.dattOut, qkv: acts.qkv[l], att: acts.att[l],
                                      batch: b, tokens: n, dim: c, heads: config.heads)
            unsafe Linear.backward(dinp: s.dln, dweight: g + p.qkvWeight, dbias: g + p.qkvBias, dout: s.dqkv,
                                   inp: acts.ln1[l], weight: w + p.qkvWeight, rows: rows, inDim: c, outDim: 3 * c)
            unsafe LayerNorm.backward(dinp: s.dresid, dweight: g + p.ln1Weight, dbias: g + p.ln1Bias, dout: s.dln,
                                      inp: acts.resid[l], weight: w + p.ln1Weight, mean: acts.ln1Mean[l],
                                      rstd: acts.ln1Rstd[l], rows: rows, dim: c)
        }
    }
}
