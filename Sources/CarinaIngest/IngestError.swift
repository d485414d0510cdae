/// An error of the ingest stage: what went wrong, where, and what to do about it.
public struct IngestError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case notADump, unreadableFile, malformedCSV, badPartition, outputConflict
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
