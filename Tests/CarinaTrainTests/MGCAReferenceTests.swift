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
        /// The BatchNorm heads' running statistics after each case's forward (empty without them).
        let runningStatistics: [[Float]]
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
        let s0 = config.imageSize
        let cases = try #require(meta["cases"] as? [[String: Any]])
        // MRM's higher-resolution target: its images follow the input images.
        let r = meta["targetScale"] as? Int ?? 1, targetCount = r > 1 ? b * (r * s0) * (r * s0) : 0
        let s = s0, imageCount = b * s * s + targetCount
        let nb = meta["bufferCount"] as? Int ?? 0
        #expect(floats.count == imageCount + n * (1 + cases.count) + nb * cases.count)
        func ints(_ k: String) throws -> [Int32] { try #require(meta[k] as? [Int]).map { Int32($0) } }
        func fl(_ k: String) throws -> [Float] { try #require(meta[k] as? [Double]).map { Float($0) } }
        var batch = TrainingBatch(
            batchSize: b, imageSize: s, textLength: config.textLength, conceptCount: config.concepts,
            images: Array(floats[0..<(b * s * s)]), impressionIDs: try ints("impressionIDs"),
            impressionMask: try fl("impressionMask"), findingsIDs: try ints("findingsIDs"),
            findingsMask: try fl("findingsMask"), concepts: try fl("concepts"), keys: (0..<b).map { "ref-\($0)" })
        if r > 1 {
            batch.targetScale = r
            batch.targetImages = Array(floats[(b * s * s)..<imageCount])
        }
        let grads = (0..<cases.count).map { c in
            Array(floats[(imageCount + n * (1 + c))..<(imageCount + n * (2 + c))])
        }
        let statsStart = imageCount + n * (1 + cases.count)
        let stats = nb == 0 ? [] : (0..<cases.count).map { Array(floats[(statsStart + nb * $0)..<(statsStart + nb * ($0 + 1))]) }
        return Fixture(meta: meta, config: config, batch: batch, parameters: Array(floats[imageCount..<(imageCount + n)]),
                       gradients: grads, runningStatistics: stats, names: try #require(meta["names"] as? [String]),
                       offsets: try #require(meta["offsets"] as? [Int]), cases: cases)
    }

    init() { BLAS.setThreads(1) }

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

    /// MGCA's heads with their BatchNorms (`reference-mgca-bn`): batch statistics over each use's valid rows, the
    /// running statistics moved as PyTorch moves them (checked after the forward), the same three settings.
    @Test(arguments: [0, 1, 2]) func batchNormHeadsMatchPyTorch(caseIndex: Int) throws {
        try check("reference-mgca-bn", caseIndex)
    }

    /// MRM's masked image modelling alone and with the global objective, on the reference's visible patches.
    /// (and with masked report modelling conditioned on it, on the reference's masked words).
    @Test(arguments: [0, 1, 2]) func maskedImageModellingMatchesPyTorch(caseIndex: Int) throws {
        try check("reference-mim", caseIndex)
    }

    /// The same with MRM's higher-resolution target (`reference-mim-hr`, scale 2): each masked patch's 16×16 pixels
    /// of a 64×64 target, the decoder predicting 256 values per patch.
    @Test(arguments: [0, 1, 2]) func higherResolutionTargetMatchesPyTorch(caseIndex: Int) throws {
        try check("reference-mim-hr", caseIndex)
    }

    @Test func aHigherResolutionTargetNeedsTheBatchsTargetImages() throws {
        let f = try Self.load("reference-mim-hr")
        #expect(f.config.targetScale == 2 && f.batch.targetImages.count == 4 * 64 * 64)
        let model = try DualEncoder(config: f.config, seed: 0)
        #expect(model.arena.tensor("mim.pred.weight").shape == [256, 24])
        var batch = f.batch
        batch.targetImages = []
        batch.targetScale = 1
        #expect(throws: TrainError.self) { try model.forward(batch, weights: LossWeights(global: 0, local: 0, graph: 0, mim: 1)) }
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
        if !f.runningStatistics.isEmpty {
            let start = model.arena.trainableCount, mine = Array(model.arena.allParameters[start...])
            let ref = f.runningStatistics[caseIndex], before = Array(f.parameters[start...])
            #expect(mine.count == ref.count && mine != before)
            for (i, (x, r)) in zip(mine, ref).enumerated() {
                #expect(abs(x - r) <= 1e-5 * abs(r) + 1e-6, "\(c["name"]!): running statistic \(i): \(x) vs PyTorch \(r)")
            }
        }
        let total = try #require(c["loss"] as? Double)
        #expect(abs(loss.total - total) <= 1e-5 * abs(total), "total \(loss.total) vs \(total)")
        model.backward()
        let g = model.arena.allGradients, ref = f.gradients[caseIndex]
        // With BatchNorm heads the Linear biases before a norm (and a final LayerNorm bias read only through such
        // heads) have a gradient that is zero up to rounding, the rounding of the large terms that cancel: every
        // tensor is held to the whole gradient's scale as well, and those biases must be that small on both sides.
        let batchNorm = f.config.projectionNorm == .batch
        let whole = ref.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        var checked = 0
        for t in model.arena.tensors {
            let r = t.offset..<(t.offset + t.count)
            var diff = 0.0, norm = 0.0, mine = 0.0
            for j in r {
                diff += Double(g[j] - ref[j]) * Double(g[j] - ref[j])
                norm += Double(ref[j]) * Double(ref[j])
                mine += Double(g[j]) * Double(g[j])
            }
            if norm > 0 { checked += 1 }
            #expect(diff.squareRoot() <= 1e-4 * norm.squareRoot() + (batchNorm ? 1e-6 * whole : 1e-7),
                    "\(c["name"]!): \(t.name): |Δg| \(diff.squareRoot()) vs |g| \(norm.squareRoot())")
            let head = t.name.split(separator: ".").first.map(String.init) ?? ""
            if batchNorm, ["img_g", "img_l", "txt_g", "txt_l"].contains(head),
               t.name.hasSuffix(".0.bias") || t.name.hasSuffix(".3.bias") {
                #expect(norm.squareRoot() <= 1e-5 * whole && mine.squareRoot() <= 1e-5 * whole, "\(t.name)")
            }
        }
        #expect(checked > model.arena.tensors.count / 2)
    }
}
