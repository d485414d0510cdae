/// An error of the entity-graph module: malformed lexicon data or malformed RadGraph JSON.
public struct GraphError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of input was wrong.
    public enum Code: String, Sendable {
        /// A lexicon file (concepts, cues, compositions, MeSH mapping) has a malformed line.
        case badLexicon
        /// A RadGraph JSON document does not have RadGraph's shape.
        case badRadGraphJSON
    }

    /// The kind of error.
    public let code: Code
    /// What went wrong, where, and what to do about it.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
