import CarinaDICOM
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
