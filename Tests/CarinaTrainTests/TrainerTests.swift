import CarinaLoader
import CarinaTensor
import CarinaTestSupport
import Foundation
import Testing
@testable import CarinaTrain

@Suite(.serialized) struct TrainerTests {
    func options(steps: Int) -> TrainOptions {
        TrainOptions(steps: steps, batchSize: 4, learningRate: 1e-3, warmupSteps: 2, clipNorm: 1.0, seed: 5, logEvery: 1)
    }

    @Test func lossFallsOnARepeatedBatch() throws {
        var logs = [TrainStepLog]()
        let summary = try trainOnARepeatedBatch(randomBatch(testConfig, batch: 4, seed: 1), config: testConfig,
                                                options: options(steps: 30)) { logs.append($0) }
        #expect(summary.endStep == 30 && logs.count == 30)
        let first = summary.losses.first!.total, last = summary.losses.last!.total
        #expect(last < 0.7 * first, "loss \(first) → \(last)")
        #expect(logs.last!.line.hasPrefix("step 30/30  loss "))
    }

    @Test func resumeIsBitExact() throws {
        let dir = try TemporaryDirectory("carina-resume")
        let batches = (0..<6).map { randomBatch(testConfig, batch: 4, seed: 100 + UInt64($0)) }
        // Uninterrupted, and interrupted: stop after 3 (the source runs dry), then resume to 6 with a fresh trainer.
        let run = try InterruptedRun(config: testConfig, options: options(steps: 6), batches: batches, stopAfter: 3,
                                     directory: dir.path)
        #expect(run.part1.sourceExhausted && run.part1.endStep == 3)
        #expect(run.part2.startStep == 3 && run.part2.endStep == 6)
        run.expectBitExact()
        #expect(Checkpoint.latest(in: dir.path)?.hasSuffix("checkpoint-00000006.ckpt") == true)
    }

    @Test func checkpointRoundTripsAndRejectsDamage() throws {
        let dir = try TemporaryDirectory("carina-ckpt")
        let trainer = try Trainer(config: testConfig, options: options(steps: 2))
        _ = try trainer.trainStep(randomBatch(testConfig, batch: 4, seed: 1))
        let ckpt = trainer.checkpoint(loaderState: [1, 2, 3])
        let path = dir.file("a.ckpt")
        try ckpt.write(to: path)
        #expect(try Checkpoint.read(from: path) == ckpt)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // Truncated.
        try bytes.dropLast(5).write(to: URL(fileURLWithPath: dir.file("short.ckpt")))
        #expect(throws: TrainError.self) { try Checkpoint.read(from: dir.file("short.ckpt")) }
        // Wrong version.
        bytes[8] = 9
        try bytes.write(to: URL(fileURLWithPath: dir.file("v9.ckpt")))
        #expect(throws: TrainError.self) { try Checkpoint.read(from: dir.file("v9.ckpt")) }
        // Not a checkpoint.
        try Data("hello".utf8).write(to: URL(fileURLWithPath: dir.file("x.ckpt")))
        #expect(throws: TrainError.self) { try Checkpoint.read(from: dir.file("x.ckpt")) }
        // A checkpoint of another model cannot be restored.
        var other = testConfig
        other.depth = 1
        let otherTrainer = try Trainer(config: other, options: options(steps: 1))
        #expect(throws: TrainError.self) { try otherTrainer.restore(ckpt) }
    }

    @Test func scheduleWarmsUpThenDecays() {
        let s = LearningRateSchedule(peak: 1e-3, warmupSteps: 10, totalSteps: 110, minimumRatio: 0.1)
        #expect(abs(s.rate(step: 5) - 5e-4) < 1e-9)
        #expect(abs(s.rate(step: 10) - 1e-3) < 1e-9)
        #expect(abs(s.rate(step: 60) - 5.5e-4) < 1e-8)
        #expect(abs(s.rate(step: 110) - 1e-4) < 1e-9)
    }
}

