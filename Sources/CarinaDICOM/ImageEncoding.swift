/// How a rendered image is stored.
public enum ImageEncoding: String, CaseIterable, Sendable, Codable {
    /// 16-bit grayscale PNG.
    case png16
    /// 8-bit grayscale PNG.
    case png8
    /// 8-bit grayscale baseline JPEG (quality from `RenderOptions.jpegQuality`).
    case jpeg8
    /// Little-endian uint16 samples, row-major, no header (width and height travel beside it).
    case raw16

    /// The bit depth of the samples this encoding stores.
    public var bitDepth: Int { self == .png8 || self == .jpeg8 ? 8 : 16 }
}
