@testable import CarinaDICOM
import CarinaImage
import CarinaTestSupport
import Testing

/// Pixel semantics on small files written for the purpose: rescale, MONOCHROME1, windows, min–max fallbacks.
@Suite struct TransformSemanticsTests {
    func write(_ pixels: [UInt16], bits: Int, photometric: String = "MONOCHROME2", extra: [String: String] = [:],
               in dir: TemporaryDirectory) throws -> String {
        var request = DicomWriterTests.request(.explicitLittle, rows: 1, columns: pixels.count, bits: bits,
                                               photometric: photometric, extra: extra)
        request.pixels = pixels
        let path = dir.file("t-\(pixels.count)-\(photometric)-\(extra.count).dcm")
        try DicomWriter.write(request, to: path)
        return path
    }

    @Test func monochrome1IsInvertedExactlyOnceInEveryTransform() throws {
        let dir = try TemporaryDirectory()
        let values: [UInt16] = [0, 1, 100, 2000, 4095]
        let m1 = try write(values, bits: 12, photometric: "MONOCHROME1", in: dir)
        let m2 = try write(values, bits: 12, photometric: "MONOCHROME2", in: dir)
        let raw1 = try DicomRenderer.decode(path: m1, transform: .raw, frame: 0).0.pixels
        let raw2 = try DicomRenderer.decode(path: m2, transform: .raw, frame: 0).0.pixels
        #expect(raw2 == values)
        #expect(raw1 == values.map { 4095 - $0 })
        for transform in [PixelTransform.window, .mimicJPG] {
            let a = try DicomRenderer.decode(path: m1, transform: transform, frame: 0).0
            let b = try DicomRenderer.decode(path: m2, transform: transform, frame: 0).0
            let top = a.maxValue
            #expect(a.pixels == b.pixels.map { top - $0 } || transform == .mimicJPG)
            #expect(a.pixels.first! > a.pixels.last!, "\(transform): MONOCHROME1 low values render bright")
            #expect(b.pixels.first! < b.pixels.last!)
        }
    }

    @Test func rescaleWithNegativeInterceptIsLiftedByOneConstant() throws {
        let dir = try TemporaryDirectory()
        let path = try write([0, 1024, 4095], bits: 12, extra: ["RescaleIntercept": "-1024", "RescaleSlope": "1"], in: dir)
        let (image, metadata) = try DicomRenderer.decode(path: path, transform: .raw, frame: 0)
        #expect(metadata.rawValueOffset == 1024 && metadata.rawValueExact)
        #expect(metadata.rawValueRange == [0, 4095])
        #expect(image.pixels == [0, 1024, 4095])  // (v - 1024) + 1024
    }

    @Test func fractionalSlopeIsRoundedAndReported() throws {
        let dir = try TemporaryDirectory()
        let path = try write([0, 1, 3, 4095], bits: 12, extra: ["RescaleSlope": "0.5", "RescaleIntercept": "10"], in: dir)
        let (image, metadata) = try DicomRenderer.decode(path: path, transform: .raw, frame: 0)
        #expect(!metadata.rawValueExact && metadata.rawValueScale == 1)
        #expect(image.pixels == [10, 11, 12, 2058])  // 10, 10.5→11, 11.5→12, 2057.5→2058
    }

    @Test func windowFollowsTheDicomLinearFormula() throws {
        let dir = try TemporaryDirectory()
        // c = 2048, w = 1025: below c - 0.5 - 512 = 1535.5 → 0; above 2559.5 → max; else ((x - 2047.5)/1024 + 0.5)·max.
        let path = try write([0, 1535, 1536, 2048, 2559, 2560, 4095], bits: 12,
                             extra: ["WindowCenter": "2048", "WindowWidth": "1025"], in: dir)
        let image = try DicomRenderer.decode(path: path, transform: .window, frame: 0).0
        func f(_ x: Double) -> UInt16 { UInt16((((x - 2047.5) / 1024 + 0.5) * 65535).rounded()) }
        #expect(image.pixels == [0, 0, f(1536), f(2048), f(2559), 65535, 65535])
        let exact = try write([1535, 2048, 2561], bits: 12,
                              extra: ["WindowCenter": "2048", "WindowWidth": "1024", "VOILUTFunction": "LINEAR_EXACT"], in: dir)
        #expect(try DicomRenderer.decode(path: exact, transform: .window, frame: 0).0.pixels == [0, 32768, 65535])
    }

