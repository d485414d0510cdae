/// What a JPEG file's markers say, read without decoding its pixels: for storing a JPEG as it is.
public struct JPEGHeader: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var components: Int
    public var bitsPerSample: Int

    /// Reads the frame header (SOF) of `bytes`, and checks that the file starts with SOI, reaches a scan (SOS) and
    /// ends with EOI, so a truncated or non-JPEG file is refused without a decode.
    ///
    /// - Throws: ``ImageCodecError`` saying what is missing.
    public init(_ bytes: [UInt8]) throws(ImageCodecError) {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else {
            throw ImageCodecError(.malformedInput, "not a JPEG file (no start-of-image marker)")
        }
        var at = 2
        var frame: (Int, Int, Int, Int)?
        while at + 4 <= bytes.count {
            guard bytes[at] == 0xFF else { throw ImageCodecError(.malformedInput, "corrupt JPEG: no marker at byte \(at)") }
            let marker = bytes[at + 1]
            if marker == 0xFF { at += 1; continue }
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { at += 2; continue }
            let length = Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            guard length >= 2, at + 2 + length <= bytes.count else {
                throw ImageCodecError(.malformedInput, "corrupt JPEG: segment at byte \(at) runs past the end of the file")
            }
            // SOF0…SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            if (0xC0...0xCF).contains(marker), marker != 0xC4, marker != 0xC8, marker != 0xCC {
                guard length >= 8 else { throw ImageCodecError(.malformedInput, "corrupt JPEG: short frame header") }
                frame = (Int(bytes[at + 7]) << 8 | Int(bytes[at + 8]), Int(bytes[at + 5]) << 8 | Int(bytes[at + 6]),
                         Int(bytes[at + 9]), Int(bytes[at + 4]))
            }
            if marker == 0xDA { break }
            at += 2 + length
        }
        guard let (width, height, components, bits) = frame, width > 0, height > 0 else {
            throw ImageCodecError(.malformedInput, "corrupt JPEG: no frame header with a width and height")
        }
        guard at + 4 <= bytes.count else { throw ImageCodecError(.malformedInput, "corrupt JPEG: no scan data") }
        var end = bytes.count
        while end > 2, bytes[end - 1] == 0 { end -= 1 }
        guard end >= 2, bytes[end - 2] == 0xFF, bytes[end - 1] == 0xD9 else {
            throw ImageCodecError(.malformedInput, "truncated JPEG: the file does not end with the end-of-image marker")
        }
        self.width = width
        self.height = height
        self.components = components
        self.bitsPerSample = bits
    }
}
