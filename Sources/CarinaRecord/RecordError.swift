/// An error reading or building a Carina record: what is wrong, where, and what to do.
public struct RecordError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        /// A column is missing or holds a value of the wrong kind.
        case badColumn
        /// The shards hold another record schema than this reader knows, or lack what was asked of them.
        case unsupportedSchema
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
