import CPNG

/// Grayscale PNG, 8 or 16 bits, through libpng (the `setjmp` error path stays in the C helper).
public enum PNGCodec {
    /// zlib level used by `encode(_:)`. Level 1 means the Up filter with Huffman-only coding: on radiographs, whose
    /// low bits are noise, it is several times faster than level 6 with adaptive filters and about as small.
    public static let defaultCompressionLevel = 1

    /// Encodes an image as a grayscale PNG of its own bit depth.
    ///
    /// - Throws: `ImageCodecError` with code `.encodeFailed` if libpng fails.
    public static func encode(_ image: GrayImage) throws -> [UInt8] {
        try encode(image, compressionLevel: defaultCompressionLevel)
    }

    /// Encodes with an explicit level (0...9): 0 stores, 1 is the Up filter with Huffman-only coding, 2...9 are zlib
    /// levels with adaptive filtering.
    /// The output depends only on the image and the level.
    public static func encode(_ image: GrayImage, compressionLevel: Int) throws(ImageCodecError) -> [UInt8] {
        guard (0...9).contains(compressionLevel) else {
            throw ImageCodecError(.encodeFailed, "PNG compression level \(compressionLevel) is outside 0...9")
        }
        let filters: Int32 = compressionLevel == 0 ? 0x08 /* none */ : compressionLevel == 1 ? 0x20 /* up */ : 0xF8 /* all */
        let strategy: Int32 = compressionLevel == 1 ? 2 /* Z_HUFFMAN_ONLY */ : 0
        var buffer = unsafe carina_png_buffer(data: nil, size: 0, capacity: 0, failed: 0)
        var message = [CChar](repeating: 0, count: 256)
        let status: Int32
        if image.bitDepth == 16 {
            status = unsafe image.pixels.withUnsafeBytes { raw in
                unsafe carina_png_encode(raw.baseAddress, UInt32(image.width), UInt32(image.height), 16,
                                         Int32(compressionLevel), strategy, filters, &buffer, &message)
            }
        } else {
            let bytes = image.pixels.map { UInt8(truncatingIfNeeded: $0) }
            status = unsafe bytes.withUnsafeBytes { raw in
                unsafe carina_png_encode(raw.baseAddress, UInt32(image.width), UInt32(image.height), 8,
                                         Int32(compressionLevel), strategy, filters, &buffer, &message)
            }
        }
        defer { unsafe free(buffer.data) }
        guard status == 0, let data = unsafe buffer.data else {
            throw ImageCodecError(.encodeFailed, "PNG encoding failed: \(cText(message))")
        }
        return unsafe Array(UnsafeBufferPointer(start: data, count: buffer.size))
    }

    /// Decodes a grayscale PNG (1 to 16 bits; depths below 8 are expanded to 8): plain 8/16-bit non-interlaced ones
    /// through ``PNGInflateDecoder`` (libdeflate), the others through libpng.
    ///
    /// - Throws: `ImageCodecError`: `.malformedInput` for damaged data, `.unsupported` for colour or alpha.
    public static func decode(_ bytes: [UInt8]) throws -> GrayImage {
        if let image = try PNGInflateDecoder.decode(bytes) { return image }
        return try decodeWithLibpng(bytes)
    }

    /// Decodes a grayscale PNG with libpng alone (1 to 16 bits; depths below 8 are expanded to 8).
    ///
    /// - Throws: `ImageCodecError`: `.malformedInput` for damaged data, `.unsupported` for colour or alpha.
    public static func decodeWithLibpng(_ bytes: [UInt8]) throws -> GrayImage {
        try decodeWithLibpng(bytes, luminance: false)
    }

    /// Decodes any PNG to grayscale: a colour, palette or alpha PNG (as some image–label datasets ship theirs) is
    /// reduced to its luminance by libpng (Rec. 709 weights) and its alpha dropped; a grayscale one decodes as
    /// ``decode(_:)`` does.
    ///
    /// - Throws: `ImageCodecError` `.malformedInput` for damaged data.
    public static func decodeLuminance(_ bytes: [UInt8]) throws -> GrayImage {
        if let image = try? PNGInflateDecoder.decode(bytes) { return image }
        return try decodeWithLibpng(bytes, luminance: true)
    }

    static func decodeWithLibpng(_ bytes: [UInt8], luminance: Bool) throws -> GrayImage {
        var width: UInt32 = 0
        var height: UInt32 = 0
        var depth: Int32 = 0
        var pixels: UnsafeMutableRawPointer? = nil
        var message = [CChar](repeating: 0, count: 256)
        let status = unsafe bytes.withUnsafeBufferPointer { buffer in
            luminance
                ? unsafe carina_png_decode_luma(buffer.baseAddress, buffer.count, &width, &height, &depth, &pixels, &message)
                : unsafe carina_png_decode(buffer.baseAddress, buffer.count, &width, &height, &depth, &pixels, &message)
        }
        defer { unsafe free(pixels) }
        guard status == 0, let data = unsafe pixels else {
            let text = cText(message)
            let code: ImageCodecError.Code = status == 2 ? .unsupported : .malformedInput
            throw ImageCodecError(code, "PNG decoding failed: \(text)")
        }
        guard width > 0, height > 0 else { throw ImageCodecError(.malformedInput, "PNG has an empty image") }
        let count = Int(width) * Int(height)
        let values: [UInt16]
        if depth == 16 {
            values = unsafe Array(UnsafeBufferPointer(start: data.assumingMemoryBound(to: UInt16.self), count: count))
        } else {
            values = unsafe UnsafeBufferPointer(start: data.assumingMemoryBound(to: UInt8.self), count: count).map(UInt16.init)
        }
        return GrayImage(width: Int(width), height: Int(height), bitDepth: Int(depth), pixels: values)
    }
}
