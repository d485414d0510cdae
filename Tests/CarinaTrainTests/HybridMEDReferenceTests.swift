import CarinaLoader
import CarinaTensor
import Foundation
import Testing
@testable import CarinaTrain

/// HybridMED's objectives against the PyTorch reference on the small configuration with a two-block impression
/// decoder: the same parameters and batch (one sample's findings and another's impression empty) give the same loss
/// parts and the same gradient for every parameter. Fixture made by `Scripts/trainer-hybridmed-reference.py`.
@Suite(.serialized) struct HybridMEDReferenceTests {
    init() { BLAS.setThreads(1) }

    @Test(arguments: [0, 1]) func lossPartsAndGradientsMatchPyTorch(caseIndex: Int) throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let meta = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: dir.appendingPathComponent("reference-hybridmed.json"))) as? [String: Any])
        let config = try JSONDecoder().decode(
            ModelConfig.self, from: JSONSerialization.data(withJSONObject: try #require(meta["config"])))
        #expect(config.impressionDecoder != nil)
        let bin = try Data(contentsOf: dir.appendingPathComponent("reference-hybridmed.bin"))
        let floats: [Float] = bin.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let b = try #require(meta["batch"] as? Int), n = try #require(meta["parameterCount"] as? Int)
        let cases = try #require(meta["cases"] as? [[String: Any]])
        let s = config.imageSize, imageCount = b * s * s
        #expect(floats.count == imageCount + n * (1 + cases.count))
        func ints(_ k: String) throws -> [Int32] { try #require(meta[k] as? [Int]).map { Int32($0) } }
        func fl(_ k: String) throws -> [Float] { try #require(meta[k] as? [Double]).map { Float($0) } }
        let batch = TrainingBatch(
            batchSize: b, imageSize: s, textLength: config.textLength, conceptCount: config.concepts,
            images: Array(floats[0..<imageCount]), impressionIDs: try ints("impressionIDs"),
            impressionMask: try fl("impressionMask"), findingsIDs: try ints("findingsIDs"),
            findingsMask: try fl("findingsMask"), concepts: [Float](repeating: 0, count: b * config.concepts),
            keys: (0..<b).map { "ref-\($0)" })
        let c = cases[caseIndex]
        let model = try DualEncoder(config: config, seed: 0)
        #expect(model.arena.tensors.map(\.name) == (try #require(meta["names"] as? [String])))
        model.arena.setAll(Array(floats[imageCount..<(imageCount + n)]))
        model.objectives.distillTemperature = Float(try #require(c["temperature"] as? Double))
        model.words = WordSegmenter(separatorID: 102)  // every piece a word, [SEP] none, as the reference
        let w = try #require(c["weights"] as? [String: Double])
        var weights = LossWeights(global: Float(w["global"]!), local: 0, graph: 0, token: Float(w["token"]!))
        weights.caption = Float(w["caption"]!); weights.summary = Float(w["summary"]!); weights.distill = Float(w["distill"]!)
        model.arena.zeroGradients()
        let loss = try model.forward(batch, weights: weights)
        let parts = try #require(c["parts"] as? [String: Double])
        let mine = ["global": loss.global, "token": loss.token, "caption": loss.caption, "summary": loss.summary,
                    "distill": loss.distill]
        for (name, value) in mine where w[name]! != 0 {
            let ref = parts[name]!
            #expect(abs(value - ref) <= 1e-5 * abs(ref) + 1e-6, "\(name) loss \(value) vs PyTorch \(ref)")
        }
        #expect(loss.distill > 0.01, "the branches' distributions should differ in the fixture")
        let total = try #require(c["loss"] as? Double)
        #expect(abs(loss.total - total) <= 1e-5 * abs(total), "total \(loss.total) vs \(total)")
        model.backward()
        let grads = model.arena.allGradients
        let ref = Array(floats[(imageCount + n * (1 + caseIndex))..<(imageCount + n * (2 + caseIndex))])
        var checked = 0
        for t in model.arena.tensors {
            var diff = 0.0, norm = 0.0
            for j in t.offset..<(t.offset + t.count) {
                diff += Double(grads[j] - ref[j]) * Double(grads[j] - ref[j])
                norm += Double(ref[j]) * Double(ref[j])
            }
            if norm > 0 { checked += 1 }
            #expect(diff.squareRoot() <= 1e-4 * norm.squareRoot() + 1e-7,
                    "\(t.name): |Δg| \(diff.squareRoot()) vs |g| \(norm.squareRoot())")
        }
        #expect(checked > model.arena.tensors.count * 3 / 4)
    }
}
