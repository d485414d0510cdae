/// The codes of one module's errors: a closed set whose raw values are stable for scripts, logs and the
/// `code` column of `ingest-report.tsv`.
public protocol ErrorCode: RawRepresentable<String>, Sendable, Hashable {
    /// The module's short name, the first part of a qualified code (`dicom.decodeFailed`).
    static var domain: String { get }
    /// Whether an error's one-line description starts with its path (`PATH: message`); otherwise the message names
    /// the file itself where it matters.
    static var describesPath: Bool { get }
}

extension ErrorCode {
    public static var describesPath: Bool { false }
}

/// The one error shape of every Carina module: a code saying what kind of failure it is, one line saying what is
/// wrong, where and what to do, the file or item concerned, and the error underneath when another layer raised it.
/// Each module names its own (`public typealias DicomError = ModuleError<DicomErrorCode>`).
public struct ModuleError<Kind: ErrorCode>: Error, CustomStringConvertible, Sendable {
    public typealias Code = Kind

    /// What kind of failure.
    public let code: Code
    /// One line: what is wrong, where, and what to do about it.
    public let message: String
    /// The file (or shard) concerned, when there is one.
    public let path: String?
    /// The item concerned inside it (a sample index), when there is one.
    public let index: Int?
    /// The error this one was raised for, when another layer raised it first.
    public let underlying: (any Error)?

    public init(_ code: Code, _ message: String, path: String? = nil, index: Int? = nil, underlying: (any Error)? = nil)
    {
        self.code = code
        self.message = message
        self.path = path
        self.index = index
        self.underlying = underlying
    }

    /// `domain.code`, as `ingest-report.tsv` records it.
    public var qualifiedCode: String { Code.domain + "." + code.rawValue }

    public var description: String {
        if Code.describesPath, let path { return "\(path): \(message)" }
        return message
    }
}

extension ModuleError: Equatable {
    /// Two errors are equal when code, message and location are (the underlying error is not compared).
    public static func == (a: Self, b: Self) -> Bool {
        a.code == b.code && a.message == b.message && a.path == b.path && a.index == b.index
    }
}

/// The qualified code of any error a Carina module raises (`domain.code`), nil for an error of no module.
public protocol CodedError: Error {
    var qualifiedCode: String { get }
}

extension ModuleError: CodedError {}

/// What kind of failure CarinaCore's file formats (gzip, zip) met.
public enum CoreErrorCode: String, ErrorCode {
    /// The file cannot be opened or read.
    case unreadable
    /// The file is damaged, truncated or not of its format.
    case malformed
    /// The file uses a feature Carina does not read.
    case unsupported
    /// The file cannot be created or written.
    case writeFailed

    public static let domain = "core"
}

/// An error of CarinaCore's gzip and zip readers and writers: the path and what went wrong.
public typealias CoreError = ModuleError<CoreErrorCode>
