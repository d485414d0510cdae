import CJPEG

/// 8-bit grayscale JPEG through libjpeg-turbo (the `setjmp` error path stays in the C helper).
public enum JPEGCodec {
    /// Encodes an 8-bit image as a baseline JPEG.
    ///
    /// - Parameters:
    ///   - image: An image with `bitDepth == 8`.
    ///   - quality: libjpeg quality, 1...100.
    /// - Throws: `ImageCodecError` `.encodeFailed` for a 16-bit image, a bad quality, or a libjpeg failure.
    public static func encode(_ image: GrayImage, quality: Int) throws -> [UInt8] {
        guard image.bitDepth == 8 else {
            throw ImageCodecError(.encodeFailed, "JPEG output needs an 8-bit image, got \(image.bitDepth) bits")
        }
        guard (1...100).contains(quality) else {
            throw ImageCodecError(.encodeFailed, "JPEG quality \(quality) is outside 1...100")
        }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = unsafe image.pixels.withUnsafeBufferPointer { buffer in
            unsafe carina_jpeg_encode(buffer.baseAddress, UInt32(image.width), UInt32(image.height), Int32(quality),
                                      &out, &size, &message)
        }
        defer { unsafe free(out) }
        guard status == 0, let data = unsafe out else {
            throw ImageCodecError(.encodeFailed, "JPEG encoding failed: \(cText(message))")
        }
        return unsafe Array(UnsafeBufferPointer(start: data, count: Int(size)))
    }

    /// Decodes a JPEG to an 8-bit grayscale image (colour JPEGs are reduced to luminance by libjpeg).
    ///
    /// - Throws: `ImageCodecError` `.malformedInput` for damaged or truncated data.
    public static func decode(_ bytes: [UInt8]) throws -> GrayImage {
        try decode(bytes, atLeast: 0)
    }

    /// Decodes a JPEG for a resize to `longSide`: libjpeg's scaled IDCT decodes it at 1/2, 1/4 or 1/8 of its size,
    /// the smallest whose long side is still at least `longSide` (0: full size), so a 3056-pixel JPEG bound for 512
    /// pixels is decoded at 764 rather than in full. The result is then resized as any image.
    ///
    /// - Throws: `ImageCodecError` `.malformedInput` for damaged or truncated data.
    public static func decode(_ bytes: [UInt8], atLeast longSide: Int) throws -> GrayImage {
        var width: UInt32 = 0
        var height: UInt32 = 0
        var pixels: UnsafeMutablePointer<UInt8>? = nil
        var message = [CChar](repeating: 0, count: 256)
        guard !bytes.isEmpty else { throw ImageCodecError(.malformedInput, "JPEG decoding failed: no bytes") }
        let status = unsafe bytes.withUnsafeBufferPointer { buffer in
            unsafe carina_jpeg_decode_scaled(buffer.baseAddress, UInt(buffer.count), &width, &height, &pixels, &message,
                                             Int32(clamping: longSide))
        }
        defer { unsafe free(pixels) }
        guard status == 0, let data = unsafe pixels, width > 0, height > 0 else {
            throw ImageCodecError(.malformedInput, "JPEG decoding failed: \(cText(message))")
        }
        let count = Int(width) * Int(height)
        let values = unsafe UnsafeBufferPointer(start: data, count: count).map(UInt16.init)
        return GrayImage(width: Int(width), height: Int(height), bitDepth: 8, pixels: values)
    }
}
