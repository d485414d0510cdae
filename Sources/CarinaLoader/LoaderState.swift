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
