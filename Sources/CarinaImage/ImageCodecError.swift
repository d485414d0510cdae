import CarinaCore

/// What kind of failure an image codec met.
public enum ImageCodecErrorCode: String, ErrorCode {
    /// The input bytes are not a valid image of the expected format.
    case malformedInput
    /// The image is valid but of a kind this codec does not handle (colour, alpha, depth).
    case unsupported
    /// The encoder failed or the request was invalid.
    case encodeFailed

    public static let domain = "image"
}

/// An image that could not be encoded or decoded: what went wrong, in the codec library's own words.
public typealias ImageCodecError = ModuleError<ImageCodecErrorCode>
