import CarinaCore

/// What kind of failure the streaming loader met.
public enum LoaderErrorCode: String, ErrorCode {
    case unreadable, badVocabulary, badState, corruptSample, badImage, badOptions

    public static let domain = "loader"
}

/// An error of the streaming loader: what went wrong and where.
public typealias LoaderError = ModuleError<LoaderErrorCode>
