/// How a training run proceeds. Defaults are the reference's (AdamW lr 1e-4, weight decay 0.05).
public struct TrainOptions: Sendable, Equatable {
    /// Total updates; a resumed run continues up to this step.
    public var steps: Int
    /// The largest batch the run accepts (the batch source is configured with it).
    public var batchSize: Int
    /// Peak learning rate.
    public var learningRate: Float
    public var warmupSteps: Int
    /// The cosine schedule ends at `minimumLearningRateRatio × learningRate`.
    public var minimumLearningRateRatio: Float
    public var weightDecay: Float
    /// Global gradient-norm clip; 0 disables clipping.
    public var clipNorm: Float
    public var lossWeights: LossWeights
    /// The objectives' settings beyond their weights (instance text and temperature, prototype constants and freeze).
    public var objectives: ObjectiveSettings
    /// How findings WordPieces group into words (MGCA's token level); set it from the run's vocabulary.
    public var words: WordSegmenter
    /// Where checkpoints go; nil writes none.
    public var checkpointDirectory: String?
    /// Write a checkpoint every this many steps (and after the last step); 0 = only after the last step.
    public var checkpointEvery: Int
    /// Continue from the latest checkpoint in `checkpointDirectory`.
    public var resume: Bool
    /// Seed of the parameter initialisation.
    public var seed: UInt64
    /// Report a `TrainStepLog` every this many steps (and at the last step).
    public var logEvery: Int
    /// Threads for the kernels.
    public var threads: Int

    public init(steps: Int = 1000, batchSize: Int = 32, learningRate: Float = 1e-4, warmupSteps: Int = 0,
                minimumLearningRateRatio: Float = 0.1, weightDecay: Float = 0.05, clipNorm: Float = 1.0,
                lossWeights: LossWeights = LossWeights(), objectives: ObjectiveSettings = ObjectiveSettings(),
                words: WordSegmenter = WordSegmenter(), checkpointDirectory: String? = nil, checkpointEvery: Int = 0,
                resume: Bool = false, seed: UInt64 = 0, logEvery: Int = 10, threads: Int = 2) {
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.warmupSteps = warmupSteps
        self.minimumLearningRateRatio = minimumLearningRateRatio
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
        self.lossWeights = lossWeights
        self.objectives = objectives
        self.words = words
        self.checkpointDirectory = checkpointDirectory
        self.checkpointEvery = checkpointEvery
        self.resume = resume
        self.seed = seed
        self.logEvery = logEvery
        self.threads = threads
    }
}

/// One logged step.
public struct TrainStepLog: Sendable, Equatable {
    public var step: Int
    public var totalSteps: Int
    public var loss: LossBreakdown
    public var learningRate: Float
    /// Global gradient norm before clipping.
    public var gradientNorm: Double
    /// Mean wall time per step since the previous log.
    public var secondsPerStep: Double
    public var samplesPerSecond: Double

    /// The run's objective weights: the line shows the loss of each objective it weighs (nil: the global, local and
    /// graph losses always, the others when not 0).
    public var weights: LossWeights?

