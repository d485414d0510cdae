import CarinaCore

/// What kind of problem a report has.
public enum ReportErrorCode: String, ErrorCode {
    case unreadable, notUTF8, binary, malformedXML, notAReport, notFound, mimicOverride

    public static let domain = "report"
    /// A report error reads `PATH: message`.
    public static let describesPath = true
}

/// A report that cannot be read or split: what is wrong, where (`path`), and what to do.
public typealias ReportError = ModuleError<ReportErrorCode>
