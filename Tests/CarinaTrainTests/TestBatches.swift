import CarinaLoader
import CarinaTrain
import Foundation

/// The small configuration of `schemas/models/carina-test.json`.
let testConfig = ModelConfig(name: "carina-test", imageSize: 32, patchSize: 8, width: 32, depth: 2, heads: 2, mlp: 64,
                             vocabSize: 200, textLength: 16, projection: 16, concepts: 8)

/// A seeded random batch of the right shapes: CLS (id 101) first, lengths drawn per sample, padding id 0.
func randomBatch(_ config: ModelConfig, batch b: Int, seed: UInt64) -> TrainingBatch {
    var rng = SeededGenerator(seed: seed)
    let s = config.imageSize, t = config.textLength
    let images = (0..<(b * s * s)).map { _ in Float(rng.normal()) }
    func text(_ lo: Int, _ hi: Int) -> ([Int32], [Float]) {
        var ids = [Int32](repeating: 0, count: b * t), mask = [Float](repeating: 0, count: b * t)
        for bi in 0..<b {
            let len = lo + Int(rng.next() % UInt64(hi - lo + 1))
            for i in 0..<len {
                ids[bi * t + i] = i == 0 ? 101 : Int32(102 + Int(rng.next() % UInt64(config.vocabSize - 102)))
                mask[bi * t + i] = 1
            }
        }
        return (ids, mask)
    }
    let (imp, impMask) = text(3, t / 2), (fin, finMask) = text(t / 2, t)
    let concepts = (0..<(b * config.concepts)).map { _ in Float(rng.nextUnitDouble() < 0.25 ? 1 : 0) }
    return TrainingBatch(batchSize: b, imageSize: s, textLength: t, conceptCount: config.concepts, images: images,
                         impressionIDs: imp, impressionMask: impMask, findingsIDs: fin, findingsMask: finMask,
                         concepts: concepts, keys: (0..<b).map { "sample-\(seed)-\($0)" })
}

/// An in-memory batch source whose state is the index of the next batch (8 bytes, little-endian).
struct ArraySource: BatchSource {
    var batches: [TrainingBatch]
    var next = 0

    mutating func nextBatch() throws -> TrainingBatch? {
        guard next < batches.count else { return nil }
        defer { next += 1 }
        return batches[next]
    }

    var state: [UInt8] { withUnsafeBytes(of: UInt64(next).littleEndian) { Array($0) } }

    mutating func restore(_ state: [UInt8]) throws {
        guard state.count == 8 else { throw TrainError.invalidCheckpoint("array source state must be 8 bytes") }
        next = Int(state.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
    }
}
