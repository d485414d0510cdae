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
    /// A fixture with its batch, cases and each case's gradient; the rest is read through to the `ReferenceFixture`.
    @dynamicMemberLookup struct Fixture {
        let reference: ReferenceFixture
        let batch: TrainingBatch
        let gradients: [[Float]]
        /// The BatchNorm heads' running statistics after each case's forward (empty without them).
        let runningStatistics: [[Float]]
        let cases: [[String: Any]]

        subscript<T>(dynamicMember path: KeyPath<ReferenceFixture, T>) -> T { reference[keyPath: path] }
    }

    static func load(_ stem: String = "reference-mgca") throws -> Fixture {
        let f = try ReferenceFixture(stem)
        let n = f.parameterCount, cases = try f.cases()
        let nb = f.meta["bufferCount"] as? Int ?? 0
        #expect(f.floats.count == f.parameterStart + n * (1 + cases.count) + nb * cases.count)
        let statsStart = f.parameterStart + n * (1 + cases.count)
        let stats = nb == 0 ? [] : (0..<cases.count).map { Array(f.floats[(statsStart + nb * $0)..<(statsStart + nb * ($0 + 1))]) }
        return Fixture(reference: f, batch: try f.batch(concepts: true), gradients: (0..<cases.count).map { f.slab(1 + $0) },
                       runningStatistics: stats, cases: cases)
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
        let mine: [String: Double] = ["global": loss.global, "local": loss.local, "graph": loss.graph,
                                      "token": loss.token, "prototype": loss.prototype, "mim": loss.mim, "mlm": loss.mlm]
        try expectLossesMatch(mine, total: loss.total, case: c, weights: w, label: "\(c["name"]!): ")
        if !f.runningStatistics.isEmpty {
            let start = model.arena.trainableCount, mine = Array(model.arena.allParameters[start...])
            let ref = f.runningStatistics[caseIndex], before = Array(f.parameters[start...])
            #expect(mine.count == ref.count && mine != before)
            for (i, (x, r)) in zip(mine, ref).enumerated() {
                #expect(abs(x - r) <= 1e-5 * abs(r) + 1e-6, "\(c["name"]!): running statistic \(i): \(x) vs PyTorch \(r)")
            }
        }
        model.backward()
        let ref = f.gradients[caseIndex]
        // With BatchNorm heads the Linear biases before a norm (and a final LayerNorm bias read only through such
        // heads) have a gradient that is zero up to rounding, the rounding of the large terms that cancel: every
        // tensor is held to the whole gradient's scale as well, and those biases must be that small on both sides.
        let batchNorm = f.config.projectionNorm == .batch
        let whole = ref.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let norms = expectGradientsMatch(model, ref, floor: batchNorm ? 1e-6 * whole : 1e-7, label: "\(c["name"]!): ")
        for (t, _, norm, mine) in norms {
            let head = t.name.split(separator: ".").first.map(String.init) ?? ""
            if batchNorm, ["img_g", "img_l", "txt_g", "txt_l"].contains(head),
               t.name.hasSuffix(".0.bias") || t.name.hasSuffix(".3.bias") {
                #expect(norm <= 1e-5 * whole && mine <= 1e-5 * whole, "\(t.name)")
            }
        }
        #expect(norms.filter { $0.reference > 0 }.count > model.arena.tensors.count / 2)
    }
}
