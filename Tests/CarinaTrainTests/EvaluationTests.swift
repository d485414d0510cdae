import CarinaLoader
import CarinaTensor
import CarinaTestSupport
import Foundation
import Testing
@testable import CarinaTrain

@Suite(.serialized) struct EvaluationTests {
    @Test func recallCountsIdenticalReportsAsOne() {
        // Items 0 and 1 share a report; query 0 scores item 1 highest, then itself.
        let sim: [Float] = [0.8, 0.9, 0.1,
                            0.9, 0.8, 0.1,
                            0.2, 0.3, 0.7]
        let strict = Metrics.recall(similarity: sim, count: 3, ks: [1])
        let grouped = Metrics.recall(similarity: sim, count: 3, ks: [1], groups: [0, 0, 1])
        #expect(abs(strict[1]! - 1.0 / 3) < 1e-12)
        #expect(grouped[1]! == 1)
        #expect(Metrics.textGroups(ids: [101, 5, 0, 101, 5, 7, 101, 5, 9], mask: [1, 1, 0, 1, 1, 0, 1, 1, 1], length: 3)
                == [0, 0, 1])
        #expect(abs(Metrics.chanceRecallAt1(groups: [0, 0, 1]) - (2.0 / 3 + 2.0 / 3 + 1.0 / 3) / 3) < 1e-12)
        #expect(abs(Metrics.meanPairwiseCosine([1, 0, 1, 0, 0, 1], count: 3, dimension: 2) - 1.0 / 3) < 1e-12)
    }

    @Test func recallAndAUROCOnKnownInputs() {
        // Identity similarities: every query finds its match first.
        var s = [Float](repeating: 0, count: 16)
        for i in 0..<4 { s[i * 4 + i] = 1 }
        #expect(Metrics.recall(similarity: s, count: 4, ks: [1]) == [1: 1])
        // Row 0's match ranks third.
        let t: [Float] = [0.1, 0.5, 0.9, 0.0,  0, 1, 0, 0,  0, 0, 1, 0,  0, 0, 0, 1]
        let r = Metrics.recall(similarity: t, count: 4, ks: [1, 2, 3])
        #expect(r[1] == 0.75 && r[2] == 0.75 && r[3] == 1)
        #expect(Metrics.auroc(scores: [0.1, 0.4, 0.35, 0.8], labels: [false, false, true, true]) == 0.75)
        #expect(Metrics.auroc(scores: [1, 1, 1, 1], labels: [false, true, false, true]) == 0.5)
        #expect(Metrics.auroc(scores: [1, 2], labels: [true, true]) == nil)
    }

    @Test func probeSeparatesSeparableData() {
        var rng = SeededGenerator(seed: 1)
        var x = [Float](), y = [Bool]()
        for i in 0..<200 {
            let label = i % 2 == 0
            x += [Float(rng.normal()) + (label ? 1.5 : -1.5), Float(rng.normal())]
            y.append(label)
        }
        let p = LinearProbe(features: x, dimension: 2, targets: y)
        #expect(Metrics.auroc(scores: p.scores(x), labels: y)! > 0.95)
    }

    /// Samples whose image, impression and findings all show the same concepts: per concept a bright pixel column
    /// (column `k` of every patch) in the image and one word in each text, among noise and filler words.
    static func knownAnswerBatch(_ c: ModelConfig, batch b: Int, seed: UInt64) -> TrainingBatch {
        var rng = SeededGenerator(seed: seed)
        let s = c.imageSize, p = c.patchSize, t = c.textLength
        var images = [Float](repeating: 0, count: b * s * s)
        var imp = [Int32](repeating: 0, count: b * t), fin = imp
        var impMask = [Float](repeating: 0, count: b * t), finMask = impMask
        var concepts = [Float](repeating: 0, count: b * c.concepts)
        for bi in 0..<b {
            var present = Set<Int>()
            while present.count < 1 + Int(rng.next() % 3) { present.insert(Int(rng.next() % UInt64(c.concepts))) }
            for k in 0..<(s * s) { images[bi * s * s + k] = Float(rng.normal()) * 0.5 }
            for k in present {
                concepts[bi * c.concepts + k] = 1
                for y in 0..<s { for x in stride(from: k, to: s, by: p) { images[bi * s * s + y * s + x] += 1.5 } }
            }
            for (ids, mask) in [(0, 0), (1, 1)] {
                _ = mask
                var words = present.map { Int32(110 + $0) }
                while words.count < (ids == 0 ? 4 : 10) { words.append(Int32(150 + Int(rng.next() % 40))) }
                words.shuffle(using: &rng)
                let seq = [Int32(101)] + words
                for (i, w) in seq.enumerated() where i < t {
                    if ids == 0 { imp[bi * t + i] = w; impMask[bi * t + i] = 1 } else { fin[bi * t + i] = w; finMask[bi * t + i] = 1 }
                }
            }
        }
        return TrainingBatch(batchSize: b, imageSize: s, textLength: t, conceptCount: c.concepts, images: images,
                             impressionIDs: imp, impressionMask: impMask, findingsIDs: fin, findingsMask: finMask,
                             concepts: concepts, keys: (0..<b).map { "known-\(seed)-\($0)" })
    }

    @Test func trainingOnKnownAnswersBeatsChanceOnHeldOutData() throws {
        let dir = try TemporaryDirectory("carina-eval")
        let steps = 60
        let trainer = try Trainer(config: testConfig, options: TrainOptions(
            steps: steps, batchSize: 16, learningRate: 3e-3, warmupSteps: 10, checkpointDirectory: dir.path, seed: 2,
            logEvery: 20))
        var source = ArraySource(batches: (0..<steps).map { Self.knownAnswerBatch(testConfig, batch: 16, seed: UInt64($0)) })
        let summary = try trainer.train(source: &source) { _ in }
        let heldOut = (0..<8).map { Self.knownAnswerBatch(testConfig, batch: 16, seed: 10_000 + UInt64($0)) }
        let before = try Evaluator.evaluate(model: try DualEncoder(config: testConfig, seed: 2), batches: heldOut)
        let report = try Evaluator.evaluate(checkpoint: try #require(summary.lastCheckpoint), batches: heldOut)
        #expect(report.samples == 128)
        // Chance recall@1 is 1/128; samples with the same concept set are indistinguishable, which caps recall@1.
        #expect(report.imageToReport.r1 > 10 * report.chanceRecallAt1, "\(report.imageToReport) vs untrained \(before.imageToReport)")
        #expect(report.reportToImage.r1 > 10 * report.chanceRecallAt1, "\(report.reportToImage)")
        #expect(report.imageToReport.r5 > 0.4 && report.reportToImage.r5 > 0.4)
        #expect(try #require(report.meanAUROC) > 0.8, "trained \(report.meanAUROC ?? -1), untrained \(before.meanAUROC ?? -1)")
    }
}
