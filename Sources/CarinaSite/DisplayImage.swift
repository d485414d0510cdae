import CarinaCore
import CarinaImage
import CarinaRecord

/// A record's image made viewable: decoded from its stored format, windowed to 8 bits and shrunk.
///
/// The window runs from the 0.5th to the 99.5th percentile of the stored values, so a 12-bit film kept with
/// modality values and a full-range 16-bit PNG both fill the gray scale. Polarity is kept as stored: an inverted
/// (MONOCHROME1) film that ingest failed to flip shows white lungs, which is what a person checking the data must see.
enum DisplayImage {
    /// The stored pixels of a record's image.
    static func decode(_ record: CarinaRecord) throws -> GrayImage {
        switch record.imageFormat {
        case .png16, .png8: return try PNGCodec.decode(record.image)
        case .jpeg8: return try JPEGCodec.decode(record.image)
        case .raw16:
            let bytes = record.image
            guard record.width > 0, record.height > 0, bytes.count == 2 * record.width * record.height else {
                throw SiteError(.badImage, "raw16 image of \(bytes.count) bytes does not match \(record.width)×\(record.height)")
            }
            var pixels = [UInt16](repeating: 0, count: bytes.count / 2)
            for p in pixels.indices { pixels[p] = UInt16(bytes[2 * p]) | UInt16(bytes[2 * p + 1]) << 8 }
            return GrayImage(width: record.width, height: record.height, bitDepth: 16, pixels: pixels)
        }
    }

    /// The percentile window `(low, high)` of the stored values.
    static func window(_ image: GrayImage) -> (low: Int, high: Int) {
        let levels = 1 << image.bitDepth
        var histogram = [Int](repeating: 0, count: levels)
        for v in image.pixels { histogram[min(Int(v), levels - 1)] += 1 }
        let total = image.pixels.count
        guard total > 0 else { return (0, levels - 1) }
        let cutLow = total / 200, cutHigh = total - total / 200
        var seen = 0, low = 0, high = levels - 1
        var foundLow = false
        for level in 0..<levels {
            seen += histogram[level]
            if !foundLow && seen > cutLow { low = level; foundLow = true }
            if seen >= cutHigh { high = level; break }
        }
        return high > low ? (low, high) : (low, low + 1)
    }

    /// The image shrunk so its long side is at most `longSide`, windowed to an 8-bit PNG.
    static func png(_ image: GrayImage, window: (low: Int, high: Int), longSide: Int) throws -> [UInt8] {
        let small = max(image.width, image.height) > longSide ? image.resized(longSide: longSide) : image
        let span = Double(window.high - window.low)
        var table = [UInt16](repeating: 0, count: 1 << small.bitDepth)
        for v in table.indices {
            let x = (Double(v - window.low) / span).clamped(0, 1)
            table[v] = UInt16((x * 255).rounded())
        }
        let pixels = small.pixels.map { table[min(Int($0), table.count - 1)] }
        return try PNGCodec.encode(GrayImage(width: small.width, height: small.height, bitDepth: 8, pixels: pixels),
                                   compressionLevel: PNGCodec.defaultCompressionLevel)
    }
}

extension Double {
    func clamped(_ low: Double, _ high: Double) -> Double { Swift.min(Swift.max(self, low), high) }
}

/// What kind of failure a site build met.
public enum SiteErrorCode: String, ErrorCode {
    /// The input folder holds no shards.
    case noShards
    /// A shard folder or a record could not be read.
    case unreadable
    /// A stored image does not match its record's size.
    case badImage

    public static let domain = "site"
}

/// A site build error: one line saying what went wrong and where.
public typealias SiteError = ModuleError<SiteErrorCode>