/// MGCA's objectives in the training loop: resume stays bit-exact with every objective on, the prototypes stay
/// frozen for their steps, the objectives learn on a repeated batch.
@Suite(.serialized) struct MGCATrainerTests {
    static let config: ModelConfig = {
        var c = testConfig
        c.prototypes = 12
        c.maskedImageDecoder = .init(width: 16, depth: 1, heads: 2, mlp: 32)
        c.maskedReportHead = true
        return c
    }()

    func options(steps: Int, text: InstanceText = .both,
                 weights: LossWeights = LossWeights(global: 1, local: 1, graph: 1, token: 0.7, prototype: 0.5, mim: 1,
                                                    mlm: 0.5),
                 freeze: Int = 2) -> TrainOptions {
        TrainOptions(steps: steps, batchSize: 4, learningRate: 1e-3, warmupSteps: 2, clipNorm: 1.0, lossWeights: weights,
                     objectives: ObjectiveSettings(instanceText: text, instance: InstanceAlignment(fixedTemperature: 0.07),
                                                   prototypeFreezeSteps: freeze),
                     words: WordSegmenter(continuation: (0..<testConfig.vocabSize).map { $0 >= 150 }),
                     seed: 5, logEvery: 1)
    }

    @Test(arguments: [InstanceText.both, .findings]) func resumeIsBitExactWithEveryObjective(text: InstanceText) throws {
        let dir = try TemporaryDirectory("carina-mgca-resume")
        let batches = (0..<6).map { randomBatch(testConfig, batch: 4, seed: 200 + UInt64($0)) }
        let run = try InterruptedRun(config: Self.config, options: options(steps: 6, text: text), batches: batches,
                                     stopAfter: 3, directory: dir.path)
        #expect(run.fullSummary.losses.allSatisfy { $0.token > 0 && $0.prototype > 0 && $0.local > 0 && $0.global > 0 && $0.mim > 0 && $0.mlm > 0 })
        #expect(run.part2.startStep == 3 && run.part2.endStep == 6)
        run.expectBitExact()
    }

