import CarinaDICOM
import CarinaTestSupport
import Foundation
import Testing

@Suite struct DicomWriterTests {
    static func pixels(count: Int, bits: Int, seed: UInt64 = 1) -> [UInt16] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt16((state >> 33) & ((1 << UInt64(bits)) - 1))
        }
    }

    static func request(_ syntax: DicomTransferSyntax, rows: Int = 61, columns: Int = 97, bits: Int = 12,
                        photometric: String = "MONOCHROME2", extra: [String: String] = [:]) -> DicomWriteRequest {
        var attributes = [
            "PatientID": "p10000032", "StudyInstanceUID": "2.25.1001", "SeriesInstanceUID": "2.25.1002",
            "SOPInstanceUID": "2.25.1003", "ViewPosition": "PA", "StudyDate": "21800506", "StudyTime": "213604",
            "Modality": "CR", "Manufacturer": "Carina", "PixelSpacing": "0.139\\0.139",
        ]
        attributes.merge(extra) { $1 }
        return DicomWriteRequest(rows: rows, columns: columns, bitsStored: bits, photometric: photometric,
                                 pixels: pixels(count: rows * columns, bits: bits), transferSyntax: syntax,
                                 attributes: attributes)
    }

    @Test(arguments: DicomTransferSyntax.allCases)
    func roundTripsPixelsAndAttributes(_ syntax: DicomTransferSyntax) throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("image.dcm")
        let request = Self.request(syntax)
        try DicomWriter.write(request, to: path)
        let (image, metadata) = try DicomRenderer.decode(path: path, transform: .raw, frame: 0)
        #expect(image.pixels == request.pixels, "pixels change through \(syntax)")
        #expect(metadata.transferSyntaxUID == syntax.uid)
        #expect(metadata.rows == 61 && metadata.columns == 97 && metadata.bitsStored == 12)
        #expect(metadata.patientID == "p10000032" && metadata.viewPosition == "PA")
        #expect(metadata.studyDate == "21800506" && metadata.studyTime == "213604")
        #expect(metadata.sopInstanceUID == "2.25.1003" && metadata.studyInstanceUID == "2.25.1001")
        #expect(metadata.pixelSpacing == [0.139, 0.139])
        #expect(metadata.manufacturer == "Carina" && metadata.modality == "CR")
    }

    @Test(arguments: DicomTransferSyntax.allCases)
    func sameRequestSameBytes(_ syntax: DicomTransferSyntax) throws {
        let dir = try TemporaryDirectory()
        try DicomWriter.write(Self.request(syntax), to: dir.file("a.dcm"))
        try DicomWriter.write(Self.request(syntax), to: dir.file("b.dcm"))
        let a = try Data(contentsOf: URL(fileURLWithPath: dir.file("a.dcm")))
        let b = try Data(contentsOf: URL(fileURLWithPath: dir.file("b.dcm")))
        #expect(a == b)
        #expect(!FileManager.default.fileExists(atPath: dir.file("a.dcm.partial")))
    }

    /// A JPEG-LS codestream of odd length is padded to an even fragment length with a zero byte, never with whatever
    /// the encoder's buffer held, so the same pixels always give the same file.
    @Test func jpegLSPadByteIsZero() throws {
        let dir = try TemporaryDirectory()
        let end: [UInt8] = [0xFF, 0xD9]
        let delimiter: [UInt8] = [0xFE, 0xFF, 0xDD, 0xE0]
        var padded = 0
        for rows in 40..<56 {
            let path = dir.file("pad-\(rows).dcm")
            try DicomWriter.write(Self.request(.jpegLSLossless, rows: rows), to: path)
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            // The file ends: codestream … FF D9 [pad] FE FF DD E0 00 00 00 00 (sequence delimiter).
            let tail = bytes.count - 8
            #expect(Array(bytes[tail..<(tail + 4)]) == delimiter)
            if Array(bytes[(tail - 3)..<(tail - 1)]) == end {
                padded += 1
                #expect(bytes[tail - 1] == 0, "pad byte of a \(rows)-row image")
            } else {
                #expect(Array(bytes[(tail - 2)..<tail]) == end)
            }
        }
        #expect(padded > 0, "no odd-length codestream among the sizes tried")
    }

    @Test func sixteenBitsAndFullSizeRoundTrip() throws {
        let dir = try TemporaryDirectory()
        for syntax in [DicomTransferSyntax.jpegLossless, .jpegLSLossless, .jpeg2000Lossless, .rle] {
            let request = Self.request(syntax, rows: 300, columns: 257, bits: 16, photometric: "MONOCHROME1")
            try DicomWriter.write(request, to: dir.file("\(syntax).dcm"))
            let (image, metadata) = try DicomRenderer.decode(path: dir.file("\(syntax).dcm"), transform: .raw, frame: 0)
            #expect(metadata.isMonochrome1)
            #expect(image.pixels == request.pixels.map { 65535 - $0 }, "\(syntax): MONOCHROME1 reflected once")
        }
    }

    @Test func badRequestsAreRejected() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("x.dcm")
        var noUID = Self.request(.explicitLittle)
        noUID.attributes["SOPInstanceUID"] = nil
        var reserved = Self.request(.explicitLittle)
        reserved.attributes["Rows"] = "5"
        var unknown = Self.request(.explicitLittle)
        unknown.attributes["NotAKeyword"] = "1"
        var tooBig = Self.request(.explicitLittle, bits: 8)
        tooBig.pixels[7] = 256
        var wrongCount = Self.request(.explicitLittle)
        wrongCount.pixels.removeLast()
        var photometric = Self.request(.explicitLittle)
        photometric.photometric = "RGB"
        for bad in [noUID, reserved, unknown, tooBig, wrongCount, photometric] {
            let error = #expect(throws: DicomError.self) { try DicomWriter.write(bad, to: path) }
            #expect(error?.code == .invalidArgument)
            #expect(!FileManager.default.fileExists(atPath: path), "no file on failure")
        }
        let error = #expect(throws: DicomError.self) {
            try DicomWriter.write(Self.request(.rle), to: dir.file("missing-folder/x.dcm"))
        }
        #expect(error?.code == .writeFailed || error?.code == .io)
    }

    @Test func dcmtkToolsReadWhatWeWrite() throws {
        let dcmdump = "/usr/bin/dcmdump"
        guard FileManager.default.isExecutableFile(atPath: dcmdump) else { return }
        let dir = try TemporaryDirectory()
        for syntax in DicomTransferSyntax.allCases {
            let path = dir.file("\(syntax).dcm")
            try DicomWriter.write(Self.request(syntax), to: path)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: dcmdump)
            process.arguments = ["-q", path]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "dcmdump rejects our \(syntax) file")
        }
    }
}
