/// An error of the streaming loader: what went wrong and where.
public struct LoaderError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable {
        case unreadable, badVocabulary, badState, corruptSample, badImage, badOptions
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
