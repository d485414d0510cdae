import CarinaLoader
import CarinaTensor
import Foundation
import Testing
@testable import CarinaTrain

/// Carina's trainer against the PyTorch reference (`../shared/bench/trainer_baseline.py`) on the small configuration:
/// the same initial parameters and batch must give the same loss, the same gradient for every parameter, and the
/// same parameters after an AdamW update. Fixture made by `Scripts/trainer-export-reference.py`.
@Suite(.serialized) struct ReferenceMatchTests {
    init() { BLAS.setThreads(1) }

    @Test func layoutLossGradientsAndUpdateMatchPyTorch() throws {
        let f = try ReferenceFixture("reference-small")
        let n = f.parameterCount
        #expect(f.floats.count == f.parameterStart + 3 * n)
        let batch = try f.batch(concepts: true)
        let parameters = f.parameters, gradients = f.slab(1)
        let parametersAfterOneUpdate = Array(f.floats[(f.parameterStart + 2 * n)...])
        let counts = try #require(f.meta["shapes"] as? [[Int]]).map { $0.reduce(1, *) }
        let model = try DualEncoder(config: f.config, seed: 0)
        // Same names, shapes and order as PyTorch's named_parameters.
        #expect(model.arena.tensors.map(\.name) == f.names)
        #expect(model.arena.tensors.map(\.offset) == f.offsets)
        for (i, name) in f.names.enumerated() {
            model.arena.setValues(name, Array(parameters[f.offsets[i]..<(f.offsets[i] + counts[i])]))
        }
        model.arena.zeroGradients()
        let loss = try model.forward(batch, weights: LossWeights())
        let losses = try #require(f.meta["lossesPerUpdate"] as? [Double])
        #expect(abs(loss.total - losses[0]) < 1e-5 * abs(losses[0]), "loss \(loss.total) vs PyTorch \(losses[0])")
        model.backward()
        let g = model.arena.allGradients
        let norms = try #require(f.meta["gradientNorms"] as? [String: Double])
        for (i, name) in f.names.enumerated() {
            let r = gradientNorms(g, gradients, f.offsets[i]..<(f.offsets[i] + counts[i]))
            #expect(abs(r.reference - (norms[name] ?? -1)) <= 1e-4 * max(r.reference, 1e-6))
            // Relative error of the whole tensor's gradient (absolute floor for near-zero gradients).
            #expect(r.difference <= 1e-4 * r.reference + 1e-7,
                    "\(name): |Δg| \(r.difference) vs |g| \(r.reference) (ours \(r.mine))")
        }
        // One AdamW update (lr 1e-4, weight decay 0.05, no clipping) from the reference's gradients' state.
        AdamW(weightDecay: 0.05).update(model.arena, step: 1, learningRate: 1e-4)
        let p1 = model.arena.allParameters
        var worst: Float = 0
        for j in 0..<p1.count { worst = max(worst, abs(p1[j] - parametersAfterOneUpdate[j])) }
        // The first Adam step moves each parameter by ~lr·sign(g); tiny gradients may flip, so allow ≤ 2·lr.
        #expect(worst <= 2.1e-4)
        // Where the gradient is well above Adam's ε the step ≈ lr·g/|g| is well conditioned: match to 1e-6.
        var moved = 0, conditioned = 0
        for j in 0..<p1.count where abs(gradients[j]) > 1e-5 {
            conditioned += 1
            if abs(p1[j] - parametersAfterOneUpdate[j]) > 1e-6 { moved += 1 }
        }
        #expect(conditioned > p1.count / 2)
        #expect(moved == 0, "\(moved) of \(conditioned) parameters differ by more than 1e-6 after the update")
        // Further updates on the same batch follow the reference's losses.
        for k in 1..<losses.count {
            if k > 1 {
                model.arena.zeroGradients()
                try model.forward(batch, weights: LossWeights())
                model.backward()
                AdamW(weightDecay: 0.05).update(model.arena, step: k, learningRate: 1e-4)
            }
            model.arena.zeroGradients()
            let l = try model.forward(batch, weights: LossWeights())
            #expect(abs(l.total - losses[k]) < 2e-5 * abs(losses[k]), "loss after \(k) updates \(l.total) vs \(losses[k])")
            model.backward()  // keeps the arena's gradients for the next update
        }
    }
}
