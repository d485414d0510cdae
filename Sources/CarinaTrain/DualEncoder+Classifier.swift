import CarinaTensor
import Foundation

/// A multi-label classifier on a dual encoder's image encoder, for full fine-tuning (ARCHITECTURE.md: `CarinaTrain`):
/// `logits (B, L) = W · CLS + b`, where `CLS (B, C)` is the image stack's output at the CLS position (after its final
/// LayerNorm) and `W (L, C)`, `b (L)` live in their own arena (`classifier.weight`, `classifier.bias`), initialised
/// as PyTorch's `nn.Linear` (`U(±1/√C)`). The loss is binary cross-entropy with logits over the labelled entries
/// (`Losses.maskedBinaryCrossEntropyWithLogits`). The backward pass reaches every image-encoder parameter (patch
/// embedding, CLS, positions, blocks, final LayerNorm: `encoderRange` of the encoder's arena); the text tower and the
/// projection heads are not used.
public final class ImageClassifier {
    public let encoder: DualEncoder
    public let head: ParameterArena
    public let labelCount: Int
    /// The contiguous range of the encoder's arena holding the image encoder's parameters (`image.*`).
    public let encoderRange: Range<Int>
    private var logits: [Float] = [], dlogits: [Float] = []
    private var lastBatch = 0

    /// A head of `labels` outputs drawn from `seed` on `encoder`.
    public init(encoder: DualEncoder, labels: Int, seed: UInt64) {
        precondition(labels > 0, "a classifier needs at least one label")
        self.encoder = encoder
        labelCount = labels
        let c = encoder.config.width
        head = ParameterArena([("classifier.weight", [labels, c]), ("classifier.bias", [labels])])
        var rng = SeededGenerator(seed: seed)
        let bound = 1 / Double(c).squareRoot()
        let p = unsafe head.params
        for i in 0..<head.count { unsafe p[i] = Float((rng.nextUnitDouble() * 2 - 1) * bound) }
        let image = encoder.arena.tensors.filter { $0.name.hasPrefix("image.") }
        let lower = image.map(\.offset).min() ?? 0, upper = image.map { $0.offset + $0.count }.max() ?? 0
        precondition(
            image.reduce(0) { $0 + $1.count } == upper - lower, "the image encoder's parameters are not contiguous")
        encoderRange = lower..<upper
    }

    /// Logits `(B, L)` of `images (B, 1, S, S)`; the activations stay for `backward`.
    public func logits(images: [Float], batch b: Int) throws -> [Float] {
        let c = encoder.config
        guard b > 0, images.count == b * c.imageSize * c.imageSize else {
            throw TrainError.invalidBatch("\(images.count) pixels for \(b) images of \(c.imageSize)×\(c.imageSize)")
        }
        guard images.allSatisfy({ $0.isFinite }) else { throw TrainError.invalidBatch("images hold non-finite values") }
        let a = encoder.activations(batch: b)
        unsafe encoder.embedPatches(images, a, batch: b)
        unsafe encoder.encodePatches(a, batch: b)
        logits = [Float](repeating: 0, count: b * labelCount)
        let hw = unsafe head.params, cw = c.width
        unsafe logits.withUnsafeMutableBufferPointer { out in
            unsafe Linear.forward(
                out: out.baseAddress!, inp: a.image.out, weight: hw, bias: hw + labelCount * cw, rows: b,
                inDim: cw, outDim: labelCount, inStride: c.imageTokens * cw)
        }
        lastBatch = b
        return logits
    }

    /// The masked BCE of `images` against `targets (B, L)` where `mask (B, L)` is 1; keeps what `backward` needs.
    public func loss(images: [Float], targets: [Float], mask: [Float], batch b: Int) throws -> Double {
        let n = b * labelCount
        guard targets.count == n, mask.count == n else {
            throw TrainError.invalidBatch(
                "\(targets.count) targets and \(mask.count) mask values for \(b) samples of \(labelCount) labels")
        }
        let x = try logits(images: images, batch: b)
        dlogits = [Float](repeating: 0, count: n)
        return unsafe x.withUnsafeBufferPointer { xp in
            unsafe targets.withUnsafeBufferPointer { yp in
                unsafe mask.withUnsafeBufferPointer { mp in
                    unsafe dlogits.withUnsafeMutableBufferPointer { dp in
                        unsafe Losses.maskedBinaryCrossEntropyWithLogits(
                            logits: xp.baseAddress!, targets: yp.baseAddress!, mask: mp.baseAddress!, count: n,
                            dlogits: dp.baseAddress!)
                    }
                }
            }
        }
    }

    /// Backward of the last `loss`: accumulates the head's gradients into `head` and the image encoder's into the
    /// encoder's arena.
    public func backward() {
        let b = lastBatch
        precondition(b > 0 && dlogits.count == b * labelCount, "backward() needs a loss() first")
        let c = encoder.config, cw = c.width, ni = c.imageTokens
        let a = encoder.activations(batch: b)
        let hw = unsafe head.params, hg = unsafe head.grads
        unsafe a.dvi.update(repeating: 0, count: b * ni * cw)
        unsafe dlogits.withUnsafeBufferPointer { dp in
            unsafe Linear.backward(
                dinp: a.dvi, dweight: hg, dbias: hg + labelCount * cw, dout: dp.baseAddress!,
                inp: a.image.out, weight: hw, rows: b, inDim: cw, outDim: labelCount,
                inStride: ni * cw)
        }
        unsafe encoder.backwardImage(a, batch: b)
    }

    /// Zeroes the gradients of the head and of the image encoder.
    public func zeroGradients() {
        head.zeroGradients()
        encoder.arena.zeroGradients(encoderRange)
    }
}
