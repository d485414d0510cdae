import CarinaLoader
import CarinaTensor
import CarinaTestSupport
import Foundation
import Testing
@testable import CarinaTrain

/// HybridMED on the small configuration with a two-block impression decoder: whole-model finite differences with
/// every objective of the preset on, empty impressions and findings, bit-exact resume, deterministic decoding.
@Suite(.serialized) struct HybridMEDTests {
    init() { BLAS.setThreads(1) }

    static let config: ModelConfig = {
        var c = testConfig
        c.impressionDecoder = .init(width: 16, depth: 2, heads: 2, mlp: 32)
        return c
    }()

    static let weights: LossWeights = {
        var w = LossWeights(global: 1, local: 0, graph: 0, token: 0.5)
        w.caption = 0.7; w.summary = 1.3; w.distill = 0.9
        return w
    }()

    /// `batch` with sample `noImpression`'s impression and sample `noFindings`'s findings cut to `[CLS] [SEP]`, as
    /// the loader encodes an empty section.
    static func withEmptySections(_ batch: TrainingBatch, noImpression: Int?, noFindings: Int?) -> TrainingBatch {
        var b = batch
        let t = b.textLength
        if let s = noImpression {
            for i in 1..<t { b.impressionIDs[s * t + i] = i == 1 ? 102 : 0; b.impressionMask[s * t + i] = i == 1 ? 1 : 0 }
        }
        if let s = noFindings {
            for i in 1..<t { b.findingsIDs[s * t + i] = i == 1 ? 102 : 0; b.findingsMask[s * t + i] = i == 1 ? 1 : 0 }
        }
        return b
    }

    /// Every parameter's gradient against finite differences of the whole model's loss: global, captioning and
    /// summarisation with different weights, then each branch alone (distillation off (its teacher is a constant to the analytic gradient but not to
    /// finite differences); then distillation alone on the parameters its teacher does not read (the image side).
    @Test(arguments: [0, 1, 2, 3]) func wholeModelGradientMatchesFiniteDifferences(variant: Int) throws {
        var weights = Self.weights
        // Token-level alignment's attention weights are detached (MGCA), which finite differences cannot know:
        // it is checked against PyTorch in HybridMEDReferenceTests instead.
        if variant != 3 { weights.distill = 0; weights.token = 0 }
        if variant == 1 { weights = LossWeights(global: 0, local: 0, graph: 0); weights.caption = 1 }
        if variant == 2 { weights = LossWeights(global: 0, local: 0, graph: 0); weights.summary = 1 }
        if variant == 3 { weights = LossWeights(global: 0, local: 0, graph: 0); weights.distill = 1 }
        let model = try DualEncoder(config: Self.config, seed: 3)
        let batch = Self.withEmptySections(randomBatch(testConfig, batch: 3, seed: 4), noImpression: nil, noFindings: 2)
        let check = try FiniteDifferenceCheck(model, batch: batch, weights: weights, randomProbes: 3,
                                              including: { variant != 3 || $0.name.hasPrefix("image.") })
        #expect(check.loss.total > 0)
        #expect(check.worst <= 1, "worst: \(check.worstAt)")
        for name in ["gen.tok.weight", "gen.mem.weight", "gen.blocks.1.kv.weight", "gen.head.bias"] where variant != 3 {
            let t = model.arena.tensor(name)
            #expect(check.gradients[t.offset..<(t.offset + t.count)].contains { $0 != 0 }, "\(name) gets no gradient")
        }
    }

