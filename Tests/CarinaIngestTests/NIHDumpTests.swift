import CarinaCore
import CarinaImage
import CarinaRecord
import CarinaShards
import Foundation
import Testing
import CarinaTestSupport
@testable import CarinaIngest

/// NIH ChestX-ray14 as the release lays it out, built from real data: 40 of the real images of
/// `../shared/data/images/nih1000`, their own rows of the release's `Data_Entry_2017_v2020.csv.gz`, the split lists,
/// and a row naming an image that is not there.
@Suite struct NIHDumpTests {
    static func build() throws -> (TemporaryDirectory, [[String: String]]) {
        let dir = try TemporaryDirectory()
        let source = SharedData.path("images/nih1000")
        let table = try String(contentsOfFile: source + "/labels.csv", encoding: .utf8).split(whereSeparator: \.isNewline)
        let header = table[0].split(separator: ",").map(String.init)
        let rows = table.dropFirst().map { line in
            Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
        }.enumerated().filter { $0.offset % 25 == 0 }.map(\.element)
        try FileManager.default.createDirectory(atPath: dir.file("images"), withIntermediateDirectories: true)
        var names = Set<String>()
        for row in rows {
            let name = (row["path"]! as NSString).lastPathComponent
            names.insert(name)
            try FileManager.default.copyItem(atPath: source + "/" + row["path"]!, toPath: dir.file("images/" + name))
        }
        let entries = try GzipFile.read(path: SharedData.path("images/Data_Entry_2017_v2020.csv.gz"))
        var lines = String(decoding: entries, as: UTF8.self).split(whereSeparator: \.isNewline)
        let entryHeader = lines.removeFirst()
        var kept = lines.filter { names.contains(String($0.prefix { $0 != "," })) }.map(String.init)
        kept.append("99999999_000.png,Hernia,0,99999999,50,M,PA,2048,2048,0.14,0.14")
        try (([String(entryHeader)] + kept).joined(separator: "\n") + "\n").write(toFile: dir.file("Data_Entry_2017_v2020.csv"), atomically: true, encoding: .utf8)
        let test = rows.filter { $0["split"] == "test" }.map { ($0["path"]! as NSString).lastPathComponent }
        let trainVal = rows.filter { $0["split"] != "test" }.map { ($0["path"]! as NSString).lastPathComponent }
        try (test.joined(separator: "\n") + "\n").write(toFile: dir.file("test_list.txt"), atomically: true, encoding: .utf8)
        try (trainVal.joined(separator: "\n") + "\n").write(toFile: dir.file("train_val_list.txt"), atomically: true, encoding: .utf8)
        return (dir, rows)
    }

    @Test func ingestsEveryImageWithItsFindingsAndSplit() throws {
        let (dir, rows) = try Self.build()
        let dump = try MimicDump(nih: dir.path)
        #expect(dump.release == "nih-cxr14" && !dump.hasReports)
        #expect(dump.studies.count == rows.count)
        #expect(dump.notices.items.contains { $0.kind == .metadataRowWithoutImage && $0.what.hasPrefix("99999999_000.png") })

        let out = try TemporaryDirectory()
        var options = IngestOptions(output: out.path)
        options.encoding = .png8
        options.size = nil
        let tally = try IngestPipeline(dump: dump, options: options).run()
        #expect(tally.written == rows.count && tally.failed == 0)
        // no report notices for a dataset that has no reports
        #expect(tally.notices.count(.reportMissing) == 0)

        let dataset = try MDSDataset(directory: out.path)
        let byName = Dictionary(uniqueKeysWithValues: rows.map { (($0["path"]! as NSString).lastPathComponent, $0) })
        for i in 0..<dataset.count {
            let record = try CarinaRecord(columns: dataset.sample(at: i))
            let row = try #require(byName[record.dicomID + ".png"])
            #expect(record.source == "nih-cxr14" && record.labelSource == "Data_Entry_2017_v2020.csv")
            #expect(record.split == (row["split"] == "test" ? "test" : "train"))
            #expect(record.subjectID == row["patient_id"]!.drop { $0 == "0" } || record.subjectID == row["patient_id"])
            #expect(record.view == row["view_position"])
            let findings = Set(row["nih_finding_labels"]!.split(separator: "|").map(String.init))
            #expect(record.labels == MimicDump.nihLabelNames.map { findings.contains($0) ? 1 : 0 })
            #expect(record.report.isEmpty && record.impression.isEmpty)
            // the stored pixels are the luminance of the real (RGB) PNG
            let png = try PNGCodec.decode(record.image)
            let original = try PNGCodec.decodeLuminance([UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("images/" + record.dicomID + ".png")))))
            #expect(png.pixels == original.pixels && record.width == 64)
        }
    }

    @Test func refusesAFolderWithoutTheTable() throws {
        let dir = try TemporaryDirectory()
        let error = try #require(throws: IngestError.self) { try MimicDump(nih: dir.path) }
        #expect(error.description.contains("Data_Entry_2017"))
    }

    /// `carina probe` on the ingested records, frozen and fine-tuned: a table with the NIH findings' names, and a
    /// report whose samples are the split lists' (a small model so that the run stays short).
    @Test func probeAndFineTuneRunOnTheIngestedRecords() throws {
        let (dir, rows) = try Self.build()
        let out = try TemporaryDirectory()
        let ingest = try CarinaExecutable.run(["ingest", dir.path, "--out", out.path, "--size", "32", "--threads", "1"])
        #expect(ingest.status == 0)
        let testCount = rows.count { $0["split"] == "test" }
        let linear = try CarinaExecutable.run(["probe", "untrained:carina-test", out.path, "--fractions", "50,100"])
        #expect(linear.status == 0, "\(linear.stderr)")
        #expect(linear.stdout.contains("linear probe on the frozen image encoder") && linear.stdout.contains("Infiltration"))
        let tuned = try CarinaExecutable.run(["probe", "untrained:carina-test", out.path, "--fractions", "50,100",
                                              "--fine-tune", "--epochs", "2", "--batch", "8", "--threads", "1", "--json"])
        #expect(tuned.status == 0, "\(tuned.stderr)")
        #expect(tuned.stderr.contains("probe: fine-tune 100%") && tuned.stderr.contains("epoch 2/2"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(tuned.stdout.utf8)) as? [String: Any])
        #expect(report["testSamples"] as? Int == testCount)
        #expect((report["trainSamples"] as? [Int])?.last == rows.count - testCount)
        #expect((report["rows"] as? [[String: Any]])?.map { $0["label"] as? String ?? "" } == MimicDump.nihLabelNames)
        let bad = try CarinaExecutable.run(["probe", "untrained:carina-test", out.path, "--fine-tune", "--epochs", "0"])
        #expect(bad.status == 64 && bad.stderr.contains("--epochs"))
    }
}