    /// MGCA's heads with BatchNorms: the running statistics travel in the checkpoint (after the parameters, no
    /// moments), so a resumed run ends on the same bits; evaluation embeds by the running statistics.
    @Test func resumeIsBitExactWithBatchNormHeads() throws {
        var config = Self.config
        config.projectionHidden = 24
        config.projectionNorm = .batch
        let dir = try TemporaryDirectory("carina-bn-resume")
        let batches = (0..<6).map { randomBatch(testConfig, batch: 4, seed: 300 + UInt64($0)) }
        let run = try InterruptedRun(config: config, options: options(steps: 6), batches: batches, stopAfter: 3,
                                     directory: dir.path)
        let full = run.full
        #expect(run.part2.startStep == 3)
        run.expectBitExact()
        let arena = full.model.arena
        // 4 heads × (hidden 24 + projection 16) × (mean, variance) after every parameter; moved, and never by AdamW.
        #expect(arena.count - arena.trainableCount == 4 * 2 * (24 + 16))
        #expect(arena.tensors.last!.name == "txt_l.4.running_var" && arena.tensor("img_g.1.weight").offset < arena.trainableCount)
        let stats = Array(arena.allParameters[arena.trainableCount...])
        let initial = DualEncoder.bufferSpecs(config).flatMap { spec in
            [Float](repeating: spec.0.hasSuffix("var") ? 1 : 0, count: spec.1.reduce(1, *))
        }
        #expect(stats != initial && stats.allSatisfy { $0.isFinite })
        #expect(unsafe (arena.trainableCount..<arena.count).allSatisfy { unsafe arena.firstMoment[$0] == 0 && arena.secondMoment[$0] == 0 })
        let ckpt = try Checkpoint.read(from: try #require(Checkpoint.latest(in: dir.path)))
        #expect(ckpt.config.projectionNorm == .batch && ckpt.parameters == arena.allParameters)
        // Evaluation: a sample's embedding does not depend on its batch, and the statistics stay.
        let batch = batches[0]
        let (image4, _) = try full.model.embed(batch)
        var one = batch
        one.batchSize = 2
        one.images = Array(batch.images[0..<(2 * testConfig.imageSize * testConfig.imageSize)])
        for k in [\TrainingBatch.impressionIDs, \.findingsIDs] as [WritableKeyPath<TrainingBatch, [Int32]>] {
            one[keyPath: k] = Array(batch[keyPath: k][0..<(2 * testConfig.textLength)])
        }
        for k in [\TrainingBatch.impressionMask, \.findingsMask] as [WritableKeyPath<TrainingBatch, [Float]>] {
            one[keyPath: k] = Array(batch[keyPath: k][0..<(2 * testConfig.textLength)])
        }
        one.concepts = Array(batch.concepts[0..<(2 * testConfig.concepts)])
        one.keys = Array(batch.keys[0..<2])
        let (image2, _) = try full.model.embed(one)
        #expect(zip(image2, image4[0..<image2.count]).allSatisfy { abs($0 - $1) < 1e-5 })
        #expect(Array(arena.allParameters[arena.trainableCount...]) == stats)
    }

    /// MRM's higher-resolution target: resume stays bit-exact, and the reconstruction picture is drawn at the
    /// target's resolution.
    @Test func resumeIsBitExactWithAHigherResolutionTarget() throws {
        var config = Self.config
        config.maskedImageTargetScale = 2
        func withTarget(_ batch: TrainingBatch, seed: UInt64) -> TrainingBatch {
            var b = batch, rng = SeededGenerator(seed: seed)
            b.targetScale = 2
            b.targetImages = (0..<(b.batchSize * 64 * 64)).map { _ in Float(rng.normal()) }
            return b
        }
        let dir = try TemporaryDirectory("carina-hr-resume")
        let batches = (0..<6).map { withTarget(randomBatch(testConfig, batch: 4, seed: 400 + UInt64($0)), seed: UInt64($0)) }
        let run = try InterruptedRun(config: config, options: options(steps: 6, weights: .mrm), batches: batches,
                                     stopAfter: 3, directory: dir.path)
        let full = run.full
        #expect(run.fullSummary.losses.allSatisfy { $0.mim > 0 && $0.mlm > 0 })
        #expect(run.part2.startStep == 3)
        run.expectBitExact()
        #expect(full.model.arena.tensor("mim.pred.bias").count == 4 * 8 * 8)
        // The picture: 3 columns of 64 pixels; visible patches equal in all three, masked ones black in the middle.
        let grid = try Reconstruction.grid(model: full.model, batch: batches[0], count: 1, seed: 5)
        #expect(grid.width == 3 * 64 + 4 && grid.height == 64)
        var same = 0, dark = 0
        for y in 0..<64 {
            for x in 0..<64 {
                let o = grid.pixels[y * grid.width + x], m = grid.pixels[y * grid.width + 66 + x]
                let r = grid.pixels[y * grid.width + 132 + x]
                if m == o && o == r { same += 1 } else if m == 0 { dark += 1 }
            }
        }
        #expect(same + dark == 64 * 64 && same >= 64 * 64 / 8 && dark >= 64 * 64 / 2)
        // Without the batch's target images the objective refuses the batch.
        #expect(throws: TrainError.self) { try full.model.forward(randomBatch(testConfig, batch: 4, seed: 1), weights: .mrm) }
    }

    @Test func prototypesStayFrozenForTheirStepsThenLearn() throws {
        let trainer = try Trainer(config: Self.config, options: options(steps: 5, freeze: 3))
        let proto = trainer.model.arena.tensor("prototype.weight")
        let range = proto.offset..<(proto.offset + proto.count)
        let batch = randomBatch(testConfig, batch: 4, seed: 9)
        _ = try trainer.trainStep(batch)
        // Normalized in place by the first forward, then left alone: rows of unit length, no moments.
        let after1 = Array(trainer.model.arena.allParameters[range])
        for r in 0..<12 {
            let n = (0..<16).map { Double(after1[r * 16 + $0]) * Double(after1[r * 16 + $0]) }.reduce(0, +)
            #expect(abs(n - 1) < 1e-5)
        }
        for _ in 0..<2 { _ = try trainer.trainStep(batch) }
        // Only the re-normalization of unit rows touches them (by a rounding at most).
        let after3 = Array(trainer.model.arena.allParameters[range])
        #expect(zip(after3, after1).allSatisfy { abs($0 - $1) <= 1e-6 })
        #expect(unsafe (range).allSatisfy { unsafe trainer.model.arena.firstMoment[$0] == 0 })
        _ = try trainer.trainStep(batch)  // update 4: the prototypes' first
        let after4 = Array(trainer.model.arena.allParameters[range])
        #expect(zip(after4, after1).contains { abs($0 - $1) > 1e-5 })
        #expect(unsafe range.contains { unsafe trainer.model.arena.firstMoment[$0] != 0 })
    }

    @Test func mgcaObjectivesLearnARepeatedBatch() throws {
        let summary = try trainOnARepeatedBatch(randomBatch(testConfig, batch: 4, seed: 3), config: Self.config,
                                                options: options(steps: 30, weights: .mgca, freeze: 0))
        let first = summary.losses.first!, last = summary.losses.last!
        #expect(last.total < 0.7 * first.total, "loss \(first.total) → \(last.total)")
        #expect(last.token < first.token && last.global < first.global)
    }

    @Test func reconstructionGridShowsOriginalMaskedAndReconstructed() throws {
        let model = try DualEncoder(config: Self.config, seed: 1)
        let batch = randomBatch(testConfig, batch: 3, seed: 12)
        let grid = try Reconstruction.grid(model: model, batch: batch, count: 2, seed: 5)
        let s = testConfig.imageSize
        #expect(grid.width == 3 * s + 4 && grid.height == 2 * s + 2)
        // Visible pixels are the same in all three columns; a quarter of the patches is visible, so about three
        // quarters of the masked column is the darkest value.
        var same = 0, dark = 0, differs = 0
        for y in 0..<s {
            for x in 0..<s {
                let o = grid.pixels[y * grid.width + x], m = grid.pixels[y * grid.width + s + 2 + x]
                let r = grid.pixels[y * grid.width + 2 * (s + 2) + x]
                if m == o && o == r { same += 1 } else if m == 0 { dark += 1; if r != o { differs += 1 } }
            }
        }
        #expect(same + dark == s * s)
        #expect(dark >= s * s / 2 && same >= s * s / 8 && differs > 0)
        #expect(throws: TrainError.self) {
            try Reconstruction.grid(model: DualEncoder(config: testConfig, seed: 1), batch: batch, count: 1)
        }
    }

