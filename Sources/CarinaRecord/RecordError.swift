import CarinaCore

/// What is wrong with a record.
public enum RecordErrorCode: String, ErrorCode {
    /// A column is missing or holds a value of the wrong kind.
    case badColumn
    /// The shards hold another record schema than this reader knows, or lack what was asked of them.
    case unsupportedSchema

    public static let domain = "record"
}

/// An error reading or building a Carina record: what is wrong, where, and what to do.
public typealias RecordError = ModuleError<RecordErrorCode>
