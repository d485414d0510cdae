import CarinaCore

/// What kind of input the entity-graph module found wrong.
public enum GraphErrorCode: String, ErrorCode {
    /// A lexicon file (concepts, cues, compositions, MeSH mapping) has a malformed line.
    case badLexicon
    /// A RadGraph JSON document does not have RadGraph's shape.
    case badRadGraphJSON

    public static let domain = "graph"
}

/// An error of the entity-graph module: malformed lexicon data or malformed RadGraph JSON.
public typealias GraphError = ModuleError<GraphErrorCode>
