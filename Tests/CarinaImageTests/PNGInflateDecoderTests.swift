import CarinaImage
import CarinaTestSupport
import Foundation
import Testing

/// The libdeflate decoding path against libpng: identical pixels on real and Carina-written PNGs, libpng kept for
/// what the fast path does not handle, and one clear error for each kind of damage.
@Suite struct PNGInflateDecoderTests {
    /// A noisy gradient (every PNG filter type wins somewhere under adaptive filtering).
    func noisy(width: Int, height: Int, bitDepth: Int, seed: UInt64) -> GrayImage {
        var state = seed
        let top = bitDepth == 16 ? 65535 : 255
        var pixels = [UInt16]()
        for y in 0..<height {
            for x in 0..<width {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let noise = Int(state >> 58)
                pixels.append(UInt16(min(top, (x * 37 + y * 11) % (top / 2) + noise * (top / 255 + 1))))
            }
        }
        return GrayImage(width: width, height: height, bitDepth: bitDepth, pixels: pixels)
    }

    @Test(arguments: [8, 16], [0, 1, 6, 9])
    func carinaWrittenPNGsDecodeAsWithLibpng(bitDepth: Int, level: Int) throws {
        let image = noisy(width: 131, height: 77, bitDepth: bitDepth, seed: UInt64(level))
        let bytes = try PNGCodec.encode(image, compressionLevel: level)
        let fast = try #require(try PNGInflateDecoder.decode(bytes))
        #expect(fast == image)
        #expect(fast == (try PNGCodec.decodeWithLibpng(bytes)))
        // The top rows only: the same values as the first rows of the whole image.
        for rows in [1, 40, 77] {
            let top = try #require(try PNGInflateDecoder.decode(bytes, rows: rows))
            #expect(top.height == rows && top.width == 131)
            #expect(top.pixels == Array(image.pixels.prefix(131 * rows)))
        }
        #expect(throws: ImageCodecError.self) { _ = try PNGInflateDecoder.decode(bytes, rows: 78) }
    }

