/// What the reader does with Carina's per-sample CRC-32C sidecars.
public enum CRCPolicy: Sendable, Equatable {
    /// Require a sidecar for every shard and check every sample read; a mismatch throws
    /// ``ShardError`` (`checksumMismatch`) naming the shard and sample.
    case fail
    /// Require sidecars and check every sample; ``MDSDataset/sample(at:)`` still throws for a corrupt sample, while
    /// ``MDSDataset/sampleIfIntact(at:)`` returns `nil` so sequential readers can skip it and count it.
    case skip
    /// Read without checking (shards written by `streaming` itself have no sidecar).
    case off
}