    /// One progress line: `step 120/1000  loss 3.2114 (g 2.01 l 0.99 e 0.20)  lr 9.9e-05  |g| 1.23  412 ms/step  77.6 samples/s`;
    /// an MRM run shows `(m 0.912 r 7.215)`, masked image and masked report modelling.
    public var line: String {
        func f(_ x: Double, _ digits: Int) -> String {
            let p = pow10(digits)
            return String(Double((x * p).rounded()) / p)
        }
        let w = weights
        func on(_ weight: Float?, _ value: Double) -> Bool { weight.map { $0 != 0 } ?? (value != 0) }
        var parts = [String]()
        if w.map({ $0.global != 0 }) ?? true { parts.append("g \(f(loss.global, 3))") }
        if w.map({ $0.local != 0 }) ?? true { parts.append("l \(f(loss.local, 3))") }
        if w.map({ $0.graph != 0 }) ?? true { parts.append("e \(f(loss.graph, 3))") }
        if on(w?.token, loss.token) { parts.append("t \(f(loss.token, 3))") }
        if on(w?.prototype, loss.prototype) { parts.append("p \(f(loss.prototype, 3))") }
        if on(w?.mim, loss.mim) { parts.append("m \(f(loss.mim, 3))") }
        if on(w?.mlm, loss.mlm) { parts.append("r \(f(loss.mlm, 3))") }
        let cga = w.map(\.graphAlignment) ?? (loss.anatomy != 0 || loss.pathology != 0 || loss.edge != 0 || loss.readout != 0)
        if cga { parts.append("cga \(f(loss.anatomy, 3))/\(f(loss.pathology, 3))/\(f(loss.edge, 3))/\(f(loss.readout, 3))") }
        if on(w?.caption, loss.caption) || on(w?.summary, loss.summary) || on(w?.distill, loss.distill) {
            parts.append("gen \(f(loss.caption, 3))/\(f(loss.summary, 3))/\(f(loss.distill, 3))")
        }
        return "step \(step)/\(totalSteps)  loss \(f(loss.total, 4)) (\(parts.joined(separator: " ")))"
            + "  lr \(learningRate)  |g| \(f(gradientNorm, 3))  \(f(secondsPerStep * 1000, 1)) ms/step  \(f(samplesPerSecond, 1)) samples/s"
    }

    private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }
}

/// The outcome of `Trainer.train`.
public struct TrainSummary: Sendable, Equatable {
    /// The step the run started from (0, or the resumed checkpoint's step).
    public var startStep: Int
    /// Updates applied when the run ended.
    public var endStep: Int
    /// Loss of every step this run executed, in order.
    public var losses: [LossBreakdown]
    /// Mean wall time per step of this run.
    public var secondsPerStep: Double
    public var samplesPerSecond: Double
    /// The last checkpoint written, if any.
    public var lastCheckpoint: String?
    /// True when the batch source ran dry before `steps`.
    public var sourceExhausted: Bool
}

extension TrainOptions {
    /// Checks the options a run depends on: a learning rate, weight decay, clip norm and loss weights that are finite
    /// and in range, and non-negative warm-up.
    ///
    /// - Throws: `TrainError.invalidOption(_:)` naming the option, its value and its range.
    public func validate() throws {
        guard learningRate.isFinite, learningRate > 0, learningRate <= 1 else {
            throw TrainError.invalidOption("--lr \(learningRate) must be a number in (0, 1] (carina-tiny trains at 1e-4 to 1e-3)")
        }
        guard warmupSteps >= 0 else { throw TrainError.invalidOption("--warmup \(warmupSteps) must be 0 or more steps") }
        guard minimumLearningRateRatio.isFinite, (0...1).contains(minimumLearningRateRatio) else {
            throw TrainError.invalidOption("the minimum learning-rate ratio \(minimumLearningRateRatio) must be in [0, 1]")
        }
        guard weightDecay.isFinite, weightDecay >= 0 else {
            throw TrainError.invalidOption("weight decay \(weightDecay) must be a finite number, 0 or more")
        }
        guard clipNorm.isFinite, clipNorm >= 0 else {
            throw TrainError.invalidOption("gradient clip norm \(clipNorm) must be a finite number, 0 (no clipping) or more")
        }
        let weights = [lossWeights.global, lossWeights.local, lossWeights.graph, lossWeights.token, lossWeights.prototype,
                       lossWeights.mim, lossWeights.mlm, lossWeights.anatomy, lossWeights.pathology, lossWeights.edge,
                       lossWeights.readout, lossWeights.caption, lossWeights.summary, lossWeights.distill]
        guard objectives.distillTemperature.isFinite, objectives.distillTemperature > 0 else {
            throw TrainError.invalidOption("--distill-temperature \(objectives.distillTemperature) must be a positive number (HybridMED: 2)")
        }
        guard weights.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1000 }), weights.contains(where: { $0 > 0 }) else {
            let named = zip(LossWeights.names, weights).map { "\($0)=\($1)" }.joined(separator: ",")
            throw TrainError.invalidOption("objective weights \(named) must be finite numbers in [0, 1000], not all 0, "
                + "e.g. --loss-weights 1,1,0.5 or --objectives global=1,token=1")
        }
    }
}
