/// How `DicomRenderer.render` turns a DICOM frame into image bytes.
public struct RenderOptions: Sendable, Equatable {
    /// Which pixel transform (ARCHITECTURE.md: `CarinaDICOM`; the README's dicom section).
    public var transform: PixelTransform
    /// Resize so the long side is this many pixels (area averaging); nil keeps the size.
    public var size: Int?
    /// Centre the image on a black square canvas after resizing.
    public var padToSquare: Bool
    /// Output format.
    public var encoding: ImageEncoding
    /// libjpeg quality for `.jpeg8`, 1...100.
    public var jpegQuality: Int
    /// Which frame of a multi-frame image (0-based).
    public var frame: Int
    /// Threads one decode may use (JPEG 2000 only); keep 1 when several images are decoded at once.
    public var threads: Int
    /// zlib level for PNG output, 0...9.
    public var pngCompressionLevel: Int

    public init(transform: PixelTransform = .raw, size: Int? = nil, padToSquare: Bool = false,
                encoding: ImageEncoding = .png16, jpegQuality: Int = 95, frame: Int = 0, threads: Int = 1,
                pngCompressionLevel: Int = 1) {
        self.transform = transform
        self.size = size
        self.padToSquare = padToSquare
        self.encoding = encoding
        self.jpegQuality = jpegQuality
        self.frame = frame
        self.threads = threads
        self.pngCompressionLevel = pngCompressionLevel
    }
}

/// Encoded image bytes with their size.
public struct RenderedImage: Sendable, Equatable {
    public let bytes: [UInt8]
    public let width: Int
    public let height: Int
    public let encoding: ImageEncoding

    public init(bytes: [UInt8], width: Int, height: Int, encoding: ImageEncoding) {
        self.bytes = bytes
        self.width = width
        self.height = height
        self.encoding = encoding
    }
}