    @Test func windowFallsBackToMinMax() throws {
        let dir = try TemporaryDirectory()
        let path = try write([100, 150, 200], bits: 12, in: dir)
        let image = try DicomRenderer.decode(path: path, transform: .window, frame: 0).0
        #expect(image.pixels == [0, 32768, 65535])
        let eight = try DicomRenderer.decode(path: path, transform: .window, frame: 0, bitDepth: 8, threads: 1).0
        #expect(eight.pixels == [0, 128, 255])
        let raw8 = try DicomRenderer.decode(path: path, transform: .raw, frame: 0, bitDepth: 8, threads: 1).0
        #expect(raw8.pixels == [0, 128, 255])
    }

    @Test func mimicTruncatesThenEqualises() throws {
        let dir = try TemporaryDirectory()
        // min-max, truncated: 10 → 0, 17 → 1 (7 / 1000 × 255 = 1.785), 1010 → 255.
        let path = try write([10, 17, 1010, 1010], bits: 12, in: dir)
        let image = try DicomRenderer.decode(path: path, transform: .mimicJPG, frame: 0).0
        // 8-bit values 0, 1, 255, 255; histogram first bin 0 (1 pixel) → scale 255/3; lut[1] = 85, lut[255] = 255.
        #expect(image.pixels == [0, 85, 255, 255])
    }

    @Test func equalizeHistMatchesOpenCVRules() {
        var hist = [Int](repeating: 0, count: 256)
        hist[3] = 5
        #expect(TransformTable.equalizeHistTable(hist)[3] == 3, "a one-value image keeps its value")
        hist[10] = 2
        hist[200] = 1
        let lut = TransformTable.equalizeHistTable(hist)
        #expect(lut[3] == 0)
        #expect(lut[10] == UInt8((Float(2) * (Float(255) / Float(3))).rounded(.toNearestOrEven)))  // 170
        #expect(lut[200] == 255)
    }

    @Test func renderEncodesEveryWay() throws {
        let path = SharedData.path("dicom/chest/RG1_UNCR.dcm")
        let (raw, _) = try DicomRenderer.decode(path: path, transform: .raw, frame: 0)
        for encoding in ImageEncoding.allCases {
            let options = RenderOptions(transform: .raw, size: 256, padToSquare: true, encoding: encoding, jpegQuality: 90)
            let (rendered, metadata) = try DicomRenderer.render(path: path, options: options)
            #expect(rendered.width == 256 && rendered.height == 256 && metadata.rows == 1955)
            switch encoding {
            case .png16:
                let png = try PNGCodec.decode(rendered.bytes)
                #expect(png == raw.resized(longSide: 256).paddedToSquare())
            case .png8: #expect(try PNGCodec.decode(rendered.bytes).bitDepth == 8)
            case .jpeg8: #expect(try JPEGCodec.decode(rendered.bytes).width == 256)
            case .raw16:
                #expect(rendered.bytes.count == 256 * 256 * 2)
                let first = raw.resized(longSide: 256).paddedToSquare().pixels[256 * 20 + 128]
                let offset = 2 * (256 * 20 + 128)
                #expect(UInt16(rendered.bytes[offset]) | UInt16(rendered.bytes[offset + 1]) << 8 == first)
            }
        }
        let again = try DicomRenderer.render(path: path, options: RenderOptions(transform: .mimicJPG, encoding: .jpeg8))
        let twice = try DicomRenderer.render(path: path, options: RenderOptions(transform: .mimicJPG, encoding: .jpeg8))
        #expect(again.image.bytes == twice.image.bytes, "deterministic")
        let error = #expect(throws: DicomError.self) {
            _ = try DicomRenderer.render(path: path, options: RenderOptions(size: 0))
        }
        #expect(error?.code == .invalidArgument)
    }
}
