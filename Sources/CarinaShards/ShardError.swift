import CarinaCore

/// What kind of failure a shard operation met.
public enum ShardErrorCode: String, ErrorCode {
    /// A column, encoding, option or value the caller passed is not acceptable.
    case invalidArgument
    /// A file could not be read, written, renamed or synced.
    case io
    /// `index.json`, a shard, a sidecar or the progress file is not what its format says.
    case malformed
    /// A per-sample CRC32C or a per-shard hash does not match the bytes on disk.
    case checksumMismatch
    /// A CRC32C sidecar is missing where the reader was asked to check it.
    case missingChecksums
    /// A sample index outside `0..<count`.
    case outOfRange
    /// The output folder holds a different or a finished dataset.
    case conflict
    /// A sample does not fit in a shard of the size limit (with ``MDSShardWriter/refusesOversizedSamples``).
    case sampleTooLarge

    public static let domain = "shards"
}

/// An error from reading, writing, verifying or converting MDS shard folders.
///
/// Each error names what went wrong, where (folder, shard, sample, column), and what to do.
public typealias ShardError = ModuleError<ShardErrorCode>

extension ModuleError where Kind == ShardErrorCode {
    public init(_ code: Code, _ message: String, shard: String?, sample: Int? = nil) {
        self.init(code, message, path: shard, index: sample)
    }

    public init(_ code: Code, _ message: String, sample: Int?) {
        self.init(code, message, path: nil, index: sample)
    }

    /// The shard file involved, if any (its basename as listed in `index.json`).
    public var shard: String? { path }
    /// The global sample index involved, if any.
    public var sample: Int? { index }
}
