import CarinaLoader
import Foundation
import Testing
@testable import CarinaTrain

/// A fixture written by one of `Scripts/trainer-*-reference.py`: `<stem>.json` (the configuration, the batch's token
/// ids and masks, the parameter names and offsets, the cases and what PyTorch computed for each) beside `<stem>.bin`
/// (native-endian Float32s: the batch's images, its higher-resolution target images when `targetScale` > 1, the
/// parameters, then what the script computed, in the order of the JSON's `binLayout`).
struct ReferenceFixture {
    let meta: [String: Any]
    let config: ModelConfig
    /// Every Float32 of the `.bin` file.
    let floats: [Float]
    let batchSize: Int
    /// Floats of one parameter slab.
    let parameterCount: Int
    let names: [String], offsets: [Int]
    /// The scale of the target images (1: none).
    let targetScale: Int
    /// Floats of the batch's input images, the first in the `.bin` file.
    let imageCount: Int
    /// Where the parameters start: after the input and target images.
    let parameterStart: Int

    init(_ stem: String) throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        meta = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: dir.appendingPathComponent(stem + ".json"))) as? [String: Any])
        config = try JSONDecoder().decode(
            ModelConfig.self, from: JSONSerialization.data(withJSONObject: try #require(meta["config"])))
        let bin = try Data(contentsOf: dir.appendingPathComponent(stem + ".bin"))
        floats = bin.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let b = try #require(meta["batch"] as? Int), s = config.imageSize
        batchSize = b
        parameterCount = try #require(meta["parameterCount"] as? Int)
        names = try #require(meta["names"] as? [String])
        offsets = try #require(meta["offsets"] as? [Int])
        let r = meta["targetScale"] as? Int ?? 1
        targetScale = r
        imageCount = b * s * s
        parameterStart = imageCount + (r > 1 ? b * (r * s) * (r * s) : 0)
    }

    /// The initial parameters, in the arena's layout.
    var parameters: [Float] { slab(0) }

    /// The `index`th slab of `parameterCount` floats from the parameters (0: the parameters, then what the script
    /// wrote).
    func slab(_ index: Int) -> [Float] {
        Array(floats[(parameterStart + parameterCount * index)..<(parameterStart + parameterCount * (index + 1))])
    }

    /// The JSON's cases: each one's objective weights, loss parts and total.
    func cases() throws -> [[String: Any]] { try #require(meta["cases"] as? [[String: Any]]) }

    /// An integer array of `object` as Int32s.
    static func ints(_ object: [String: Any], _ key: String) throws -> [Int32] {
        try #require(object[key] as? [Int]).map { Int32($0) }
    }

    func ints(_ key: String) throws -> [Int32] { try Self.ints(meta, key) }

    func values(_ key: String) throws -> [Float] { try #require(meta[key] as? [Double]).map { Float($0) } }

    /// The batch of the fixture: its images (and target images) from the `.bin` file, its sections from the JSON, its
    /// concepts from the JSON when `concepts` (else all 0), keys `ref-0`, `ref-1`, ….
    func batch(concepts: Bool) throws -> TrainingBatch {
        let b = batchSize
        var batch = TrainingBatch(
            batchSize: b, imageSize: config.imageSize, textLength: config.textLength, conceptCount: config.concepts,
            images: Array(floats[0..<imageCount]), impressionIDs: try ints("impressionIDs"),
            impressionMask: try values("impressionMask"), findingsIDs: try ints("findingsIDs"),
            findingsMask: try values("findingsMask"),
            concepts: concepts ? try values("concepts") : [Float](repeating: 0, count: b * config.concepts),
            keys: (0..<b).map { "ref-\($0)" })
        if targetScale > 1 {
            batch.targetScale = targetScale
            batch.targetImages = Array(floats[imageCount..<parameterStart])
        }
        return batch
    }
}

/// The norms over `range` of the difference `mine − reference`, of `reference` and of `mine` (sums in Double).
func gradientNorms(_ mine: [Float], _ reference: [Float], _ range: Range<Int>) -> (difference: Double, reference: Double,
                                                                                  mine: Double) {
    var diff = 0.0, ref = 0.0, own = 0.0
    for j in range {
        diff += Double(mine[j] - reference[j]) * Double(mine[j] - reference[j])
        ref += Double(reference[j]) * Double(reference[j])
        own += Double(mine[j]) * Double(mine[j])
    }
    return (diff.squareRoot(), ref.squareRoot(), own.squareRoot())
}

/// Expects the model's gradient to be PyTorch's `reference` (in the arena's layout) tensor by tensor: the norm of
/// each tensor's difference within 1e-4 of the reference's norm plus `floor`.
///
/// - Returns: each tensor with its three norms (`gradientNorms`), in the arena's order.
@discardableResult
func expectGradientsMatch(_ model: DualEncoder, _ reference: [Float], floor: Double = 1e-7, label: String = "",
                          sourceLocation: SourceLocation = #_sourceLocation)
    -> [(tensor: ParameterTensor, difference: Double, reference: Double, mine: Double)] {
    let g = model.arena.allGradients
    return model.arena.tensors.map { t in
        let n = gradientNorms(g, reference, t.offset..<(t.offset + t.count))
        #expect(n.difference <= 1e-4 * n.reference + floor,
                "\(label)\(t.name): |Δg| \(n.difference) vs |g| \(n.reference)", sourceLocation: sourceLocation)
        return (t, n.difference, n.reference, n.mine)
    }
}

/// Expects each loss part whose weight in `weights` is on to be the case's PyTorch part (relative 1e-5, absolute
/// 1e-6), and the total to be the case's `loss` (relative 1e-5).
func expectLossesMatch(_ parts: [String: Double], total: Double, case c: [String: Any], weights: [String: Double],
                       label: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws {
    let reference = try #require(c["parts"] as? [String: Double], sourceLocation: sourceLocation)
    for (name, value) in parts where (weights[name] ?? 0) != 0 {
        let ref = reference[name]!
        #expect(abs(value - ref) <= 1e-5 * abs(ref) + 1e-6, "\(label)\(name) loss \(value) vs PyTorch \(ref)",
                sourceLocation: sourceLocation)
    }
    let expected = try #require(c["loss"] as? Double, sourceLocation: sourceLocation)
    #expect(abs(total - expected) <= 1e-5 * abs(expected), "total \(total) vs \(expected)", sourceLocation: sourceLocation)
}
