/// Reads greyscale PNG images (colour type 0, non-interlaced, 8 or 16 bits) into samples, for exporting 16-bit images
/// as `.npy`. PNG layout: 8-byte signature, then chunks `length(4, BE) type(4) data CRC(4)`; `IHDR` first, the
/// zlib-compressed scanlines in `IDAT`s, each scanline a filter byte and the row's bytes.
public enum PNGGrey {
    /// The size and bit depth from a PNG's `IHDR`, without decoding.
    public static func header(_ png: some RandomAccessCollection<UInt8>) -> (width: Int, height: Int, bitDepth: Int, colorType: Int)? {
        let bytes = Array(png.prefix(33))
        guard bytes.count >= 29, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A][...],
            bytes[12..<16] == Array("IHDR".utf8)[...]
        else { return nil }
        func be32(_ o: Int) -> Int { Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]) }
        return (be32(16), be32(20), Int(bytes[24]), Int(bytes[25]))
    }

    /// Decodes a 16-bit greyscale PNG to row-major samples.
    ///
    /// - Throws: ``ShardError`` (`malformed`) for anything else (another colour type or depth, interlacing, corrupt
    ///   data), with the reason.
    public static func decode16(_ png: [UInt8]) throws(ShardError) -> (width: Int, height: Int, samples: [UInt16]) {
        func bad(_ why: String) -> ShardError { ShardError(.malformed, "PNG: \(why)") }
        guard let h = header(png) else { throw bad("not a PNG (bad signature or no IHDR)") }
        guard h.colorType == 0, h.bitDepth == 16 else {
            throw bad("expected 16-bit greyscale, got colour type \(h.colorType) at \(h.bitDepth) bits")
        }
        guard png.count > 28, png[28] == 0 else { throw bad("interlaced PNGs are not supported") }
        guard h.width > 0, h.height > 0, h.width <= 1 << 16, h.height <= 1 << 16 else { throw bad("bad size \(h.width)×\(h.height)") }
        var compressed = [UInt8]()
        var offset = 8
        while offset + 12 <= png.count {
            let length = Int(png[offset]) << 24 | Int(png[offset + 1]) << 16 | Int(png[offset + 2]) << 8 | Int(png[offset + 3])
            let type = String(decoding: png[(offset + 4)..<(offset + 8)], as: UTF8.self)
            guard offset + 12 + length <= png.count else { throw bad("chunk \(type) runs past the end") }
            if type == "IDAT" { compressed.append(contentsOf: png[(offset + 8)..<(offset + 8 + length)]) }
            if type == "IEND" { break }
            offset += 12 + length
        }
        let stride = h.width * 2
        let raw: [UInt8]
        do {
            raw = try Inflate.zlib(compressed, expectedSize: (stride + 1) * h.height)
        } catch {
            throw bad(error.message)
        }
        guard raw.count == (stride + 1) * h.height else { throw bad("scanlines hold \(raw.count) bytes, expected \((stride + 1) * h.height)") }
        var previous = [UInt8](repeating: 0, count: stride)
        var row = [UInt8](repeating: 0, count: stride)
        var samples = [UInt16]()
        samples.reserveCapacity(h.width * h.height)
        let bpp = 2
        for y in 0..<h.height {
            let base = y * (stride + 1)
            let filter = raw[base]
            for x in 0..<stride {
                let v = raw[base + 1 + x]
                let a = x >= bpp ? Int(row[x - bpp]) : 0
                let b = Int(previous[x])
                let c = x >= bpp ? Int(previous[x - bpp]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c
                    let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
                default: throw bad("row \(y) has unknown filter \(filter)")
                }
                row[x] = v &+ UInt8(truncatingIfNeeded: predictor)
            }
            for x in 0..<h.width { samples.append(UInt16(row[2 * x]) << 8 | UInt16(row[2 * x + 1])) }
            swap(&previous, &row)
        }
        return (h.width, h.height, samples)
    }
}
