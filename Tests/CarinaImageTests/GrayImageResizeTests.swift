import CarinaImage
import Testing

@Suite struct GrayImageResizeTests {
    /// A naive area average: each output pixel integrates the input over its footprint in tiny steps.
    func naive(_ image: GrayImage, width: Int, height: Int) -> [Double] {
        let sx = Double(image.width) / Double(width)
        let sy = Double(image.height) / Double(height)
        var out: [Double] = []
        for y in 0..<height {
            for x in 0..<width {
                var sum = 0.0
                var area = 0.0
                for iy in 0..<image.height {
                    let oy = min(Double(iy + 1), Double(y + 1) * sy) - max(Double(iy), Double(y) * sy)
                    if oy <= 0 { continue }
                    for ix in 0..<image.width {
                        let ox = min(Double(ix + 1), Double(x + 1) * sx) - max(Double(ix), Double(x) * sx)
                        if ox <= 0 { continue }
                        sum += Double(image[ix, iy]) * ox * oy
                        area += ox * oy
                    }
                }
                out.append(sum / area)
            }
        }
        return out
    }

    func pattern(width: Int, height: Int, bitDepth: Int = 16) -> GrayImage {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let top = bitDepth == 16 ? 65535 : 255
        let pixels = (0..<(width * height)).map { _ -> UInt16 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt16(Int(state >> 33) % (top + 1))
        }
        return GrayImage(width: width, height: height, bitDepth: bitDepth, pixels: pixels)
    }

    @Test(arguments: [(37, 23, 7), (64, 48, 16), (30, 30, 11), (10, 25, 6), (12, 9, 12), (5, 3, 17)])
    func resizeEqualsNaiveAreaAverage(_ c: (Int, Int, Int)) {
        let image = pattern(width: c.0, height: c.1)
        let out = image.resized(longSide: c.2)
        #expect(max(out.width, out.height) == c.2)
        let expected = naive(image, width: out.width, height: out.height)
        for (i, v) in out.pixels.enumerated() {
            #expect(abs(Double(v) - expected[i]) <= 0.51, "pixel \(i): \(v) vs \(expected[i])")
        }
    }

    @Test func sizeKeepsAspectLikeTheBaseline() {
        // 3056 x 2544 → 512 x 426 (what ingest_baseline.py's target_size gives).
        let s = GrayImage.size(width: 2544, height: 3056, longSide: 512)
        #expect(s.width == 426 && s.height == 512)
        #expect(GrayImage.size(width: 1000, height: 1, longSide: 10) == (10, 1))
    }

    @Test func sixfoldReductionDoesNotAlias() {
        // A one-pixel checkerboard must average to mid-gray, not to a moiré of black and white.
        let n = 600
        let pixels = (0..<(n * n)).map { UInt16((($0 % n) + ($0 / n)) % 2 == 0 ? 65535 : 0) }
        let out = GrayImage(width: n, height: n, bitDepth: 16, pixels: pixels).resized(longSide: 100)
        #expect(out.pixels.allSatisfy { abs(Int($0) - 32768) <= 1 })
    }

    @Test func constantStaysConstantAndSameSizeIsIdentity() {
        let flat = GrayImage(width: 91, height: 57, bitDepth: 8, pixels: Array(repeating: 200, count: 91 * 57))
        #expect(flat.resized(longSide: 40).pixels.allSatisfy { $0 == 200 })
        let image = pattern(width: 20, height: 10)
        #expect(image.resized(longSide: 20) == image)
        #expect(image.resized(longSide: 45).width == 45)  // enlarging works too
    }

    @Test func padToSquareCentresTheImage() {
        let image = GrayImage(width: 3, height: 1, bitDepth: 8, pixels: [1, 2, 3])
        let square = image.paddedToSquare()
        #expect(square.width == 3 && square.height == 3)
        #expect(square.pixels == [0, 0, 0, 1, 2, 3, 0, 0, 0])
        let tall = GrayImage(width: 1, height: 2, bitDepth: 8, pixels: [7, 8]).paddedToSquare()
        #expect(tall.pixels == [7, 0, 8, 0])
    }

    @Test func bitDepthConversion() {
        let eight = GrayImage(width: 3, height: 1, bitDepth: 8, pixels: [0, 128, 255])
        #expect(eight.converted(toBitDepth: 16).pixels == [0, 32896, 65535])
        #expect(eight.converted(toBitDepth: 16).converted(toBitDepth: 8) == eight)
    }
}
