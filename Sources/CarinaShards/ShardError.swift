/// An error from reading, writing, verifying or converting MDS shard folders.
///
/// Each error names what went wrong, where (folder, shard, sample, column), and what to do.
public struct ShardError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
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
    }

    /// The kind of failure.
    public let code: Code
    /// One line that says what is wrong, where, and what to do.
    public let message: String
    /// The shard file involved, if any (its basename as listed in `index.json`).
    public let shard: String?
    /// The global sample index involved, if any.
    public let sample: Int?

    public init(_ code: Code, _ message: String, shard: String? = nil, sample: Int? = nil) {
        self.code = code
        self.message = message
        self.shard = shard
        self.sample = sample
    }

    public var description: String { message }
}
