import CarinaLoader
import CarinaTensor
import Foundation
import Testing
@testable import CarinaTrain

/// MGCA's objectives (instance with the impression, the findings or both joined, learnable or fixed temperature;
/// token level both directions; prototypes; linear or 2-layer heads) against the PyTorch reference on the small configuration: the same
/// parameters and batch give the same loss parts and the same gradient for every parameter. Fixture made by
/// `Scripts/trainer-mgca-reference.py`.
@Suite(.serialized) struct MGCAReferenceTests {
    struct Fixture {
        let meta: [String: Any]
        let config: ModelConfig
        let batch: TrainingBatch
        let parameters: [Float]
        let gradients: [[Float]]
        let names: [String], offsets: [Int]
        let cases: [[String: Any]]
    }

    static func load(_ stem: String = "reference-mgca") throws -> Fixture {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let meta = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: dir.appendingPathComponent(stem + ".json"))) as? [String: Any])
        let config = try JSONDecoder().decode(
            ModelConfig.self, from: JSONSerialization.data(withJSONObject: try #require(meta["config"])))
        let bin = try Data(contentsOf: dir.appendingPathComponent(stem + ".bin"))
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
            findingsMask: try fl("findingsMask"), concepts: try fl("concepts"), keys: (0..<b).map { "ref-\($0)" })
        let grads = (0..<cases.count).map { c in
            Array(floats[(imageCount + n * (1 + c))..<(imageCount + n * (2 + c))])
        }
        return Fixture(meta: meta, config: config, batch: batch, parameters: Array(floats[imageCount..<(imageCount + n)]),
                       gradients: grads, names: try #require(meta["names"] as? [String]),
                       offsets: try #require(meta["offsets"] as? [Int]), cases: cases)
    }

    init() { BLAS.setThreads(1); Parallel.threads = 2 }

    static func segmenter(_ meta: [String: Any], vocabulary: Int) throws -> WordSegmenter {
        let from = try #require(meta["continuationFrom"] as? Int)
        let sep = try #require(meta["separatorID"] as? Int)
        return WordSegmenter(continuation: (0..<vocabulary).map { $0 >= from }, separatorID: Int32(sep))
    }

    @Test func wordIndexFromPiecesMatchesTheReference() throws {
        let f = try Self.load()
        let words = try Self.segmenter(f.meta, vocabulary: f.config.vocabSize)
        let expected = try #require(f.meta["findingsWordIndex"] as? [Int]).map { Int32($0) }
        let got = words.wordIndex(ids: f.batch.findingsIDs, mask: f.batch.findingsMask, batch: f.batch.batchSize,
                                  length: f.config.textLength)
        #expect(got.index == expected)
        #expect(got.index.contains { $0 >= 0 } && Set(got.index).count > 3)
    }

    /// Linear heads (`reference-mgca`) and MGCA's 2-layer heads (`reference-mgca-hidden`), three objective settings each.
    @Test(arguments: ["reference-mgca", "reference-mgca-hidden"], [0, 1, 2])
    func lossPartsAndGradientsMatchPyTorch(stem: String, caseIndex: Int) throws {
        try check(stem, caseIndex)
    }

    /// MRM's masked image modelling alone and with the global objective, on the reference's visible patches.
    /// (and with masked report modelling conditioned on it, on the reference's masked words).
    @Test(arguments: [0, 1, 2]) func maskedImageModellingMatchesPyTorch(caseIndex: Int) throws {
        try check("reference-mim", caseIndex)
    }

    func check(_ stem: String, _ caseIndex: Int) throws {
        let f = try Self.load(stem)
        let c = f.cases[caseIndex]
        let model = try DualEncoder(config: f.config, seed: 0)
        #expect(model.arena.tensors.map(\.name) == f.names)
        #expect(model.arena.tensors.map(\.offset) == f.offsets)
        model.arena.setAll(f.parameters)
        model.words = try Self.segmenter(f.meta, vocabulary: f.config.vocabSize)
        let textName = try #require(c["instanceText"] as? String)
        model.objectives.instanceText = try #require(InstanceText(rawValue: textName))
        model.objectives.instance.fixedTemperature = (c["instanceTemperature"] as? Double).map { Float($0) }
        if f.config.maskedImageDecoder != nil {
            model.visiblePatchOverride = try #require(f.meta["visiblePatches"] as? [Int])
        }
        if f.config.maskedReportHead == true {
            model.maskedReportOverride = try #require(f.meta["maskedReportIDs"] as? [Int]).map { Int32($0) }
            model.objectives.maskTokenID = Int32(try #require(f.meta["maskTokenID"] as? Int))
        }
        let w = try #require(c["weights"] as? [String: Double])
        let weights = LossWeights(global: Float(w["global"]!), local: Float(w["local"]!), graph: Float(w["graph"]!),
                                  token: Float(w["token"]!), prototype: Float(w["prototype"]!), mim: Float(w["mim"] ?? 0),
                                  mlm: Float(w["mlm"] ?? 0))
        model.arena.zeroGradients()
        let loss = try model.forward(f.batch, weights: weights)
        let parts = try #require(c["parts"] as? [String: Double])
        let mine: [String: Double] = ["global": loss.global, "local": loss.local, "graph": loss.graph,
                                      "token": loss.token, "prototype": loss.prototype, "mim": loss.mim, "mlm": loss.mlm]
        for (name, value) in mine where (w[name] ?? 0) != 0 {
            let ref = parts[name]!
            #expect(abs(value - ref) <= 1e-5 * abs(ref) + 1e-6, "\(c["name"]!): \(name) loss \(value) vs PyTorch \(ref)")
        }
        let total = try #require(c["loss"] as? Double)
        #expect(abs(loss.total - total) <= 1e-5 * abs(total), "total \(loss.total) vs \(total)")
        model.backward()
        let g = model.arena.allGradients, ref = f.gradients[caseIndex]
        var checked = 0
        for t in model.arena.tensors {
            let r = t.offset..<(t.offset + t.count)
            var diff = 0.0, norm = 0.0
            for j in r {
                diff += Double(g[j] - ref[j]) * Double(g[j] - ref[j])
                norm += Double(ref[j]) * Double(ref[j])
            }
            if norm > 0 { checked += 1 }
            #expect(diff.squareRoot() <= 1e-4 * norm.squareRoot() + 1e-7,
                    "\(c["name"]!): \(t.name): |Δg| \(diff.squareRoot()) vs |g| \(norm.squareRoot())")
        }
        #expect(checked > model.arena.tensors.count / 2)
    }
}
