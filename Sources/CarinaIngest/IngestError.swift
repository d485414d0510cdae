import CarinaCore
import Foundation

/// What kind of failure the ingest stage met.
public enum IngestErrorCode: String, ErrorCode {
    case notADump, unreadableFile, malformedCSV, badPartition, outputConflict
    /// The output folder was ingested from other inputs or with other options than this run's.
    case inputsChanged
    /// Another ingest holds the output folder's lock.
    case outputLocked
    /// A value of a CSV contradicts itself, the dump or the allowed values.
    case badValue
    /// An option asks for more than Carina bounds (size, memory).
    case badOption
    /// An image was not written: filtered out by `--views` (see ``IngestImageStatus``).
    case viewNotSelected
    /// An image was not written: `--views` was given and it has no recorded view.
    case noView
    /// An image was not written: its study's report could not be read or is too large.
    case reportRefused
    /// An image was not written: its file could not be read.
    case unreadableImage
    /// An image was not written: its record is larger than a shard may hold.
    case recordTooLarge

    public static let domain = "ingest"
}

/// An error of the ingest stage: what went wrong, where, and what to do about it.
public typealias IngestError = ModuleError<IngestErrorCode>

extension ModuleError where Kind == IngestErrorCode {
    /// `strerror(code)`.
    static func posix(_ code: Int32) -> String { unsafe String(cString: strerror(code)) }

    /// A file-system error in a few words (the reason, not Foundation's whole error dump).
    static func reason(_ error: any Error) -> String { FileErrorText.reason(error) }
}
