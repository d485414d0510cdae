/// An image that could not be encoded or decoded: what went wrong, in the codec library's own words.
public struct ImageCodecError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of failure.
    public enum Code: String, Sendable {
        /// The input bytes are not a valid image of the expected format.
        case malformedInput
        /// The image is valid but of a kind this codec does not handle (colour, alpha, depth).
        case unsupported
        /// The encoder failed or the request was invalid.
        case encodeFailed
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
