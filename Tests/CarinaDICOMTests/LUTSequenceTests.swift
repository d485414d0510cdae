import CarinaDICOM
import CarinaImage
import CarinaTestSupport
import Foundation
import Testing

/// The Modality LUT Sequence path, which no file of `../shared/data` exercises: `Scripts/oracle-lut-sequence.py`
/// gives a real lossless radiograph a LUT (square-root curve, first mapped value above zero, 16-bit entries) in place
/// of rescale slope/intercept, and pydicom's `apply_modality_lut` of that copy is the expected `raw` output.
@Suite struct LUTSequenceTests {
    @Test func rawFollowsTheModalityLUTSequenceAsPydicomDoes() throws {
        let dir = try TemporaryDirectory()
        let dicom = dir.path + "/lut.dcm", expected = dir.path + "/lut.raw"
        let printed = try Oracle.runScript("oracle-lut-sequence.py",
                                           [SharedData.path("dicom/radiograph-other/RG2_JLSL.dcm"), dicom, expected])
        let shape = String(decoding: printed, as: UTF8.self).split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        try #require(shape.count == 2)
        let (image, metadata) = try DicomRenderer.decode(path: dicom, transform: .raw, frame: 0)
        #expect(metadata.hasModalityLUT)
        #expect(image.height == shape[0] && image.width == shape[1])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: expected))
        var reference = [UInt16](repeating: 0, count: bytes.count / 2)
        for i in reference.indices {
            let low = UInt16(bytes[2 * i]), high = UInt16(bytes[2 * i + 1])
            reference[i] = low | high << 8
        }
        try #require(reference.count == image.pixels.count)
        let differing = zip(image.pixels, reference).count { $0 != $1 }
        #expect(differing == 0, "\(differing) pixels differ from pydicom's modality-LUT output")
        #expect(image.pixels.min() == 7, "stored values below the LUT's first mapped value take its first entry")
    }
}

/// A Modality LUT Sequence over signed stored pixels, whose LUT Descriptor (VR SS) starts at a negative first mapped
/// value: `Scripts/oracle-lut-signed.py` writes such a file and pydicom's `apply_modality_lut` of it; DCMTK's
/// `dcm2pnm +on2` renders it too. Carina once ignored such a LUT and rendered the stored values.
@Suite struct SignedLUTSequenceTests {
    @Test func rawFollowsASignedModalityLUTAsPydicomAndDCMTKDo() throws {
        let dir = try TemporaryDirectory()
        let dicom = dir.path + "/lut-signed.dcm", expected = dir.path + "/lut-signed.raw"
        let printed = try Oracle.runScript("oracle-lut-signed.py", [dicom, expected])
        let shape = String(decoding: printed, as: UTF8.self).split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        try #require(shape == [48, 64])
        let (image, metadata) = try DicomRenderer.decode(path: dicom, transform: .raw, frame: 0)
        #expect(metadata.hasModalityLUT)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: expected))
        let pydicom = (0..<(bytes.count / 2)).map { UInt16(bytes[2 * $0]) | UInt16(bytes[2 * $0 + 1]) << 8 }
        #expect(image.pixels == pydicom)
        #expect(pydicom.min() == 100 && pydicom.max() == 40100, "the oracle's LUT spans 100...40100")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/dcm2pnm") {
            let png = dir.path + "/dcmtk.png"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/dcm2pnm")
            process.arguments = ["+M", "+on2", dicom, png]
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0)
            let dcmtk = try PNGCodec.decode(try [UInt8](Data(contentsOf: URL(fileURLWithPath: png))))
            #expect(dcmtk.pixels == image.pixels)
        }
    }
}
