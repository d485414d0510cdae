import CarinaLoader
import CarinaTensor
import CarinaTestSupport
import Foundation
import Testing
@testable import CarinaTrain

/// Training and evaluation never report a diverged or damaged model as a result: absurd options are refused, a
/// non-finite loss or update stops the run with one line, a checkpoint's bytes are checked, and NaN embeddings are
/// not scored.
@Suite(.serialized) struct DivergenceTests {
    func options(_ dir: String?, steps: Int, lr: Float = 1e-3, resume: Bool = false) -> TrainOptions {
        TrainOptions(steps: steps, batchSize: 4, learningRate: lr, warmupSteps: 0, clipNorm: 1.0,
                     checkpointDirectory: dir, checkpointEvery: 0, resume: resume, seed: 5, logEvery: 1)
    }

    @Test(arguments: [Float.nan, Float.infinity, -1, 0, 1e30])
    func anAbsurdLearningRateIsRefused(lr: Float) throws {
        let error = #expect(throws: TrainError.self) { try Trainer(config: testConfig, options: options(nil, steps: 2, lr: lr)) }
        #expect(error?.description.contains("--lr") == true, "\(String(describing: error))")
    }

    @Test func aClipNormOfZeroMeansNoClippingAndANegativeOneIsRefused() throws {
        var opts = options(nil, steps: 2)
        opts.clipNorm = 0
        _ = try Trainer(config: testConfig, options: opts)
        opts.clipNorm = -1
        let error = #expect(throws: TrainError.self) { try Trainer(config: testConfig, options: opts) }
        #expect(error?.description.contains("clip norm") == true, "\(String(describing: error))")
    }

    @Test func aDivergingRunStopsWithOneLineAndWritesNoCheckpoint() throws {
        let dir = try TemporaryDirectory("carina-diverge")
        // The largest learning rate the options accept, with no clipping to speak of, blows the model up.
        var opts = options(dir.path, steps: 50, lr: 1)
        opts.clipNorm = 1e30
        let trainer = try Trainer(config: testConfig, options: opts)
        var source = ArraySource(batches: (0..<50).map { randomBatch(testConfig, batch: 4, seed: UInt64($0)) })
        let error = #expect(throws: TrainError.self) { _ = try trainer.train(source: &source) { _ in } }
        let line = error?.description ?? ""
        #expect(line.hasPrefix("training diverged at step "), "\(line)")
        #expect(!line.contains("\n"))
        #expect(Checkpoint.latest(in: dir.path) == nil)
        #expect(trainer.step < 50)
    }

    @Test func resumeFromAFolderWithoutACheckpointIsAnError() throws {
        let dir = try TemporaryDirectory("carina-empty")
        let trainer = try Trainer(config: testConfig, options: options(dir.path, steps: 2, resume: true))
        var source = ArraySource(batches: [randomBatch(testConfig, batch: 4, seed: 1)])
        let error = #expect(throws: TrainError.self) { _ = try trainer.train(source: &source) { _ in } }
        #expect(error?.description.contains("holds no checkpoint") == true)
        #expect(trainer.step == 0)
    }

    @Test func aFlippedExponentInACheckpointIsRefused() throws {
        let dir = try TemporaryDirectory("carina-ckpt")
        let trainer = try Trainer(config: testConfig, options: options(nil, steps: 2))
        _ = try trainer.trainStep(randomBatch(testConfig, batch: 4, seed: 1))
        let path = dir.file("a.ckpt")
        try trainer.checkpoint(loaderState: []).write(to: path)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        let start = Checkpoint.headerSize + (good.count - Checkpoint.headerSize - 12 * trainer.model.arena.count)
        for k in 0..<10 {
            var bytes = good
            // The exponent's top bit of parameter k * 97 (a finite value becomes huge, not NaN).
            bytes[start + 4 * (k * 97) + 3] ^= 0x40
            try bytes.write(to: URL(fileURLWithPath: dir.file("flip\(k).ckpt")))
            let error = #expect(throws: TrainError.self) { try Checkpoint.read(from: dir.file("flip\(k).ckpt")) }
            #expect(error?.description.contains("CRC-32C") == true)
        }
        #expect(try Checkpoint.read(from: path).parameters == trainer.model.arena.allParameters)
    }

    @Test func evaluationRefusesNonFiniteEmbeddings() throws {
        let trainer = try Trainer(config: testConfig, options: options(nil, steps: 2))
        unsafe trainer.model.arena.params[0] = .nan
        for i in 0..<trainer.model.arena.count { unsafe trainer.model.arena.params[i] = .nan }
        let batches = (0..<2).map { randomBatch(testConfig, batch: 4, seed: UInt64($0)) }
        let error = #expect(throws: TrainError.self) { _ = try Evaluator.evaluate(model: trainer.model, batches: batches) }
        #expect(error?.description.contains("embedding of sample 0 is nan") == true, "\(String(describing: error))")
    }
}
