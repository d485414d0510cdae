import CarinaLoader

/// The streaming loader as the trainer's batch source: epoch after epoch, with the loader's state as the
/// checkpoint's opaque resumable position.
public struct LoaderBatchSource: BatchSource {
    public let loader: StreamingLoader

    public init(loader: StreamingLoader) { self.loader = loader }

    /// The next batch; at the end of an epoch the next epoch starts (a new order from the same seed).
    public mutating func nextBatch() throws -> TrainingBatch? {
        if let batch = try loader.nextBatch() { return batch }
        guard loader.samplesPerEpoch >= 1 else { return nil }
        loader.startEpoch(loader.state.epoch + 1)
        return try loader.nextBatch()
    }

    public var state: [UInt8] { loader.state.serialized() }

    public mutating func restore(_ state: [UInt8]) throws {
        try loader.restore(LoaderState(serialized: state))
    }
}