    @Test func thePrototypeObjectiveNeedsPrototypes() {
        #expect(throws: TrainError.self) { try Trainer(config: testConfig, options: options(steps: 1)) }
    }

    @Test func masksAreSeededPerStepAndDifferBetweenSamplesAndSteps() throws {
        let a = MaskedImageModelling.visiblePatches(seed: 7, batch: 3, patches: 16, keep: 4)
        #expect(a == MaskedImageModelling.visiblePatches(seed: 7, batch: 3, patches: 16, keep: 4))
        #expect(a != MaskedImageModelling.visiblePatches(seed: 8, batch: 3, patches: 16, keep: 4))
        #expect(Array(a[0..<4]) != Array(a[4..<8]))
        for s in 0..<3 { #expect(Set(a[(s * 4)..<(s * 4 + 4)]).count == 4 && a.allSatisfy { (0..<16).contains($0) }) }
        #expect(MaskedImageModelling.keepCount(patches: 196, ratio: 0.75) == 49)
        // Masked image modelling alone learns a repeated batch.
        let summary = try trainOnARepeatedBatch(randomBatch(testConfig, batch: 4, seed: 4), config: Self.config,
                                                options: options(steps: 20, weights: LossWeights.parse("mim=1")))
        #expect(summary.losses.last!.mim < 0.9 * summary.losses.first!.mim)
        // And with masked report modelling (whole words masked, seeded).
        let words = MaskedReportModelling.maskedWords(seed: 3, words: [10, 0, 3], ratio: 0.5)
        #expect(words[0].count == 5 && words[1].isEmpty && words[2].count == 2 && Set(words[0]).count == 5)
        #expect(words == MaskedReportModelling.maskedWords(seed: 3, words: [10, 0, 3], ratio: 0.5))
        var lines = [String]()
        let sum2 = try trainOnARepeatedBatch(randomBatch(testConfig, batch: 4, seed: 4), config: Self.config,
                                             options: options(steps: 20, weights: .mrm)) { lines.append($0.line) }
        // The log shows the objectives the run weighs: masked image (m) and report (r) modelling, not g/l/e.
        #expect(lines.count == 20 && lines.allSatisfy { $0.contains(" (m ") && $0.contains(" r ") && !$0.contains(" l 0") && !$0.contains("(g ") })
        #expect(sum2.losses.last!.mlm < 0.9 * sum2.losses.first!.mlm)
        #expect(throws: TrainError.self) { try Trainer(config: Self.config, options: options(steps: 1, weights: LossWeights.parse("mlm=1"))) }
    }

    @Test func objectivesParseAndRejectMistakes() throws {
        #expect(try LossWeights.parse("global=1,token=0.7,prototype=0.5")
                == LossWeights(global: 1, local: 0, graph: 0, token: 0.7, prototype: 0.5))
        #expect(try LossWeights.parse("default") == LossWeights())
        #expect(try LossWeights.parse("mgca") == .mgca)
        #expect(throws: TrainError.self) { try LossWeights.parse("global=1,tokens=1") }
        #expect(throws: TrainError.self) { try LossWeights.parse("global=-1") }
        #expect(throws: TrainError.self) { try LossWeights.parse("global=0") }
    }
}

