import CarinaLoader
import CarinaTensor
import Testing
@testable import CarinaTrain

/// Every parameter tensor's gradient against central finite differences of the whole model's total loss.
///
/// Runs the forward and backward once, then probes each tensor `including` accepts: `randomProbes` offsets drawn
/// from one generator seeded 9 (in tensor order), then `extraProbes` (offsets inside the tensor), then the tensor's
/// largest gradient. Each probe moves one parameter by ±1e-2 and puts it back; its error is scaled by the tolerance
/// 2e-3 + 3e-2·|analytic|, so a worst error of at most 1 passes.
struct FiniteDifferenceCheck {
    /// The loss of the first forward, whose gradient is checked.
    let loss: LossBreakdown
    /// The analytic gradient of the whole arena.
    let gradients: [Float]
    /// The largest scaled error, and where it is with both values.
    let worst: Double
    let worstAt: String

    init(_ model: DualEncoder, batch: TrainingBatch, weights: LossWeights, randomProbes: Int,
         including: (ParameterTensor) -> Bool = { _ in true },
         extraProbes: (ParameterTensor) -> [Int] = { _ in [] }) throws {
        model.arena.zeroGradients()
        loss = try model.forward(batch, weights: weights)
        model.backward()
        let grads = model.arena.allGradients
        gradients = grads
        var rng = SeededGenerator(seed: 9)
        var worst = 0.0, worstName = ""
        for t in model.arena.tensors where including(t) {
            var probes = (0..<randomProbes).map { _ in t.offset + Int(rng.next() % UInt64(t.count)) }
            probes += extraProbes(t).map { t.offset + $0 }
            if let maxAt = (t.offset..<(t.offset + t.count)).max(by: { abs(grads[$0]) < abs(grads[$1]) }) { probes.append(maxAt) }
            for i in probes {
                let h: Float = 1e-2
                var vals = model.arena.allParameters
                let saved = vals[i]
                func loss(_ v: Float) throws -> Double {
                    vals[i] = v
                    model.arena.setValues(t.name, Array(vals[t.offset..<(t.offset + t.count)]))
                    return try model.forward(batch, weights: weights).total
                }
                let numeric = (try loss(saved + h) - (try loss(saved - h))) / Double(2 * h)
                _ = try loss(saved)
                let analytic = Double(grads[i])
                let err = abs(numeric - analytic) / (2e-3 + 3e-2 * abs(analytic))
                if err > worst { worst = err; worstName = "\(t.name)[\(i - t.offset)] numeric \(numeric) analytic \(analytic)" }
            }
        }
        self.worst = worst
        worstAt = worstName
    }
}

/// Trains `options.steps` steps on `batch` repeated `options.steps` times, from a fresh trainer.
func trainOnARepeatedBatch(_ batch: TrainingBatch, config: ModelConfig, options: TrainOptions,
                           log: (TrainStepLog) -> Void = { _ in }) throws -> TrainSummary {
    let trainer = try Trainer(config: config, options: options)
    var source = ArraySource(batches: Array(repeating: batch, count: options.steps))
    return try trainer.train(source: &source, log: log)
}

/// A training run over `batches` without a break, and the same run stopped after `stop` steps (its source runs dry,
/// a checkpoint every `stop` steps into `directory`) then resumed to the end by a fresh trainer from that checkpoint.
struct InterruptedRun {
    let full: Trainer
    let fullSummary: TrainSummary
    /// The run until the stop, and the resumed run after it.
    let part1: TrainSummary, part2: TrainSummary
    /// The trainer that resumed.
    let second: Trainer

    /// - Parameter options: the uninterrupted run's options (no checkpoints); the interrupted one adds the checkpoint
    ///   folder and interval, then `resume`.
    init(config: ModelConfig, options: TrainOptions, batches: [TrainingBatch], stopAfter stop: Int,
         directory: String) throws {
        full = try Trainer(config: config, options: options)
        var s1 = ArraySource(batches: batches)
        fullSummary = try full.train(source: &s1) { _ in }
        var interrupted = options
        interrupted.checkpointDirectory = directory
        interrupted.checkpointEvery = stop
        let first = try Trainer(config: config, options: interrupted)
        var s2 = ArraySource(batches: Array(batches[0..<stop]))
        part1 = try first.train(source: &s2) { _ in }
        interrupted.resume = true
        second = try Trainer(config: config, options: interrupted)
        var s3 = ArraySource(batches: batches)
        part2 = try second.train(source: &s3) { _ in }
    }

    /// The two parts' losses are the uninterrupted run's, and the resumed trainer ends on the same parameter bits.
    func expectBitExact(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(part1.losses + part2.losses == fullSummary.losses, sourceLocation: sourceLocation)
        #expect(second.model.arena.allParameters == full.model.arena.allParameters, sourceLocation: sourceLocation)
    }
}
