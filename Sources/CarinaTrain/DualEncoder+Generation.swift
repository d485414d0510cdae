import CarinaLoader
import CarinaTensor
import Foundation

/// Decoding impressions from images with HybridMED's captioning branch (see `ImpressionDecoder`).
extension DualEncoder {
    /// Greedy (`beam` 1) or beam-search decoding of an impression for each image of `batch`: the decoder starts
    /// from `startID` (`[CLS]`) and reads the image encoder's output; a sequence ends at `endID` (`[SEP]`) or after
    /// `maxLength` tokens counting the start (at most the model's text length). Returns each sample's generated ids
    /// without the start and end tokens.
    ///
    /// Beam search keeps the `beam` best live hypotheses per image by summed log-probability; a hypothesis that
    /// emits `endID` is set aside with its score divided by its length (tokens generated, `[SEP]` included), and
    /// the best of those wins (live hypotheses still running at `maxLength` are scored the same way). Ties go to
    /// the lower beam, then the lower token id, so decoding is deterministic.
    ///
    /// - Throws: `TrainError.invalidConfig` when the model has no impression decoder; the batch's own errors.
    public func generate(_ batch: TrainingBatch, beam: Int = 1, maxLength: Int? = nil, startID: Int32 = 101,
                         endID: Int32 = 102) throws -> [[Int32]] {
        guard let dec = impressionDecoder else {
            throw TrainError.invalidConfig("model \(config.name) has no impressionDecoder: train it with a generation objective (e.g. --objectives hybridmed)")
        }
        guard beam >= 1 else { throw TrainError.invalidOption("--beam \(beam) must be 1 or more") }
        _ = try embed(batch)
        let a = activations(batch: batch.batchSize)
        let b = batch.batchSize, k = beam, ni = config.imageTokens, cw = config.width, v = dec.vocab, d = dec.shape.width
        let limit = max(2, min(maxLength ?? config.textLength, config.textLength))
        var memory = [Float](repeating: 0, count: b * k * ni * cw)
        let image = unsafe a.image.out
        let stride = ni * cw
        for r in 0..<(b * k) {
            let src = (r / k) * stride, dst = r * stride
            for i in 0..<stride { memory[dst + i] = unsafe image[src + i] }
        }
        let buffer = ActivationBuffer()
        let run = DecoderActivations(buffer, batch: b * k, tokens: limit, memoryRows: ni, shape: dec.shape)
        var seqs = [[Int32]](repeating: [startID], count: b * k)
        var scores = [Double](repeating: -.infinity, count: b * k)
        for bi in 0..<b { scores[bi * k] = 0 }
        var finished = [[(tokens: [Int32], score: Double)]](repeating: [], count: b)
        var done = [Bool](repeating: false, count: b)
        var logits = [Float](repeating: 0, count: b * k * v), last = [Float](repeating: 0, count: b * k * d)
        for n in 1..<limit {
            if done.allSatisfy({ $0 }) { break }
            run.tokens = n
            // A finished image's rows stop growing: pad them to the step's length (their outputs are not read).
            var ids = [Int32](repeating: endID, count: b * k * n)
            for r in 0..<(b * k) { for (i, id) in seqs[r].prefix(n).enumerated() { ids[r * n + i] = id } }
            unsafe ids.withUnsafeBufferPointer { ip in
                unsafe memory.withUnsafeBufferPointer { mp in
                    unsafe dec.forward(run, params: arena.params, ids: ip.baseAddress!, memory: mp.baseAddress!,
                                       memoryRows: ni, memoryMask: nil)
                }
            }
            for r in 0..<(b * k) { for j in 0..<d { last[r * d + j] = unsafe run.out[(r * n + n - 1) * d + j] } }
            unsafe last.withUnsafeBufferPointer { lp in
                unsafe logits.withUnsafeMutableBufferPointer { op in
                    unsafe dec.logits(out: op.baseAddress!, inp: lp.baseAddress!, rows: b * k, params: arena.params)
                }
            }
            for r in 0..<(b * k) { Self.logSoftmax(&logits, row: r, count: v) }
            for bi in 0..<b where !done[bi] {
                // The best 2K continuations over the live beams, ordered by score, beam, token.
                var best: [(score: Double, beam: Int, token: Int32)] = []
                for j in 0..<k where scores[bi * k + j] > -.infinity {
                    let base = scores[bi * k + j], row = (bi * k + j) * v
                    for t in 0..<v {
                        let s = base + Double(logits[row + t])
                        if best.count == 2 * k, s <= best[best.count - 1].score { continue }
                        let at = best.firstIndex { s > $0.score } ?? best.count
                        best.insert((s, j, Int32(t)), at: at)
                        if best.count > 2 * k { best.removeLast() }
                    }
                }
                var nextSeqs: [[Int32]] = [], nextScores: [Double] = []
                for c in best {
                    let seq = seqs[bi * k + c.beam]
                    if c.token == endID {
                        finished[bi].append((Array(seq.dropFirst()), c.score / Double(seq.count)))
                    } else if nextSeqs.count < k {
                        nextSeqs.append(seq + [c.token])
                        nextScores.append(c.score)
                    }
                    if k == 1 { break }  // greedy: the single best token
                }
                if finished[bi].count >= k || nextSeqs.isEmpty {
                    done[bi] = true
                    continue
                }
                for j in 0..<k {
                    seqs[bi * k + j] = j < nextSeqs.count ? nextSeqs[j] : nextSeqs[0]
                    scores[bi * k + j] = j < nextSeqs.count ? nextScores[j] : -.infinity
                }
            }
        }
        return (0..<b).map { bi in
            var pool = finished[bi]
            if !done[bi] || pool.isEmpty {
                for j in 0..<k where scores[bi * k + j] > -.infinity {
                    let seq = seqs[bi * k + j]
                    pool.append((Array(seq.dropFirst()), scores[bi * k + j] / Double(max(seq.count - 1, 1))))
                }
            }
            var best = pool[0]
            for p in pool.dropFirst() where p.score > best.score { best = p }
            return best.tokens
        }
    }

    /// `x[row] ← x[row] − logsumexp(x[row])`, the sum in Double.
    static func logSoftmax(_ x: inout [Float], row r: Int, count v: Int) {
        var mx = -Float.infinity
        for j in 0..<v { mx = max(mx, x[r * v + j]) }
        var s = 0.0
        for j in 0..<v { s += Double(expf(x[r * v + j] - mx)) }
        let lse = mx + Float(log(s))
        for j in 0..<v { x[r * v + j] -= lse }
    }
}
