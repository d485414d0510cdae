import CarinaImage
import Foundation
import Testing

@Suite struct CodecTests {
    func ramp(width: Int, height: Int, bitDepth: Int) -> GrayImage {
        let top = bitDepth == 16 ? 65535 : 255
        let pixels = (0..<(width * height)).map { UInt16(($0 * 7919) % (top + 1)) }
        return GrayImage(width: width, height: height, bitDepth: bitDepth, pixels: pixels)
    }

    @Test(arguments: [8, 16], [0, 1, 6, 9])
    func pngRoundTripsExactly(bitDepth: Int, level: Int) throws {
        let image = ramp(width: 67, height: 41, bitDepth: bitDepth)
        let bytes = try PNGCodec.encode(image, compressionLevel: level)
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(try PNGCodec.decode(bytes) == image)
        #expect(try PNGCodec.encode(image, compressionLevel: level) == bytes, "deterministic")
    }

    @Test func pngIsBigEndianOnDisk() throws {
        // IHDR depth 16, then the first sample 0x0102 stored as 01 02 (checked through zlib level 0's stored block).
        let image = GrayImage(width: 1, height: 1, bitDepth: 16, pixels: [0x0102])
        let bytes = try PNGCodec.encode(image, compressionLevel: 0)
        #expect(bytes[24] == 16)
        let needle: [UInt8] = [0x00, 0x01, 0x02]  // filter byte 0 (none) + the sample
        #expect(bytes.indices.contains { i in i + 3 <= bytes.count && Array(bytes[i..<(i + 3)]) == needle })
    }

    @Test func pngDecodeRejectsGarbageAndTruncation() throws {
        let error = #expect(throws: ImageCodecError.self) { _ = try PNGCodec.decode([1, 2, 3]) }
        #expect(error?.code == .malformedInput)
        let bytes = try PNGCodec.encode(ramp(width: 50, height: 50, bitDepth: 16))
        #expect(throws: ImageCodecError.self) { _ = try PNGCodec.decode(Array(bytes.prefix(bytes.count / 2))) }
        #expect(throws: ImageCodecError.self) { _ = try PNGCodec.decode([]) }
    }

    @Test func jpegRoundTripIsClose() throws {
        var pixels: [UInt16] = []
        for y in 0..<64 { for x in 0..<80 { pixels.append(UInt16((x * 2 + y) % 256)) } }
        let image = GrayImage(width: 80, height: 64, bitDepth: 8, pixels: pixels)
        let bytes = try JPEGCodec.encode(image, quality: 95)
        #expect(bytes.prefix(2) == [0xFF, 0xD8])
        let back = try JPEGCodec.decode(bytes)
        #expect(back.width == 80 && back.height == 64 && back.bitDepth == 8)
        let meanError = zip(back.pixels, pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / pixels.count
        #expect(meanError <= 2)
        #expect(try JPEGCodec.encode(image, quality: 95) == bytes, "deterministic")
        let small = try JPEGCodec.encode(image, quality: 10)
        #expect(small.count < bytes.count, "quality is honoured")
    }

    @Test func jpegRejectsBadInput() throws {
        #expect(throws: ImageCodecError.self) { _ = try JPEGCodec.encode(ramp(width: 4, height: 4, bitDepth: 16), quality: 90) }
        #expect(throws: ImageCodecError.self) { _ = try JPEGCodec.encode(ramp(width: 4, height: 4, bitDepth: 8), quality: 0) }
        #expect(throws: ImageCodecError.self) { _ = try JPEGCodec.decode([0xFF, 0xD8, 0xFF]) }
        let bytes = try JPEGCodec.encode(ramp(width: 64, height: 64, bitDepth: 8), quality: 90)
        let error = #expect(throws: ImageCodecError.self) { _ = try JPEGCodec.decode(Array(bytes.prefix(bytes.count - 200))) }
        #expect(error?.code == .malformedInput, "a truncated JPEG is an error, not a gray-filled image")
    }
}
