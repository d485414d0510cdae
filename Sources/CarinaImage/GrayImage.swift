/// A single-channel image: what Carina's DICOM reader produces and its encoders and loader consume.
///
/// Pixels are row-major, `width * height` of them, each below `1 << bitDepth`. An 8-bit image keeps its values in
/// `UInt16` storage so that one type serves both depths.
public struct GrayImage: Sendable, Equatable {
    /// Columns.
    public var width: Int
    /// Rows.
    public var height: Int
    /// 8 or 16.
    public var bitDepth: Int
    /// Row-major samples, each `< 1 << bitDepth`.
    public var pixels: [UInt16]

    /// Wraps pixels; the shape must match (a programmer error otherwise).
    ///
    /// - Parameters:
    ///   - width: Columns, at least 1.
    ///   - height: Rows, at least 1.
    ///   - bitDepth: 8 or 16.
    ///   - pixels: `width * height` samples below `1 << bitDepth`.
    public init(width: Int, height: Int, bitDepth: Int, pixels: [UInt16]) {
        precondition(width > 0 && height > 0, "GrayImage needs a positive size, got \(width)x\(height)")
        precondition(bitDepth == 8 || bitDepth == 16, "GrayImage bit depth must be 8 or 16, got \(bitDepth)")
        precondition(pixels.count == width * height, "GrayImage \(width)x\(height) needs \(width * height) pixels, got \(pixels.count)")
        self.width = width
        self.height = height
        self.bitDepth = bitDepth
        self.pixels = pixels
    }

    /// The largest sample value this depth can hold.
    public var maxValue: UInt16 { bitDepth == 16 ? UInt16.max : UInt16((1 << bitDepth) - 1) }

    /// The sample at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> UInt16 { pixels[y * width + x] }

    /// The image at another bit depth: 8 → 16 multiplies by 257 (255 becomes 65535), 16 → 8 rounds `v / 257`.
    public func converted(toBitDepth depth: Int) -> GrayImage {
        precondition(depth == 8 || depth == 16, "bit depth must be 8 or 16, got \(depth)")
        if depth == bitDepth { return self }
        if depth == 16 { return GrayImage(width: width, height: height, bitDepth: 16, pixels: pixels.map { $0 &* 257 }) }
        let scaled = pixels.map { UInt16((UInt32($0) + 128) / 257) }
        return GrayImage(width: width, height: height, bitDepth: 8, pixels: scaled)
    }
}
