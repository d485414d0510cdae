import ArgumentParser
import CarinaLoader
import CarinaTrain
import Foundation

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train carina-tiny on a shard folder.",
        discussion: """
            Streams the shards through the loader (random crop and intensity jitter, WordPiece ids of the impression \
            and the findings, the graph's concept targets) into the carina-tiny dual encoder: global image-impression \
            InfoNCE, token-level findings-patch alignment and entity-concept BCE, AdamW with warm-up and a cosine \
            schedule. Checkpoints hold the model, the optimiser and the loader position, so --resume continues \
            bit-exactly.
            """
    )

    @Argument(help: "A shard folder (holding index.json).") var dir: String
    @Option(help: "Total optimisation steps.") var steps: Int = 100
    @Option(help: "Samples per batch.") var batch: Int = 32
    @Option(help: "Checkpoint folder.") var checkpoint: String?
    @Option(help: "Write a checkpoint every N steps (0: only at the end).") var checkpointEvery: Int = 0
    @Flag(help: "Continue from the latest checkpoint in --checkpoint.") var resume = false
    @Option(help: "Model configuration: a name under schemas/models or a JSON file.") var model: String = "carina-tiny"
    @Option(help: "Peak learning rate.") var lr: Float = 1e-4
    @Option(help: "Warm-up steps.") var warmup: Int = 0
    @Option(help: "Weights of the global, local and graph losses (0 switches one off).") var lossWeights: String = "1,1,1"
    @Option(help: "Smallest area fraction of the random resized crop (1: the whole image, no crop).")
    var cropScale: Float = ImageAugmentation().cropScale.lowerBound
    @Option(help: "Seed of the initialisation and the data order.") var seed: UInt64 = 0
    @Option(help: "Log every N steps.") var logEvery: Int = 1
    @Option(help: "Threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "WordPiece vocabulary (a BERT vocab.txt).") var vocab: String = Resources.defaultVocabulary
    @OptionGroup var selection: RecordSelection

    func validate() throws {
        guard steps >= 1, batch >= 1, logEvery >= 1, threads >= 1, checkpointEvery >= 0 else {
            throw ValidationError("--steps, --batch, --log-every and --threads must be at least 1")
        }
        guard cropScale > 0 && cropScale <= 1 else { throw ValidationError("--crop-scale must be in (0, 1]") }
        if resume && checkpoint == nil { throw ValidationError("--resume needs --checkpoint DIR") }
        guard lr.isFinite, lr > 0, lr <= 1 else {
            throw ValidationError("--lr must be a number in (0, 1], e.g. 1e-4 (got \(lr))")
        }
        guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more steps (got \(warmup))") }
        let weights = lossWeights.split(separator: ",").compactMap { Float($0) }
        guard weights.count == 3, weights.allSatisfy({ $0.isFinite && $0 >= 0 }), weights.contains(where: { $0 > 0 }) else {
            throw ValidationError("--loss-weights must be three finite non-negative numbers, not all 0, e.g. 1,1,0.5")
        }
    }

    func run() async throws {
        let config = try Resources.modelConfig(model)
        let weights = lossWeights.split(separator: ",").compactMap { Float($0) }
        guard weights.count == 3, weights.allSatisfy({ $0 >= 0 }) else {
            throw CLIError("--loss-weights must be three non-negative numbers, e.g. 1,1,0.5")
        }
        var loaderOptions = LoaderOptions()
        loaderOptions.batchSize = batch
        loaderOptions.seed = seed
        loaderOptions.textLength = config.textLength
        loaderOptions.conceptCount = config.concepts
        var augmentation = ImageAugmentation(size: config.imageSize, randomCrop: cropScale < 1)
        augmentation.cropScale = cropScale...1
        loaderOptions.augmentation = augmentation
        loaderOptions.workers = threads
        let splits = try selection.splits(default: "train")
        loaderOptions.splits = splits
        loaderOptions.uncertainLabels = try selection.uncertainPolicy()
        var loader = try StreamingLoader(directory: dir, vocabulary: vocab, options: loaderOptions)
        guard loader.samplesPerEpoch >= 2 else {
            throw CLIError("\(dir) holds \(loader.samplesPerEpoch) sample(s) for this rank; contrastive training needs at least 2")
        }
        if loader.samplesPerEpoch < batch {
            // Full batches only (a batch of one has no contrastive negatives): shrink the batch to the epoch.
            loaderOptions.batchSize = loader.samplesPerEpoch
            loader = try StreamingLoader(directory: dir, vocabulary: vocab, options: loaderOptions)
            print("train: batch reduced to \(loaderOptions.batchSize), the number of samples per epoch")
        }
        let options = TrainOptions(
            steps: steps, batchSize: loaderOptions.batchSize, learningRate: lr, warmupSteps: warmup,
            lossWeights: LossWeights(global: weights[0], local: weights[1], graph: weights[2]),
            checkpointDirectory: checkpoint, checkpointEvery: checkpointEvery, resume: resume, seed: seed,
            logEvery: logEvery, threads: threads)
        let trainer = try Trainer(config: config, options: options)
        // Which records trained the model, so that `carina eval` can refuse to score it on them.
        if let checkpoint { try TrainingData(dataset: dir, splits: splits).write(toCheckpointFolder: checkpoint) }
        var source = LoaderBatchSource(loader: loader)
        let splitText = splits.map { $0.sorted().joined(separator: ",") } ?? "all"
        print("train: \(config.name), \(trainer.model.arena.count) parameters, \(loader.samplesPerEpoch) samples per epoch "
            + "(split \(splitText)), "
            + "batch \(loaderOptions.batchSize), \(steps) steps")
        let summary = try trainer.train(source: &source) { print($0.line) }
        if summary.startStep > 0 { print("train: resumed at step \(summary.startStep)") }
        if let first = summary.losses.first, let last = summary.losses.last {
            print(String(format: "train: loss %.4f -> %.4f over %d steps, %.0f ms/step, %.1f samples/s",
                         first.total, last.total, summary.losses.count, summary.secondsPerStep * 1000,
                         summary.samplesPerSecond))
        }
        if let path = summary.lastCheckpoint { print("train: checkpoint \(path)") }
    }
}
