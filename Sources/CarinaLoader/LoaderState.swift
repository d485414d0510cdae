import CarinaCore
import Foundation

/// Everything needed to restart a loader mid-epoch at exactly the next sample: a few numbers, serialised as JSON.
public struct LoaderState: Codable, Sendable, Equatable {
    public var version = 1
    public var seed: UInt64
    public var epoch: Int
    /// Samples of this rank already handed out in `epoch`.
    public var consumed: Int
    public var rank: Int
    public var world: Int
    /// The dataset the state belongs to (``datasetIdentity(directory:)``); nil in states saved before it was kept.
    /// A state resumed on another dataset would silently restart at an unrelated sample.
    public var dataset: String?

    public init(seed: UInt64, epoch: Int, consumed: Int, rank: Int, world: Int) {
        self.seed = seed
        self.epoch = epoch
        self.consumed = consumed
        self.rank = rank
        self.world = world
    }

    /// The state as compact JSON bytes (what a checkpoint stores).
    public func serialized() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(self)) ?? Data())
    }

    /// Reads a state written by `serialized()`.
    public init(serialized bytes: [UInt8]) throws(LoaderError) {
        do {
            self = try JSONDecoder().decode(LoaderState.self, from: Data(bytes))
        } catch {
            throw LoaderError(.badState, "loader state is not valid JSON of version 1: \(error)")
        }
        guard version == 1 else { throw LoaderError(.badState, "loader state version \(version) is not supported") }
    }
}

extension LoaderState {
    /// A short identity of the dataset in `directory`: its sample count and a hash of its `index.json` (which lists
    /// every shard's name, size and sample count), or nil when the folder has no readable index.
    public static func datasetIdentity(directory: String) -> String? {
        let path = (directory as NSString).appendingPathComponent("index.json")
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        return "index.json " + String(StableHash.fnv1a(text, salt: "carina-loader-state"), radix: 16)
    }
}
