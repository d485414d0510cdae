import CarinaCore
import Foundation

/// What a training run read: the dataset (its folder and a digest of its `index.json`, which names every shard and
/// its hashes) and the splits. `carina train` keeps it beside its checkpoints (`training-data.json`), so that
/// `carina eval` can refuse to score a model on the records it learnt from.
public struct TrainingData: Codable, Sendable, Equatable {
    /// The dataset folder as given.
    public var dataset: String
    /// FNV-1a of the dataset's `index.json` text, in hex: the same shards give the same digest wherever they are.
    public var indexDigest: String
    /// The splits training read; nil when it read every record.
    public var splits: [String]?

    public static let fileName = "training-data.json"

    public init(dataset: String, splits: Set<String>?) throws {
        self.dataset = dataset
        indexDigest = try Self.digest(ofDataset: dataset)
        self.splits = splits?.sorted()
    }

    /// The digest of a dataset folder's `index.json`.
    public static func digest(ofDataset directory: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent("index.json")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainError.io("cannot read \(path); is \(directory) a shard folder?")
        }
        return String(StableHash.fnv1a(String(decoding: data, as: UTF8.self)), radix: 16)
    }

    /// Writes the record into a checkpoint folder.
    public func write(toCheckpointFolder folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try encoder.encode(self).write(to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(Self.fileName)))
    }

    /// The record kept beside a checkpoint (a checkpoint file or its folder); nil when there is none (checkpoints
    /// written before Carina kept it).
    public static func read(besideCheckpoint path: String) -> TrainingData? {
        var isDirectory: ObjCBool = false
        let folder = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? path : (path as NSString).deletingLastPathComponent
        let file = (folder as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        return try? JSONDecoder().decode(TrainingData.self, from: data)
    }

    /// Whether evaluating `splits` (nil: every record) of `dataset` would read records this training read.
    public func overlaps(dataset: String, splits evaluated: Set<String>?) throws -> Bool {
        guard try Self.digest(ofDataset: dataset) == indexDigest else { return false }
        guard let trained = splits, let evaluated else { return true }
        return !Set(trained).isDisjoint(with: evaluated)
    }
}
