import CarinaImage
import CarinaShards
import Foundation
import Testing
import CarinaTestSupport
@testable import CarinaIngest

/// The whole chain on the committed sample dump: DICOM + report in, MDS records out, checked against independent
/// decoders and the report files themselves.
@Suite struct EndToEndIngestTests {
    static let dump = SharedData.sample("mimic-cxr-mini")

    static func ingest(into dir: String, threads: Int, size: Int?, shardSize: Int = 1 << 26) throws -> IngestTally {
        var options = IngestOptions(output: dir)
        options.threads = threads
        options.size = size
        options.sizeLimit = shardSize
        return try IngestPipeline(dump: MimicDump(root: dump), options: options).run()
    }

    @Test func writesOneRecordPerReadableImageAndReportsTheBrokenOne() throws {
        let dir = try TemporaryDirectory()
        let tally = try Self.ingest(into: dir.path, threads: 2, size: nil)
        #expect(tally.found == 6 && tally.written == 5 && tally.failed == 1 && tally.skipped == 0)
        #expect(tally.written + tally.skipped + tally.failed == tally.found)

        let report = try String(contentsOfFile: dir.file("ingest-report.tsv"), encoding: .utf8)
        let failed = report.split(separator: "\n").filter { $0.contains("\tfailed\t") }
        #expect(failed.count == 1)
        #expect(failed.first?.hasPrefix("174413ec-4ec4c1f7-34ea26b7-c5f994f8-79ef1962\tfailed\t") == true)
        #expect(failed.first?.contains("JPEG") == true)

        let dataset = try MDSDataset(directory: dir.path)
        #expect(dataset.count == 5)
        var ids: [String] = []
        for i in 0..<dataset.count { ids.append(try dataset.sample(at: i)["study_id"]?.stringValue ?? "") }
        #expect(ids == ["50414267", "53189527", "51029426", "55902471", "56699142"])
    }

    @Test func recordsCarryTheReportSectionsAndLabels() throws {
        let dir = try TemporaryDirectory()
        _ = try Self.ingest(into: dir.path, threads: 1, size: 64)
        let dataset = try MDSDataset(directory: dir.path)
        let first = try dataset.sample(at: 0)
        let reportPath = Self.dump + "/files/p10/p10000032/s50414267.txt"
        #expect(first["report"]?.stringValue == (try String(contentsOfFile: reportPath, encoding: .utf8)))
        #expect(first["impression"]?.stringValue == "Left lower lobe opacity, concerning for pneumonia in the "
            + "appropriate clinical setting. Recommend follow-up radiographs after treatment to document resolution.")
        #expect(first["findings"]?.stringValue?.hasPrefix("The heart size is normal.") == true)
        #expect(first["subject_id"]?.stringValue == "10000032")
        #expect(first["split"]?.stringValue == "train" && first["view"]?.stringValue == "PA")
        #expect(first["schema"]?.stringValue == "carina-record/2")
        let labels = try #require(first["labels"]?.floatArrayValue)
        #expect(labels.count == 14 && labels[7] == 1 && labels[11] == -1 && labels[0].isNaN)
        let concepts = try #require(first["concepts"]?.floatArrayValue)
        #expect(concepts.count == 64 && concepts.contains(1))
        #expect(first["graph"]?.stringValue?.contains("\"OBS-") == true)

        // the study without FINDINGS: empty findings, the impression kept
        let noFindings = try dataset.sample(at: 2)
        #expect(noFindings["findings"]?.stringValue == "")
        #expect(noFindings["impression"]?.stringValue?.contains("Small right apical pneumothorax") == true)
        // the resized image keeps its aspect ratio with the long side 64
        #expect(first["width"]?.intValue == 60 && first["height"]?.intValue == 64)
    }

    /// Full-resolution raw pixels against pydicom: the JPEG 2000 lossless DX exactly, the JPEG baseline within 1.
    @Test(arguments: [(4, "files/p12/p12000018/s56699142/096052b7-d256dc40-453a102b-fa7d01c6-1b22c6b4.dcm", 0),
                      (2, "files/p11/p11000011/s51029426/68b5c4b1-227d0485-9cc38c3f-7b84ab51-4b472714.dcm", 1)])
    func pixelsEqualPydicom(record: Int, file: String, tolerance: Int) throws {
        let dir = try TemporaryDirectory()
        _ = try Self.ingest(into: dir.path, threads: 2, size: nil)
        let sample = try MDSDataset(directory: dir.path).sample(at: record)
        let image = try PNGCodec.decode(try #require(sample["image"]?.bytesValue))
        let raw = dir.file("oracle.raw")
        let shape = String(decoding: try Oracle.runScript("oracle-raw16.py", [Self.dump + "/" + file, raw]), as: UTF8.self)
        #expect(shape.trimmingCharacters(in: .whitespacesAndNewlines) == "\(image.height) \(image.width)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: raw)))
        #expect(bytes.count == image.pixels.count * 2)
        var worst = 0
        for i in 0..<min(image.pixels.count, bytes.count / 2) {
            let expected = Int(bytes[2 * i]) | Int(bytes[2 * i + 1]) << 8
            worst = max(worst, abs(expected - Int(image.pixels[i])))
        }
        #expect(worst <= tolerance, "largest difference \(worst)")
    }

    @Test func sameBytesWhateverTheThreadCount() throws {
        let one = try TemporaryDirectory(), two = try TemporaryDirectory()
        _ = try Self.ingest(into: one.path, threads: 1, size: 128, shardSize: 40_000)
        _ = try Self.ingest(into: two.path, threads: 2, size: 128, shardSize: 40_000)
        let names = try FileManager.default.contentsOfDirectory(atPath: one.path).sorted()
        #expect(names.filter { $0.hasSuffix(".mds") }.count >= 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: two.path).sorted() == names)
        for name in names where name != "ingest-report.tsv" || true {
            #expect(FileManager.default.contents(atPath: one.file(name)) == FileManager.default.contents(atPath: two.file(name)),
                    "\(name) differs")
        }
    }
}
