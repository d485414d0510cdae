import CarinaCore
import Foundation

/// An error of the ingest stage: what went wrong, where, and what to do about it.
public struct IngestError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case notADump, unreadableFile, malformedCSV, badPartition, outputConflict
        /// The output folder was ingested from other inputs or with other options than this run's.
        case inputsChanged
        /// Another ingest holds the output folder's lock.
        case outputLocked
        /// A value of a CSV contradicts itself, the dump or the allowed values.
        case badValue
        /// An option asks for more than Carina bounds (size, memory).
        case badOption
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// `strerror(code)`.
    static func posix(_ code: Int32) -> String { unsafe String(cString: strerror(code)) }

    /// A file-system error in a few words (the reason, not Foundation's whole error dump).
    static func reason(_ error: any Error) -> String { FileErrorText.reason(error) }
}
