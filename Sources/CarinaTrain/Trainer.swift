import CarinaCore
import CarinaLoader
import CarinaTensor
import Foundation

/// The training loop: forward, backward, gradient clipping, warm-up + cosine learning rate, AdamW, logging and
/// periodic checkpoints; resumes bit-exactly from its own checkpoints and the batch source's saved state.
public final class Trainer {
    public let model: DualEncoder
    public let options: TrainOptions
    public let optimizer: AdamW
    public let schedule: LearningRateSchedule
    /// Updates applied so far.
    public private(set) var step = 0

    public init(config: ModelConfig, options: TrainOptions) throws {
        guard options.steps > 0, options.batchSize > 0, options.logEvery > 0, options.checkpointEvery >= 0,
              options.threads > 0 else {
            throw TrainError.invalidConfig("steps, batchSize, logEvery and threads must be positive, checkpointEvery non-negative")
        }
        if options.resume && options.checkpointDirectory == nil {
            throw TrainError.invalidConfig("resume needs a checkpoint directory")
        }
        try options.validate()
        BLAS.setThreads(1)
        if options.lossWeights.mlm != 0 && (config.maskedReportHead != true || options.lossWeights.mim == 0) {
            throw TrainError.invalidConfig("masked report modelling needs a model with maskedReportHead and the mim objective on")
        }
        if options.lossWeights.mim != 0 && config.maskedImageDecoder == nil {
            throw TrainError.invalidConfig("masked image modelling needs a model with a maskedImageDecoder (model \(config.name) has none)")
        }
        guard options.objectives.maskRatio > 0 && options.objectives.maskRatio < 1 else {
            throw TrainError.invalidConfig("the mask ratio must be in (0, 1)")
        }
        if options.lossWeights.prototype != 0 && config.prototypes == nil {
            throw TrainError.invalidConfig("the prototype objective needs a model with prototypes (model \(config.name) has none; set \"prototypes\")")
        }
        guard options.objectives.prototypeFreezeSteps >= 0 else {
            throw TrainError.invalidConfig("prototypeFreezeSteps must be non-negative")
        }
        model = try Parallel.withThreads(options.threads) { try DualEncoder(config: config, seed: options.seed) }
        model.objectives = options.objectives
        model.words = options.words
        self.options = options
        optimizer = AdamW(weightDecay: options.weightDecay)
        schedule = LearningRateSchedule(peak: options.learningRate, warmupSteps: options.warmupSteps,
                                        totalSteps: options.steps, minimumRatio: options.minimumLearningRateRatio)
    }

    /// One update on `batch`; returns its losses and the gradient norm before clipping.
    public func trainStep(_ batch: TrainingBatch) throws -> (loss: LossBreakdown, gradientNorm: Double, learningRate: Float) {
        try Parallel.withThreads(options.threads) { try update(batch) }
    }

    /// `trainStep`'s work, on `options.threads` threads.
    private func update(_ batch: TrainingBatch) throws -> (loss: LossBreakdown, gradientNorm: Double, learningRate: Float) {
        guard batch.batchSize <= options.batchSize else {
            throw TrainError.invalidBatch("batch of \(batch.batchSize) exceeds the run's batch size \(options.batchSize)")
        }
        model.arena.zeroGradients()
        // Masked image modelling's masks depend on the run's seed and the update number only (resume draws the same).
        var maskRNG = SplitMix64(seed: options.seed, stream: 0x4D49_4D00, index: UInt64(step + 1))
        model.maskSeed = maskRNG.next()
        let loss = try model.forward(batch, weights: options.lossWeights)
        let advice = "lower --lr (now \(options.learningRate)) or warm up longer (--warmup), and resume from the last "
            + "checkpoint"
        guard loss.total.isFinite else {
            throw TrainError.diverged("training diverged at step \(step + 1): the loss is \(loss.total) (global "
                + "\(loss.global), local \(loss.local), graph \(loss.graph); batch from \(batch.keys.first ?? "?")); \(advice)")
        }
        model.backward()
        // MGCA freezes the prototypes for the first epoch: no gradient (also none in the clipping norm), no update.
        let frozen = prototypeRange.map { (range: $0, steps: options.objectives.prototypeFreezeSteps) }
        if let f = frozen, step < f.steps { model.arena.zeroGradients(f.range) }
        let norm = AdamW.clipGradients(model.arena, maxNorm: options.clipNorm)
        guard norm.isFinite else {
            throw TrainError.diverged("training diverged at step \(step + 1): the gradient norm is \(norm); \(advice)")
        }
        step += 1
        let lr = schedule.rate(step: step)
        optimizer.update(model.arena, step: step, learningRate: lr, delayed: frozen)
        if let bad = model.arena.firstNonFiniteParameter {
            throw TrainError.diverged("training diverged at step \(step): the update made parameter \(bad) "
                + "non-finite; \(advice)")
        }
        return (loss, norm, lr)
    }

