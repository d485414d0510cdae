import CPNGInflate

/// Decodes the common PNG — non-interlaced grayscale, 8 or 16 bits, the kind Carina writes — with libdeflate in one
/// call and a specialised unfilter, optionally only its top rows (a crop that ends above the bottom row need not
/// unfilter the rest). Every critical chunk's CRC and the zlib stream's Adler-32 are checked, as with libpng.
/// Anything else (colour, alpha, palette, depths below 8, interlacing, unusual chunk layouts) gives `nil`: decode it
/// with ``PNGCodec/decodeWithLibpng(_:)``. ``PNGCodec/decode(_:)`` does both.
public enum PNGInflateDecoder {
    /// A PNG's size and sample format, read from its IHDR.
    public struct Header: Sendable, Equatable {
        public var width: Int
        public var height: Int
        public var bitDepth: Int
        public var colorType: Int
        public var interlaced: Bool

        /// Whether ``PNGInflateDecoder/decode(_:rows:)`` handles this PNG.
        public var isPlainGray: Bool {
            colorType == 0 && (bitDepth == 8 || bitDepth == 16) && !interlaced && width > 0 && height > 0
                && width <= 65535 && height <= 65535
        }
    }

    /// Reads the IHDR.
    ///
    /// - Throws: `ImageCodecError(.malformedInput)` when the signature or IHDR is missing.
    public static func header(_ bytes: [UInt8]) throws(ImageCodecError) -> Header {
        var width: UInt32 = 0, height: UInt32 = 0
        var depth: Int32 = 0, color: Int32 = 0, interlace: Int32 = 0
        let status = unsafe bytes.withUnsafeBufferPointer { buffer in
            unsafe carina_png_inflate_header(buffer.baseAddress, buffer.count, &width, &height, &depth, &color, &interlace)
        }
        guard status == 0 else {
            throw ImageCodecError(.malformedInput, "PNG decoding failed: not a PNG, or no IHDR first (bad signature or header)")
        }
        return Header(width: Int(width), height: Int(height), bitDepth: Int(depth), colorType: Int(color),
                      interlaced: interlace != 0)
    }

    /// Decodes the top `rows` rows (default: all) into an image `rows` high, or returns nil when the PNG is not a
    /// plain grayscale 8/16-bit non-interlaced one.
    ///
    /// - Throws: `ImageCodecError(.malformedInput)` naming what is damaged (signature, chunk CRC, zlib data or
    ///   Adler-32, filter type, truncation) and where.
    public static func decode(_ bytes: [UInt8], rows: Int? = nil) throws(ImageCodecError) -> GrayImage? {
        let header = try header(bytes)
        guard header.isPlainGray else { return nil }
        let count = rows ?? header.height
        guard count >= 1, count <= header.height else {
            throw ImageCodecError(.malformedInput, "PNG decoding failed: \(count) rows asked of an image \(header.height) high")
        }
        var message = [CChar](repeating: 0, count: 256)
        var status: Int32 = 0
        let pixels = unsafe [UInt16](unsafeUninitializedCapacity: header.width * count) { buffer, initialised in
            status = unsafe bytes.withUnsafeBufferPointer { data in
                unsafe carina_png_inflate_decode(data.baseAddress, data.count, UInt32(count), buffer.baseAddress, &message)
            }
            // On failure the values are never read: the array is dropped below.
            initialised = status == 0 ? buffer.count : 0
        }
        switch status {
        case 0:
            return GrayImage(width: header.width, height: count, bitDepth: header.bitDepth, pixels: pixels)
        case 1:
            return nil
        default:
            throw ImageCodecError(.malformedInput, "PNG decoding failed: \(cText(message))")
        }
    }
}