    /// Distillation alone moves the captioner and the image encoder, never the teacher's own input (the findings
    /// run): stop-gradient on the summariser.
    @Test func distillationStopsTheTeachersGradient() throws {
        let model = try DualEncoder(config: Self.config, seed: 5)
        let batch = randomBatch(testConfig, batch: 3, seed: 6)
        var w = LossWeights(global: 0, local: 0, graph: 0)
        w.distill = 1
        model.arena.zeroGradients()
        let loss = try model.forward(batch, weights: w)
        #expect(loss.distill > 0 && loss.total == loss.distill)
        model.backward()
        let grads = model.arena.allGradients
        let text = model.arena.tensors.filter { $0.name.hasPrefix("text.") }
        for t in text { #expect(grads[t.offset..<(t.offset + t.count)].allSatisfy { $0 == 0 }, "\(t.name) moved") }
        let patch = model.arena.tensor("image.patch.weight")
        #expect(grads[patch.offset..<(patch.offset + patch.count)].contains { $0 != 0 })
    }

    /// Records without an impression or findings add no generation target and still train on the rest.
    @Test func emptySectionsStillTrainOnTheOtherObjectives() throws {
        let base = randomBatch(testConfig, batch: 3, seed: 7)
        let empty = Self.withEmptySections(base, noImpression: 0, noFindings: 1)
        let t = ImpressionGeneration.targets(ids: empty.impressionIDs, mask: empty.impressionMask,
                                             findingsMask: empty.findingsMask, findingsLength: testConfig.textLength,
                                             batch: 3, length: testConfig.textLength)
        #expect(!t.captionRows.contains { $0 / t.tokens == 0 })
        #expect(!t.summaryRows.contains { $0 / t.tokens == 0 || $0 / t.tokens == 1 })
        #expect(t.summaryRows.contains { $0 / t.tokens == 2 } && t.captionRows.contains { $0 / t.tokens == 1 })
        let model = try DualEncoder(config: Self.config, seed: 8)
        let loss = try model.forward(empty, weights: Self.weights)
        #expect(loss.global > 0 && loss.token > 0 && loss.caption > 0 && loss.summary > 0 && loss.total.isFinite)
        // A batch with no impression at all: generation adds 0, the alignment objectives are as without it.
        let none = (0..<3).reduce(base) { Self.withEmptySections($0, noImpression: $1, noFindings: nil) }
        let a = try model.forward(none, weights: Self.weights)
        #expect(a.caption == 0 && a.summary == 0 && a.distill == 0)
        let plain = try model.forward(none, weights: LossWeights(global: 1, local: 0, graph: 0, token: 0.5))
        #expect(a.total == plain.total)
    }

    @Test func generationNeedsADecoderAndOldConfigurationsKeepTheirParameters() throws {
        let plain = try DualEncoder(config: testConfig, seed: 1)
        #expect(throws: TrainError.self) { try plain.forward(randomBatch(testConfig, batch: 2, seed: 2), weights: .hybridmed) }
        #expect(!plain.arena.tensors.contains { $0.name.hasPrefix("gen.") })
        let with = try DualEncoder(config: Self.config, seed: 1)
        // The decoder's parameters come last; every earlier one starts the same.
        #expect(Array(with.arena.allParameters.prefix(plain.arena.allParameters.count)) == plain.arena.allParameters)
        #expect(try LossWeights.parse("hybridmed") == LossWeights.parse("global=1,token=1,caption=1,summary=1,distill=1"))
        let old = try JSONDecoder().decode(ModelConfig.self, from: Data(#"{"name":"x","imageSize":32,"patchSize":8,"width":32,"depth":2,"heads":2,"mlp":64,"vocabSize":200,"textLength":16,"projection":16,"concepts":8,"localTemperature":0.1,"initialTemperature":0.07,"maxLogitScale":100}"#.utf8))
        #expect(old.impressionDecoder == nil)
        // Weights without generation keep their JSON bytes (no caption/summary/distill keys).
        let json = String(decoding: try JSONEncoder().encode(LossWeights.mgca), as: UTF8.self)
        #expect(!json.contains("caption") && !json.contains("distill"))
        #expect(try JSONDecoder().decode(LossWeights.self, from: JSONEncoder().encode(LossWeights.hybridmed)) == .hybridmed)
    }

    @Test func resumeIsBitExactWithThePreset() throws {
        let dir = try TemporaryDirectory("carina-hybridmed-resume")
        let batches = (0..<6).map { Self.withEmptySections(randomBatch(testConfig, batch: 4, seed: 300 + UInt64($0)),
                                                           noImpression: $0 == 2 ? 1 : nil, noFindings: $0 == 4 ? 0 : nil) }
        let options = TrainOptions(steps: 6, batchSize: 4, learningRate: 1e-3, warmupSteps: 2, clipNorm: 1.0,
                                   lossWeights: .hybridmed, seed: 5, logEvery: 1)
        let run = try InterruptedRun(config: Self.config, options: options, batches: batches, stopAfter: 3,
                                     directory: dir.path)
        #expect(run.fullSummary.losses.allSatisfy { $0.caption > 0 && $0.summary > 0 && $0.distill > 0 })
        run.expectBitExact()
    }

    @Test func captioningLearnsARepeatedBatch() throws {
        let batch = randomBatch(testConfig, batch: 4, seed: 50)
        var w = LossWeights(global: 0, local: 0, graph: 0)
        w.caption = 1
        let s = try trainOnARepeatedBatch(batch, config: Self.config, options: TrainOptions(
            steps: 40, batchSize: 4, learningRate: 3e-3, warmupSteps: 2, lossWeights: w, seed: 1, logEvery: 1))
        #expect(s.losses.last!.caption < 0.7 * s.losses.first!.caption)
    }

    /// Greedy decoding is deterministic, independent of the other images in the batch, its output with a shorter
    /// limit is a prefix of the longer one's, and each token is the argmax of the teacher-forced decoder over the
    /// tokens before it; beam search returns valid ids, deterministically.
    @Test func greedyDecodingIsDeterministicAndConsistent() throws {
        // Captioning on a repeated batch until the decoder ends its impressions ([SEP]) at different lengths.
        var w = LossWeights(global: 0, local: 0, graph: 0)
        w.caption = 1
        let trainer = try Trainer(config: Self.config, options: TrainOptions(
            steps: 80, batchSize: 3, learningRate: 1e-2, warmupSteps: 2, lossWeights: w, seed: 1, logEvery: 1))
        var batch = randomBatch(testConfig, batch: 3, seed: 70)
        let t = testConfig.textLength
        for bi in 0..<3 {  // [SEP] last, as the loader writes it
            let len = (0..<t).filter { batch.impressionMask[bi * t + $0] != 0 }.count
            batch.impressionIDs[bi * t + len - 1] = 102
        }
        var source = ArraySource(batches: Array(repeating: batch, count: 80))
        _ = try trainer.train(source: &source) { _ in }
        let model = trainer.model
        let first = try model.generate(batch)
        #expect(try model.generate(batch) == first)
        let copy = try DualEncoder(config: Self.config, seed: 99)
        copy.arena.setAll(model.arena.allParameters)
        #expect(try copy.generate(batch) == first)
        #expect(first.contains { !$0.isEmpty })
        for seq in first { #expect(!seq.contains(101) && !seq.contains(102) && seq.count <= testConfig.textLength - 1) }
        // Sample 1 alone decodes the same.
        let s = testConfig.imageSize * testConfig.imageSize
        let alone = TrainingBatch(batchSize: 1, imageSize: batch.imageSize, textLength: t, conceptCount: batch.conceptCount,
                                  images: Array(batch.images[s..<(2 * s)]),
                                  impressionIDs: Array(batch.impressionIDs[t..<(2 * t)]),
                                  impressionMask: Array(batch.impressionMask[t..<(2 * t)]),
                                  findingsIDs: Array(batch.findingsIDs[t..<(2 * t)]),
                                  findingsMask: Array(batch.findingsMask[t..<(2 * t)]),
                                  concepts: Array(batch.concepts[batch.conceptCount..<(2 * batch.conceptCount)]), keys: ["one"])
        #expect(try model.generate(alone) == [first[1]])
        // Shorter limits give prefixes.
        let short = try model.generate(batch, maxLength: 4)
        for (a, b) in zip(short, first) { #expect(Array(b.prefix(a.count)) == a && a.count <= 3) }
        // Teacher forcing on [CLS] + generated: the captioner's most likely next token at each position is the
        // generated one (and [SEP] after the last when it stopped early).
        var forced = batch
        for bi in 0..<3 {
            let seq = [Int32(101)] + first[bi] + (first[bi].count < t - 1 ? [102] : [])
            for i in 0..<t {
                forced.impressionIDs[bi * t + i] = i < seq.count ? seq[i] : 0
                forced.impressionMask[bi * t + i] = i < seq.count ? 1 : 0
            }
        }
        _ = try model.forward(forced, weights: w)
        let g = try #require(model.activations(batch: 3).gen)
        let v = testConfig.vocabSize
        for (k, row) in g.targets.captionRows.enumerated() {
            // The forward left softmax − onehot (scaled) in the logits: the argmax of the probabilities is where the
            // gradient plus the one-hot is largest.
            var best = 0, bestValue = -Float.infinity
            let scale = Float(g.targets.captionRows.count)
            for j in 0..<v {
                let p = g.captionLogits[k * v + j] * scale + (Int32(j) == g.targets.captionLabels[k] ? 1 : 0)
                if p > bestValue { bestValue = p; best = j }
            }
            #expect(Int32(best) == g.targets.captionLabels[k], "row \(row)")
        }
        // Images that finish early while others go on (the rows of finished ones keep their length).
        let lengths = first.map(\.count)
        #expect(Set(lengths).count > 1 && lengths.contains { $0 < t - 1 }, "lengths \(lengths)")
        let beamed = try model.generate(batch, beam: 3)
        for seq in beamed { #expect(seq.allSatisfy { $0 >= 0 && Int($0) < v && $0 != 102 && $0 != 101 }) }
        #expect(try model.generate(batch, beam: 3) == beamed)
    }
}