    @Test func realGrayscalePNGsDecodeAsWithLibpng() throws {
        let folder = SharedData.path("images/nih-512")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".png") }.sorted()
        #expect(!names.isEmpty)
        for name in names {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
            let fast = try #require(try PNGInflateDecoder.decode(bytes), "\(name) is plain grayscale")
            #expect(fast == (try PNGCodec.decodeWithLibpng(bytes)), "\(name)")
            #expect(fast.width == 512 && fast.height == 512 && fast.bitDepth == 8)
        }
    }

    @Test func colourPNGsAreLeftToLibpng() throws {
        let folder = SharedData.path("images/nih1000/train/0_normal")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".png") }.sorted()
        var checked = 0
        for name in names.prefix(20) {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
            let header = try PNGInflateDecoder.header(bytes)
            guard header.colorType != 0 else { continue }
            #expect(try PNGInflateDecoder.decode(bytes) == nil)
            let error = #expect(throws: ImageCodecError.self) { _ = try PNGCodec.decode(bytes) }
            #expect(error?.code == .unsupported)
            checked += 1
        }
        #expect(checked > 0)
    }

    @Test func interlacedPNGsAreLeftToLibpng() throws {
        // 1×1, 16-bit, Adam7: the one pixel is in pass 1.
        let bytes = handMadePNG(width: 1, height: 1, bitDepth: 16, interlace: 1, scanlines: [0, 0x12, 0x34])
        #expect(try PNGInflateDecoder.decode(bytes) == nil)
        #expect(try PNGCodec.decode(bytes) == GrayImage(width: 1, height: 1, bitDepth: 16, pixels: [0x1234]))
    }

    @Test func everyFilterTypeDecodesAsWithLibpng() throws {
        // 2×4, 16-bit: rows filtered Sub, Up, Average, Paeth.
        let scanlines: [UInt8] = [1, 0, 10, 0, 5, 2, 0, 1, 1, 1, 3, 7, 0, 0, 2, 4, 1, 2, 3, 4]
        let bytes = handMadePNG(width: 2, height: 4, bitDepth: 16, interlace: 0, scanlines: scanlines)
        let fast = try #require(try PNGInflateDecoder.decode(bytes))
        #expect(fast == (try PNGCodec.decodeWithLibpng(bytes)))
        #expect(fast.pixels[0] == 0x000A && fast.pixels[1] == 0x000F)  // Sub: the low byte 5 + 10
        #expect(fast.pixels[2] == 0x000B && fast.pixels[3] == 0x0110)  // Up
    }

    @Test func damageGivesOneClearError() throws {
        let good = try PNGCodec.encode(noisy(width: 64, height: 48, bitDepth: 16, seed: 3), compressionLevel: 6)
        let idat = try #require(chunkOffset(good, "IDAT"))
        let length = Int(readBE32(good, idat))

        // A byte of image data flipped: the IDAT CRC fails.
        var flipped = good
        flipped[idat + 8 + length / 2] ^= 0x40
        #expect(message(flipped).contains("IDAT chunk CRC mismatch"))
        #expect(throws: ImageCodecError.self) { _ = try PNGCodec.decodeWithLibpng(flipped) }

        // The Adler-32 at the end of the zlib stream changed, the chunk CRC made to match: the zlib check catches it.
        var adler = good
        adler[idat + 8 + length - 1] ^= 0x01
        fixCRC(&adler, at: idat)
        #expect(message(adler).contains("Adler-32"))

        // Truncated anywhere: an error, never a partial image.
        for cut in [good.count - 1, good.count - 12, idat + 8 + length / 2, 40, 20] {
            let text = message(Array(good.prefix(cut)))
            #expect(text.contains("ends early") || text.contains("bad signature or header"), "cut at \(cut): \(text)")
        }

        // A filter type outside 0...4.
        let badFilter = handMadePNG(width: 2, height: 1, bitDepth: 8, interlace: 0, scanlines: [7, 1, 2])
        #expect(message(badFilter).contains("filter type 7"))
        #expect(throws: ImageCodecError.self) { _ = try PNGCodec.decodeWithLibpng(badFilter) }

        // Too little image data for the rows IHDR announces.
        let short = handMadePNG(width: 2, height: 2, bitDepth: 8, interlace: 0, scanlines: [0, 1, 2])
        #expect(message(short).contains("not enough image data"))
        #expect(throws: ImageCodecError.self) { _ = try PNGCodec.decodeWithLibpng(short) }
    }

    // MARK: - helpers

    func message(_ bytes: [UInt8]) -> String {
        do {
            _ = try PNGInflateDecoder.decode(bytes)
            return "decoded"
        } catch {
            #expect(error.code == .malformedInput)
            return error.message
        }
    }

    func readBE32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }

    func chunkOffset(_ b: [UInt8], _ type: String) -> Int? {
        var at = 8
        while at + 8 <= b.count {
            if String(decoding: b[(at + 4)..<(at + 8)], as: UTF8.self) == type { return at }
            at += 12 + Int(readBE32(b, at))
        }
        return nil
    }

    func fixCRC(_ b: inout [UInt8], at chunk: Int) {
        let length = Int(readBE32(b, chunk))
        let crc = crc32(Array(b[(chunk + 4)..<(chunk + 8 + length)]))
        for k in 0..<4 { b[chunk + 8 + length + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(k))) }
    }

    /// CRC-32 (ISO 3309, as PNG uses), bit by bit: slow and obviously right.
    func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            c ^= UInt32(byte)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return ~c
    }

    /// A grayscale PNG around `scanlines` (filter bytes included), zlib-wrapped in one stored block.
    func handMadePNG(width: Int, height: Int, bitDepth: Int, interlace: UInt8, scanlines: [UInt8]) -> [UInt8] {
        func be32(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> UInt32($0)) } }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be32(UInt32(data.count)) + body + be32(crc32(body))
        }
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in scanlines { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        let n = UInt16(scanlines.count)
        let zlib: [UInt8] = [0x78, 0x01, 0x01, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8(~n >> 8)]
            + scanlines + be32(b << 16 | a)
        let ihdr = be32(UInt32(width)) + be32(UInt32(height)) + [UInt8(bitDepth), 0, 0, 0, interlace]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", zlib)
            + chunk("IEND", [])
    }
}
