import CarinaDICOM
import CarinaTestSupport
import Foundation
import Testing

/// Broken and foreign input: one typed error whose message names the file, never a crash or a partial image.
@Suite struct BadInputTests {
    func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: SharedData.path("dicom/" + relative))))
    }

    func save(_ bytes: [UInt8], _ name: String, in dir: TemporaryDirectory) throws -> String {
        let path = dir.file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Decodes under every transform; expects the same error code from each and from `render`.
    func expectFailure(_ path: String, _ codes: Set<DicomError.Code>, sourceLocation: SourceLocation = #_sourceLocation) {
        for transform in PixelTransform.allCases {
            do {
                _ = try DicomRenderer.decode(path: path, transform: transform, frame: 0)
                Issue.record("\(path) decoded under \(transform)", sourceLocation: sourceLocation)
            } catch {
                #expect(codes.contains(error.code), "\(error.code): \(error.message)", sourceLocation: sourceLocation)
                #expect(error.message.contains(path), sourceLocation: sourceLocation)
                #expect(!error.message.contains("\n"), sourceLocation: sourceLocation)
            }
        }
    }

    @Test func emptyForeignAndMissingFiles() throws {
        let dir = try TemporaryDirectory()
        expectFailure(try save([], "empty.dcm", in: dir), [.notDICOM])
        expectFailure(try save(Array("just some text, not a DICOM file\n".utf8), "text.dcm", in: dir), [.notDICOM])
        expectFailure(try save([UInt8](repeating: 0, count: 4096), "zeros.dcm", in: dir), [.notDICOM])
        expectFailure(dir.file("does-not-exist.dcm"), [.io])
        expectFailure(dir.path, [.io])
        let error = #expect(throws: DicomError.self) { _ = try DicomReader.metadata(path: dir.file("nope.dcm")) }
        #expect(error?.code == .io)
    }

    @Test(arguments: ["radiograph-other/RG2_JLSL.dcm", "radiograph-other/RG2_JPLL.dcm", "chest/RG1_J2KR.dcm",
                      "syntax-small/MR_small_RLE.dcm", "syntax-small/image_dfl.dcm", "chest/RG1_UNCR.dcm",
                      "syntax-small/MR_small_bigendian.dcm"])
    func truncatedCopiesFail(_ relative: String) throws {
        let dir = try TemporaryDirectory()
        let full = try bytes(relative)
        // The last bytes of a deflated file are zlib's checksum, after the complete dataset; DCMTK does not check
        // it, so cuts there are not damage to the image. Every other file loses pixels with its last two bytes.
        var cuts = [0.99, 0.9, 0.5].map { Int(Double(full.count) * $0) }
        if !relative.contains("dfl") { cuts.append(full.count - 2) }
        for cut in cuts {
            expectFailure(try save(Array(full.prefix(cut)), "cut-\(cut).dcm", in: dir), [.malformed, .decodeFailed])
        }
        for length in [1, 100, 131, 132, 200] {
            expectFailure(try save(Array(full.prefix(length)), "cut-\(length).dcm", in: dir),
                          [.notDICOM, .malformed, .noPixelData])
        }
    }

    @Test func brokenJPEGStreamIsNamed() throws {
        let path = SharedData.path("dicom/radiograph-other/RG2_JPLY.dcm")
        expectFailure(path, [.decodeFailed])
        let error = #expect(throws: DicomError.self) { _ = try DicomRenderer.decode(path: path, transform: .raw, frame: 0) }
        #expect(error?.message.contains("SOS") == true)
    }

    @Test func missingPixelData() throws {
        let dir = try TemporaryDirectory()
        let full = try bytes("syntax-small/MR_small.dcm")
        // Cut the file right before the (7FE0,0010) tag: a complete dataset without pixels.
        let tag: [UInt8] = [0xE0, 0x7F, 0x10, 0x00]
        let at = try #require((0..<(full.count - 4)).last { Array(full[$0..<($0 + 4)]) == tag })
        let path = try save(Array(full.prefix(at)), "no-pixels.dcm", in: dir)
        expectFailure(path, [.noPixelData])
        #expect(try DicomReader.metadata(path: path).rows == 64, "the header is still readable")
    }

    @Test func absurdDeclaredLengths() throws {
        let dir = try TemporaryDirectory()
        let full = try bytes("syntax-small/MR_small.dcm")
        let tag: [UInt8] = [0xE0, 0x7F, 0x10, 0x00]
        let at = try #require((0..<(full.count - 4)).last { Array(full[$0..<($0 + 4)]) == tag })
        for length: UInt32 in [0xFFFF_FFF0, 0x7FFF_FFFE, 0x1000_0000, 8190, 4] {
            var patched = full
            // Explicit VR OW: tag, "OW", 2 reserved bytes, then the 32-bit length.
            withUnsafeBytes(of: length.littleEndian) { for (i, b) in $0.enumerated() { patched[at + 8 + i] = b } }
            expectFailure(try save(patched, "length-\(length).dcm", in: dir), [.malformed])
        }
        // A short header element, Patient's Name (0010,0010) PN, whose 16-bit length points past the end.
        var header = full
        let name: [UInt8] = [0x10, 0x00, 0x10, 0x00, 0x50, 0x4E]
        let n = try #require((0..<(full.count - 6)).first { Array(full[$0..<($0 + 6)]) == name })
        header[n + 6] = 0xFF
        header[n + 7] = 0xFF
        expectFailure(try save(header, "name-length.dcm", in: dir), [.malformed])
    }

    @Test(arguments: [("1.2.840.10008.1.2.4.54", "Spectral"), ("1.2.840.10008.1.2.4.66", "Hierarchical"),
                      ("1.2.840.10008.1.2.4.94", "JPIP")])
    func unsupportedTransferSyntaxIsNamed(_ c: (String, String)) throws {
        let dir = try TemporaryDirectory()
        var data = try bytes("radiograph-other/RG2_JLSL.dcm")
        let uid = Array("1.2.840.10008.1.2.4.80".utf8)
        let at = try #require((0..<400).first { Array(data[$0..<($0 + uid.count)]) == uid })
        data.replaceSubrange(at..<(at + uid.count), with: Array(c.0.utf8))
        let path = try save(data, "syntax.dcm", in: dir)
        expectFailure(path, [.unsupportedTransferSyntax])
        let error = #expect(throws: DicomError.self) { _ = try DicomRenderer.decode(path: path, transform: .raw, frame: 0) }
        #expect(error?.message.contains(c.0) == true && error?.message.contains(c.1) == true)
    }

    @Test func colourIsRefusedClearly() throws {
        let path = SharedData.path("dicom/syntax-small/SC_rgb_jpeg_dcmtk.dcm")
        expectFailure(path, [.unsupportedPixels])
        #expect(try DicomReader.metadata(path: path).samplesPerPixel == 3)
    }
}