    /// The prototypes' place in the arena, when the model has them.
    var prototypeRange: Range<Int>? {
        guard model.config.prototypes != nil else { return nil }
        let t = model.arena.tensor("prototype.weight")
        return t.offset..<(t.offset + t.count)
    }

    /// The full state after `step` updates, with the batch source's `loaderState`.
    public func checkpoint(loaderState: [UInt8]) -> Checkpoint {
        let a = model.arena, n = a.count
        return unsafe Checkpoint(
            config: model.config, step: step, parameters: a.allParameters,
            firstMoment: Array(UnsafeBufferPointer(start: a.firstMoment, count: n)),
            secondMoment: Array(UnsafeBufferPointer(start: a.secondMoment, count: n)), loaderState: loaderState)
    }

    /// Loads parameters, moments and step from `checkpoint` (which must be of this model's configuration).
    public func restore(_ checkpoint: Checkpoint) throws {
        guard checkpoint.config == model.config else {
            throw TrainError.invalidCheckpoint("checkpoint is of model \(checkpoint.config.name) \(checkpoint.config), not \(model.config)")
        }
        let a = model.arena
        for unsafe (slab, values) in unsafe [(a.params, checkpoint.parameters), (a.firstMoment, checkpoint.firstMoment),
                                      (a.secondMoment, checkpoint.secondMoment)] {
            unsafe values.withUnsafeBufferPointer { unsafe slab.update(from: $0.baseAddress!, count: a.count) }
        }
        step = checkpoint.step
    }

    /// Trains until `options.steps` updates or until `source` runs dry. With `options.resume`, first restores the
    /// latest checkpoint in the checkpoint directory (if any) and the source's state saved in it.
    public func train(source: inout some BatchSource, log: (TrainStepLog) -> Void) throws -> TrainSummary {
        if options.resume, let dir = options.checkpointDirectory {
            guard let path = Checkpoint.latest(in: dir) else {
                throw TrainError.invalidOption("--resume: \(dir) holds no checkpoint (checkpoint-NNNNNNNN.ckpt); run "
                    + "without --resume to start from scratch, or give the folder of the run to continue")
            }
            let ckpt = try Checkpoint.read(from: path)
            try restore(ckpt)
            try source.restore(ckpt.loaderState)
        }
        if let dir = options.checkpointDirectory {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw TrainError.io("cannot create checkpoint directory \(dir): \(FileErrorText.reason(error))")
            }
        }
        let start = step
        var losses = [LossBreakdown]()
        var lastCheckpoint: String?
        var exhausted = false
        let runStart = Date()
        var windowStart = Date(), windowSteps = 0, windowSamples = 0, samples = 0
        while step < options.steps {
            guard let batch = try source.nextBatch() else { exhausted = true; break }
            let r = try trainStep(batch)
            losses.append(r.loss)
            windowSteps += 1
            windowSamples += batch.batchSize
            samples += batch.batchSize
            if step % options.logEvery == 0 || step == options.steps {
                let dt = Date().timeIntervalSince(windowStart)
                log(TrainStepLog(step: step, totalSteps: options.steps, loss: r.loss, learningRate: r.learningRate,
                                 gradientNorm: r.gradientNorm, secondsPerStep: dt / Double(windowSteps),
                                 samplesPerSecond: Double(windowSamples) / max(dt, 1e-9),
                                 weights: options.lossWeights))
                windowStart = Date()
                windowSteps = 0
                windowSamples = 0
            }
            if let dir = options.checkpointDirectory,
               step == options.steps || (options.checkpointEvery > 0 && step % options.checkpointEvery == 0) {
                let path = URL(fileURLWithPath: dir).appendingPathComponent(Checkpoint.fileName(step: step)).path
                try checkpoint(loaderState: source.state).write(to: path)
                lastCheckpoint = path
            }
        }
        if exhausted, step > start, let dir = options.checkpointDirectory {
            let path = URL(fileURLWithPath: dir).appendingPathComponent(Checkpoint.fileName(step: step)).path
            if lastCheckpoint != path {
                try checkpoint(loaderState: source.state).write(to: path)
                lastCheckpoint = path
            }
        }
        let elapsed = Date().timeIntervalSince(runStart)
        let ran = step - start
        return TrainSummary(startStep: start, endStep: step, losses: losses,
                            secondsPerStep: ran > 0 ? elapsed / Double(ran) : 0,
                            samplesPerSecond: elapsed > 0 ? Double(samples) / elapsed : 0,
                            lastCheckpoint: lastCheckpoint, sourceExhausted: exhausted)
    }
}