/// Configurations and checkpoints written before the seed objectives still load, unchanged.
@Suite struct ConfigurationCompatibilityTests {
    @Test func todaysConfigurationsDecodeAndEncodeWithoutTheNewFields() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("schemas/models")
        let tiny = try ModelConfig.load(path: dir.appendingPathComponent("carina-tiny.json").path)
        #expect(tiny == .carinaTiny)
        #expect(tiny.prototypes == nil && tiny.projectionHidden == nil && tiny.maskedImageDecoder == nil
                && tiny.maskedReportHead == nil && tiny.projectionNorm == nil && tiny.targetScale == 1)
        let json = String(decoding: try JSONEncoder().encode(tiny), as: UTF8.self)
        for key in ["prototypes", "projectionHidden", "projectionNorm", "maskedImageDecoder", "maskedImageTargetScale",
                    "maskedReportHead"] {
            #expect(!json.contains(key))
        }
        // Its parameter layout is today's: the same names in the same order, nothing appended.
        #expect(DualEncoder.parameterSpecs(tiny).count == DualEncoder.parameterSpecs(testConfig).count + 2 * (4 - 2) * 12)
        #expect(DualEncoder.parameterSpecs(tiny).last!.0 == "entity.bias")
        // A checkpoint of today's model written before reads back and restores.
        let trainer = try Trainer(config: testConfig, options: TrainOptions(steps: 1, batchSize: 4))
        let bytes = try trainer.checkpoint(loaderState: []).encoded()
        let back = try Checkpoint.decode(bytes, source: "today")
        #expect(back.config == testConfig)
        try trainer.restore(back)
        #expect(DualEncoder.bufferSpecs(testConfig).isEmpty && trainer.model.arena.trainableCount == trainer.model.arena.count)
        var hidden = testConfig
        hidden.projectionHidden = 8
        #expect(DualEncoder.bufferSpecs(hidden).isEmpty)
        hidden.projectionNorm = ModelConfig.ProjectionNorm.none
        #expect(DualEncoder.parameterSpecs(hidden).map(\.0) == DualEncoder.parameterSpecs({ var c = hidden; c.projectionNorm = nil; return c }()).map(\.0))
        var unnormed = testConfig
        unnormed.projectionNorm = .batch
        #expect(throws: TrainError.self) { try unnormed.validate() }
        // Loss weights saved before `token`, `prototype`, `mim` and `mlm` existed decode with them off.
        let w = try JSONDecoder().decode(LossWeights.self, from: Data(#"{"global":1,"local":0.5,"graph":1}"#.utf8))
        #expect(w == LossWeights(global: 1, local: 0.5, graph: 1))
    }
}
