import CarinaLoader
import CarinaTensor
import Foundation
import Testing
@testable import CarinaTrain

@Suite(.serialized) struct DualEncoderTests {
    init() { BLAS.setThreads(1) }

    @Test func carinaTinyHasTheReferenceParameterCount() throws {
        let count = DualEncoder.parameterSpecs(.carinaTiny).reduce(0) { $0 + $1.1.reduce(1, *) }
        #expect(count == 9_638_913)  // trainer_baseline.py's "params"
        let fromFile = try ModelConfig.load(path: SharedPaths.repo("schemas/models/carina-tiny.json"))
        #expect(fromFile == .carinaTiny)
        let test = try ModelConfig.load(path: SharedPaths.repo("schemas/models/carina-test.json"))
        #expect(test == testConfig)
    }

    @Test func badConfigurationAndBatchesAreRejected() throws {
        var bad = testConfig
        bad.heads = 3
        #expect(throws: TrainError.self) { try DualEncoder(config: bad, seed: 0) }
        let model = try DualEncoder(config: testConfig, seed: 0)
        var batch = randomBatch(testConfig, batch: 2, seed: 1)
        batch.findingsIDs[5] = 999
        #expect(throws: TrainError.self) { try model.forward(batch, weights: LossWeights()) }
        let wrongSize = randomBatch(ModelConfig(name: "x", imageSize: 16, patchSize: 8, width: 32, depth: 1, heads: 2,
                                                mlp: 8, vocabSize: 200, textLength: 16, projection: 16, concepts: 8),
                                    batch: 2, seed: 1)
        #expect(throws: TrainError.self) { try model.forward(wrongSize, weights: LossWeights()) }
    }

    /// Every parameter tensor's gradient against central finite differences of the total loss (all three losses on).
    @Test func wholeModelGradientMatchesFiniteDifferences() throws {
        let model = try DualEncoder(config: testConfig, seed: 3)
        let batch = randomBatch(testConfig, batch: 3, seed: 4)
        // For the token table only rows of ids in the batch have gradients; probe those and random others.
        let check = try FiniteDifferenceCheck(model, batch: batch, weights: LossWeights(global: 1, local: 1, graph: 1),
                                              randomProbes: 4, extraProbes: { t in
            t.name == "text.tok.weight" ? [101 * testConfig.width + 3, Int(batch.findingsIDs[1]) * testConfig.width + 5] : []
        })
        #expect(check.worst <= 1, "worst: \(check.worstAt)")
    }

    @Test func trimmingTheBatchsPaddingChangesNothingButRounding() throws {
        let batch = randomBatch(testConfig, batch: 4, seed: 12)
        // The impressions are at most T/2 long, so the trimmed run really is shorter.
        #expect((0..<4).allSatisfy { i in batch.impressionMask[(i * testConfig.textLength + testConfig.textLength / 2 + 1)..<((i + 1) * testConfig.textLength)].allSatisfy { $0 == 0 } })
        var results: [(LossBreakdown, [Float])] = []
        for trim in [false, true] {
            let model = try DualEncoder(config: testConfig, seed: 5)
            model.trimPadding = trim
            model.arena.zeroGradients()
            let loss = try model.forward(batch, weights: LossWeights(global: 1, local: 1, graph: 1))
            model.backward()
            results.append((loss, model.arena.allGradients))
        }
        let (full, fullGrads) = results[0], (trimmed, trimmedGrads) = results[1]
        for (a, b) in [(full.global, trimmed.global), (full.local, trimmed.local), (full.graph, trimmed.graph)] {
            #expect(abs(a - b) <= 1e-5 * max(1, abs(a)), "loss \(a) vs \(b)")
        }
        let scale = fullGrads.map { abs($0) }.max()!
        let worst = zip(fullGrads, trimmedGrads).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-5 * scale, "largest gradient difference \(worst) of \(scale)")
    }

    @Test func switchedOffLossesContributeNothing() throws {
        let model = try DualEncoder(config: testConfig, seed: 3)
        let batch = randomBatch(testConfig, batch: 3, seed: 4)
        let onlyGraph = try model.forward(batch, weights: LossWeights(global: 0, local: 0, graph: 1))
        #expect(onlyGraph.global == 0 && onlyGraph.local == 0 && onlyGraph.graph > 0)
        model.arena.zeroGradients()
        model.backward()
        #expect(model.arena.gradient("text.tok.weight").allSatisfy { $0 == 0 })
        #expect(model.arena.gradient("image.patch.weight").contains { $0 != 0 })
        let all = try model.forward(batch, weights: LossWeights(global: 0.5, local: 2, graph: 1))
        #expect(abs(all.total - (0.5 * all.global + 2 * all.local + all.graph)) < 1e-9)
    }
}

/// Paths inside the repository.
enum SharedPaths {
    static func repo(_ relative: String) -> String {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        }
        return url.appendingPathComponent(relative).path
    }
}
