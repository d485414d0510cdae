import CarinaLoader
import CarinaTensor
import Foundation
import Testing
@testable import CarinaTrain

/// Carina's trainer against the PyTorch reference (`../shared/bench/trainer_baseline.py`) on the small configuration:
/// the same initial parameters and batch must give the same loss, the same gradient for every parameter, and the
/// same parameters after an AdamW update. Fixture made by `Scripts/trainer-export-reference.py`.
@Suite(.serialized) struct ReferenceMatchTests {
    struct Fixture {
        let meta: [String: Any]
        let config: ModelConfig
        let batch: TrainingBatch
        let parameters: [Float], gradients: [Float], parametersAfterOneUpdate: [Float]
        let names: [String], offsets: [Int], counts: [Int]
    }

    static func load() throws -> Fixture {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let meta = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: dir.appendingPathComponent("reference-small.json"))) as? [String: Any])
        let config = try JSONDecoder().decode(
            ModelConfig.self, from: JSONSerialization.data(withJSONObject: try #require(meta["config"])))
        let bin = try Data(contentsOf: dir.appendingPathComponent("reference-small.bin"))
        let floats: [Float] = bin.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let b = try #require(meta["batch"] as? Int), n = try #require(meta["parameterCount"] as? Int)
        let s = config.imageSize
        let imageCount = b * s * s
        #expect(floats.count == imageCount + 3 * n)
        func ints(_ k: String) throws -> [Int32] { try #require(meta[k] as? [Int]).map { Int32($0) } }
        func fl(_ k: String) throws -> [Float] { try #require(meta[k] as? [Double]).map { Float($0) } }
        let batch = TrainingBatch(
            batchSize: b, imageSize: s, textLength: config.textLength, conceptCount: config.concepts,
            images: Array(floats[0..<imageCount]), impressionIDs: try ints("impressionIDs"),
            impressionMask: try fl("impressionMask"), findingsIDs: try ints("findingsIDs"),
            findingsMask: try fl("findingsMask"), concepts: try fl("concepts"), keys: (0..<b).map { "ref-\($0)" })
        let shapes = try #require(meta["shapes"] as? [[Int]])
        return Fixture(meta: meta, config: config, batch: batch,
                       parameters: Array(floats[imageCount..<(imageCount + n)]),
                       gradients: Array(floats[(imageCount + n)..<(imageCount + 2 * n)]),
                       parametersAfterOneUpdate: Array(floats[(imageCount + 2 * n)...]),
                       names: try #require(meta["names"] as? [String]), offsets: try #require(meta["offsets"] as? [Int]),
                       counts: shapes.map { $0.reduce(1, *) })
    }

    init() { BLAS.setThreads(1) }

    @Test func layoutLossGradientsAndUpdateMatchPyTorch() throws {
        let f = try Self.load()
        let model = try DualEncoder(config: f.config, seed: 0)
        // Same names, shapes and order as PyTorch's named_parameters.
        #expect(model.arena.tensors.map(\.name) == f.names)
        #expect(model.arena.tensors.map(\.offset) == f.offsets)
        for (i, name) in f.names.enumerated() {
            model.arena.setValues(name, Array(f.parameters[f.offsets[i]..<(f.offsets[i] + f.counts[i])]))
        }
        model.arena.zeroGradients()
        let loss = try model.forward(f.batch, weights: LossWeights())
        let losses = try #require(f.meta["lossesPerUpdate"] as? [Double])
        #expect(abs(loss.total - losses[0]) < 1e-5 * abs(losses[0]), "loss \(loss.total) vs PyTorch \(losses[0])")
        model.backward()
        let g = model.arena.allGradients
        let norms = try #require(f.meta["gradientNorms"] as? [String: Double])
        for (i, name) in f.names.enumerated() {
            let r = f.offsets[i]..<(f.offsets[i] + f.counts[i])
            var diff = 0.0, ref = 0.0, mine = 0.0
            for j in r {
                diff += Double(g[j] - f.gradients[j]) * Double(g[j] - f.gradients[j])
                ref += Double(f.gradients[j]) * Double(f.gradients[j])
                mine += Double(g[j]) * Double(g[j])
            }
            let refNorm = ref.squareRoot()
            #expect(abs(refNorm - (norms[name] ?? -1)) <= 1e-4 * max(refNorm, 1e-6))
            // Relative error of the whole tensor's gradient (absolute floor for near-zero gradients).
            #expect(diff.squareRoot() <= 1e-4 * refNorm + 1e-7,
                    "\(name): |Δg| \(diff.squareRoot()) vs |g| \(refNorm) (ours \(mine.squareRoot()))")
        }
        // One AdamW update (lr 1e-4, weight decay 0.05, no clipping) from the reference's gradients' state.
        AdamW(weightDecay: 0.05).update(model.arena, step: 1, learningRate: 1e-4)
        let p1 = model.arena.allParameters
        var worst: Float = 0
        for j in 0..<p1.count { worst = max(worst, abs(p1[j] - f.parametersAfterOneUpdate[j])) }
        // The first Adam step moves each parameter by ~lr·sign(g); tiny gradients may flip, so allow ≤ 2·lr.
        #expect(worst <= 2.1e-4)
        // Where the gradient is well above Adam's ε the step ≈ lr·g/|g| is well conditioned: match to 1e-6.
        var moved = 0, conditioned = 0
        for j in 0..<p1.count where abs(f.gradients[j]) > 1e-5 {
            conditioned += 1
            if abs(p1[j] - f.parametersAfterOneUpdate[j]) > 1e-6 { moved += 1 }
        }
        #expect(conditioned > p1.count / 2)
        #expect(moved == 0, "\(moved) of \(conditioned) parameters differ by more than 1e-6 after the update")
        // Further updates on the same batch follow the reference's losses.
        for k in 1..<losses.count {
            if k > 1 {
                model.arena.zeroGradients()
                try model.forward(f.batch, weights: LossWeights())
                model.backward()
                AdamW(weightDecay: 0.05).update(model.arena, step: k, learningRate: 1e-4)
            }
            model.arena.zeroGradients()
            let l = try model.forward(f.batch, weights: LossWeights())
            #expect(abs(l.total - losses[k]) < 2e-5 * abs(losses[k]), "loss after \(k) updates \(l.total) vs \(losses[k])")
            model.backward()  // keeps the arena's gradients for the next update
        }
    }
}
