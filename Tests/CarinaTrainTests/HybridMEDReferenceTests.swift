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
        let f = try ReferenceFixture("reference-hybridmed")
        #expect(f.config.impressionDecoder != nil)
        let cases = try f.cases()
        #expect(f.floats.count == f.parameterStart + f.parameterCount * (1 + cases.count))
        let batch = try f.batch(concepts: false)
        let c = cases[caseIndex]
        let model = try DualEncoder(config: f.config, seed: 0)
        #expect(model.arena.tensors.map(\.name) == f.names)
        model.arena.setAll(f.parameters)
        model.objectives.distillTemperature = Float(try #require(c["temperature"] as? Double))
        model.words = WordSegmenter(separatorID: 102)  // every piece a word, [SEP] none, as the reference
        let w = try #require(c["weights"] as? [String: Double])
        var weights = LossWeights(global: Float(w["global"]!), local: 0, graph: 0, token: Float(w["token"]!))
        weights.caption = Float(w["caption"]!); weights.summary = Float(w["summary"]!); weights.distill = Float(w["distill"]!)
        model.arena.zeroGradients()
        let loss = try model.forward(batch, weights: weights)
        let mine = ["global": loss.global, "token": loss.token, "caption": loss.caption, "summary": loss.summary,
                    "distill": loss.distill]
        try expectLossesMatch(mine, total: loss.total, case: c, weights: w)
        #expect(loss.distill > 0.01, "the branches' distributions should differ in the fixture")
        model.backward()
        let norms = expectGradientsMatch(model, f.slab(1 + caseIndex))
        #expect(norms.filter { $0.reference > 0 }.count > model.arena.tensors.count * 3 / 4)
    }
}
