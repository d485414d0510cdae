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

    /// One progress line: `step 120/1000  loss 3.2114 (g 2.01 l 0.99 e 0.20)  lr 9.9e-05  |g| 1.23  412 ms/step  77.6 samples/s`.
    public var line: String {
        func f(_ x: Double, _ digits: Int) -> String {
            let p = pow10(digits)
            return String(Double((x * p).rounded()) / p)
        }
        let mgca = (loss.token != 0 ? " t \(f(loss.token, 3))" : "") + (loss.prototype != 0 ? " p \(f(loss.prototype, 3))" : "")
            + (loss.mim != 0 ? " m \(f(loss.mim, 3))" : "") + (loss.mlm != 0 ? " r \(f(loss.mlm, 3))" : "")
            + (loss.anatomy != 0 || loss.pathology != 0 || loss.edge != 0 || loss.readout != 0
                ? " cga \(f(loss.anatomy, 3))/\(f(loss.pathology, 3))/\(f(loss.edge, 3))/\(f(loss.readout, 3))" : "")
            + (loss.caption != 0 || loss.summary != 0 || loss.distill != 0
                ? " gen \(f(loss.caption, 3))/\(f(loss.summary, 3))/\(f(loss.distill, 3))" : "")
        return "step \(step)/\(totalSteps)  loss \(f(loss.total, 4)) (g \(f(loss.global, 3)) l \(f(loss.local, 3)) e \(f(loss.graph, 3))\(mgca))"
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
    /// - Throws: ``TrainError/invalidOption(_:)`` naming the option, its value and its range.
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
