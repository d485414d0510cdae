import CarinaDICOM
import CarinaTestSupport
import Foundation
import Testing

/// Header fields of every shared file against `DICOM_INVENTORY.tsv` (written from pydicom's reading of them).
@Suite struct MetadataTests {
    static let inventory: [[String: String]] = {
        guard let text = try? String(contentsOfFile: SharedData.path("dicom/DICOM_INVENTORY.tsv"), encoding: .utf8) else {
            return []
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return [] }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }()

    @Test func inventoryIsPresent() {
        #expect(Self.inventory.count >= 25)
    }

    @Test(arguments: inventory.map { $0["file"] ?? "" })
    func metadataMatchesTheInventory(_ file: String) throws {
        let row = try #require(Self.inventory.first { $0["file"] == file })
        if file.hasSuffix("MR_truncated.dcm") {
            // The declared pixel data runs past the end: the file as a whole is damaged, header or not.
            let error = #expect(throws: DicomError.self) { _ = try DicomReader.metadata(path: SharedData.path("dicom/" + file)) }
            #expect(error?.code == .malformed)
            return
        }
        let m = try DicomReader.metadata(path: SharedData.path("dicom/" + file))
        #expect(m.rows == Int(row["rows"]!) && m.columns == Int(row["cols"]!))
        #expect(m.bitsAllocated == Int(row["bits_alloc"]!) && m.bitsStored == Int(row["bits_stored"]!))
        #expect(m.pixelRepresentation == Int(row["pixel_rep"]!))
        #expect(m.samplesPerPixel == Int(row["samples"]!))
        #expect(m.numberOfFrames == Int(row["frames"]!))
        #expect(m.photometricInterpretation == row["photometric"])
        #expect(m.transferSyntaxUID == row["transfer_syntax"])
        #expect(!m.transferSyntaxName.hasPrefix("unknown"))
        #expect(m.modality == row["modality"].flatMap { $0.isEmpty ? nil : $0 })
    }

    @Test func metadataIsCodableAndConcurrentReadsAgree() async throws {
        let path = SharedData.path("dicom/chest/RG1_J2KR.dcm")
        let m = try DicomReader.metadata(path: path)
        let data = try JSONEncoder().encode(m)
        #expect(try JSONDecoder().decode(DicomMetadata.self, from: data) == m)
        #expect(m.viewPosition == "PA" && m.isMonochrome1 && m.windowCenter == 15000 && m.windowWidth == 30000)
        let copies = try await withThrowingTaskGroup(of: DicomMetadata.self) { group in
            for _ in 0..<16 { group.addTask { try DicomReader.metadata(path: path) } }
            var all: [DicomMetadata] = []
            for try await c in group { all.append(c) }
            return all
        }
        #expect(copies.allSatisfy { $0 == m })
    }
}
