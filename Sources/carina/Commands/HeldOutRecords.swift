import CarinaLoader
import CarinaTrain
import Foundation

/// What `eval`, `generate` and `probe` share when they read a checkpoint and score it on held-out records.
enum HeldOutRecords {
    /// A checkpoint file as given, or a checkpoint folder's latest checkpoint.
    static func checkpointFile(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return path
        }
        guard let latest = Checkpoint.latest(in: path) else { throw CLIError("no checkpoint in \(path)") }
        return latest
    }

    /// Loader options that read every chosen record once, in order, at the model's shapes, without augmentation.
    static func loaderOptions(config: ModelConfig, batch: Int, splits: Set<String>?) -> LoaderOptions {
        var options = LoaderOptions()
        options.batchSize = batch
        options.rank = 0
        options.world = 1
        options.dropLast = false
        options.textLength = config.textLength
        options.conceptCount = config.concepts
        options.augmentation = .evaluation(size: config.imageSize)
        options.splits = splits
        return options
    }

    /// Refuses records the checkpoint was trained on (its `training-data.json`) unless `allowed`.
    static func refuseTrainingRecords(checkpoint: String, file: String, dataset: String, splits: Set<String>?,
                                      allowed: Bool) throws {
        guard !allowed, let trained = TrainingData.read(besideCheckpoint: checkpoint),
              try trained.overlaps(dataset: dataset, splits: splits) else { return }
        let what = splits.map { "split " + $0.sorted().joined(separator: ",") } ?? "every split"
        throw CLIError("\(file) was trained on \(trained.splits?.joined(separator: ",") ?? "every split") of these "
            + "shards, and --split asks for \(what): choose a held-out split (--split test or validate), other shards, "
            + "or --allow-training-records")
    }
}
