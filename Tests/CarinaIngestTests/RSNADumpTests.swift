import CarinaCore
import CarinaRecord
import CarinaShards
import CarinaTestSupport
import Foundation
import Testing

@testable import CarinaIngest

/// The RSNA Pneumonia Detection Challenge as the release lays it out, built from real DICOMs of `../shared/data`
/// (a real CR chest in JPEG baseline and a real 8-bit JPEG baseline image, under RSNA-style patient ids): a patient
/// with two boxes, one not normal without opacity, one normal, a corrupt (truncated) DICOM, a labels row naming a
/// DICOM that is not there, and a DICOM without a labels row.
@Suite struct RSNADumpTests {
    static let ids = (
        opacity: "0004cfab-14fd-4e49-80ba-63a80b6bddd6", notNormal: "00313ee0-9eaa-42f4-b0ab-c148ed3241cd",
        normal: "00322d4d-1c29-4943-afc9-b6754be640eb", corrupt: "003d8fa0-6bf1-40ed-b54c-ac657f8495c5",
        missing: "00436515-870c-4b36-a041-de91049b9ab4", unlisted: "00569f44-917d-4c86-a842-81832af98c30"
    )

    static let labels = """
        patientId,x,y,width,height,Target
        \(ids.opacity),264,152,213,379,1
        \(ids.opacity),562.5,152,256,453,1
        \(ids.notNormal),,,,,0
        \(ids.normal),,,,,0
        \(ids.corrupt),,,,,0
        \(ids.missing),316,318,170,478,1

        """
    static let classes = """
        patientId,class
        \(ids.opacity),Lung Opacity
        \(ids.opacity),Lung Opacity
        \(ids.notNormal),No Lung Opacity / Not Normal
        \(ids.normal),Normal
        \(ids.corrupt),Normal
        \(ids.missing),Lung Opacity

        """

    static func build(labels: String = labels, classes: String? = classes) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir.file("stage_2_train_images"), withIntermediateDirectories: true)
        func copy(_ file: String, _ id: String) throws {
            try fm.copyItem(atPath: SharedData.path(file), toPath: dir.file("stage_2_train_images/\(id).dcm"))
        }
        try copy("dicom/chest/SIIM_CR_chest_jpeg_baseline.dcm", ids.opacity)
        try copy("dicom/syntax-small/JPEGBaseline_1s_1f_u_08_08.dcm", ids.notNormal)
        try copy("dicom/chest/SIIM_CR_chest_jpeg_baseline.dcm", ids.normal)
        try copy("dicom/chest/SIIM_CR_chest_jpeg_baseline.dcm", ids.unlisted)
        let whole = try Data(
            contentsOf: URL(fileURLWithPath: SharedData.path("dicom/chest/SIIM_CR_chest_jpeg_baseline.dcm")))
        try whole.prefix(3000).write(to: URL(fileURLWithPath: dir.file("stage_2_train_images/\(ids.corrupt).dcm")))
        try labels.write(toFile: dir.file("stage_2_train_labels.csv"), atomically: true, encoding: .utf8)
        if let classes {
            try classes.write(toFile: dir.file("stage_2_detailed_class_info.csv"), atomically: true, encoding: .utf8)
        }
        return dir
    }

    @Test func ingestsEachPatientWithItsLabelsBoxesAndSplit() throws {
        let dir = try Self.build()
        let dump = try MimicDump(rsna: dir.path)
        #expect(dump.release == "rsna-pneumonia" && !dump.hasReports)
        #expect(dump.tablesFound == ["rsna-labels", "rsna-classes"])
        #expect(
            dump.studies.map(\.subjectID) == [Self.ids.opacity, Self.ids.notNormal, Self.ids.normal, Self.ids.corrupt])
        #expect(
            dump.notices.items.contains { $0.kind == .metadataRowWithoutImage && $0.what.hasPrefix(Self.ids.missing) })
        #expect(
            dump.notices.items.contains { $0.kind == .imageWithoutSplitRow && $0.what.hasPrefix(Self.ids.unlisted) })
        for study in dump.studies {
            let expected =
                StableHash.fnv1a(study.subjectID, salt: MimicDump.rsnaSplitSalt) % 100 < 80 ? "train" : "test"
            #expect(study.split == expected)
        }

        let out = try TemporaryDirectory()
        var options = IngestOptions(output: out.path)
        options.encoding = .png8
        options.size = 256
        options.threads = 2
        let tally = try IngestPipeline(dump: dump, options: options).run()
        #expect(tally.found == 4 && tally.written == 3 && tally.failed == 1)
        #expect(tally.notices.count(.reportMissing) == 0)
        let report = try String(contentsOfFile: out.file("ingest-report.tsv"), encoding: .utf8)
        #expect(report.split(separator: "\n").contains { $0.hasPrefix(Self.ids.corrupt + "\tfailed\t") })

        let dataset = try MDSDataset(directory: out.path)
        let records = try (0..<dataset.count).map { try CarinaRecord(columns: dataset.sample(at: $0)) }
        let byID = Dictionary(uniqueKeysWithValues: records.map { ($0.dicomID, $0) })
        #expect(records.allSatisfy { $0.source == "rsna-pneumonia" && $0.labelSource == "stage_2_train_labels.csv" })
        #expect(records.allSatisfy { $0.labels[3...].allSatisfy(\.isNaN) && $0.report.isEmpty })
        let opacity = try #require(byID[Self.ids.opacity]), notNormal = try #require(byID[Self.ids.notNormal])
        let normal = try #require(byID[Self.ids.normal])
        #expect(Array(opacity.labels[0..<3]) == [1, 0, 0])
        #expect(Array(notNormal.labels[0..<3]) == [0, 1, 0])
        #expect(Array(normal.labels[0..<3]) == [0, 0, 1])
        #expect(opacity.studyID == Self.ids.opacity && opacity.subjectID == Self.ids.opacity)
        // The boxes in the DICOM's pixel coordinates, beside its size, in the record's meta.
        let meta = try #require(try JSONSerialization.jsonObject(with: Data(opacity.metaJSON.utf8)) as? [String: Any])
        #expect((meta["rsna_boxes"] as? [[Double]]) == [[264, 152, 213, 379], [562.5, 152, 256, 453]])
        #expect(meta["columns"] as? Int != nil && meta["rows"] as? Int != nil)
        let empty = try #require(try JSONSerialization.jsonObject(with: Data(normal.metaJSON.utf8)) as? [String: Any])
        #expect((empty["rsna_boxes"] as? [Any])?.isEmpty == true)
        #expect(max(opacity.width, opacity.height) == 256)
    }

    @Test func withoutTheClassTableOnlyTheTargetIsLabelled() throws {
        let dir = try Self.build(classes: nil)
        let dump = try MimicDump(rsna: dir.path)
        #expect(dump.tablesFound == ["rsna-labels"])
        let first = try #require(dump.studies.first { $0.subjectID == Self.ids.opacity })
        #expect(first.labels?[0] == 1 && first.labels?[1] == nil && first.labels?[2] == nil)
    }

    @Test func badTablesAreRefusedWithTheLine() throws {
        /// The error of a dump built with these tables (the folder kept until the dump has been read).
        func error(labels: String = Self.labels, classes: String = Self.classes) throws -> String {
            let dir = try Self.build(labels: labels, classes: classes)
            do {
                _ = try MimicDump(rsna: dir.path)
                return "no error"
            } catch { return error.description }
        }
        let target = try error(
            labels: Self.labels.replacingOccurrences(of: "\(Self.ids.normal),,,,,0", with: "\(Self.ids.normal),,,,,2"))
        #expect(target.contains("stage_2_train_labels.csv:5") && target.contains("Target \"2\""), "\(target)")
        let noBox = try error(
            labels: Self.labels.replacingOccurrences(
                of: "\(Self.ids.missing),316,318,170,478,1", with: "\(Self.ids.missing),316,,170,478,1"))
        #expect(noBox.contains("stage_2_train_labels.csv:7") && noBox.contains("needs numbers"), "\(noBox)")
        let both = try error(labels: Self.labels + "\(Self.ids.normal),10,10,10,10,1\n")
        #expect(both.contains("one target per patient"), "\(both)")
        let wrongClass = try error(
            classes: Self.classes.replacingOccurrences(
                of: "\(Self.ids.normal),Normal", with: "\(Self.ids.normal),Lung Opacity"))
        #expect(
            wrongClass.contains("stage_2_detailed_class_info.csv:5") && wrongClass.contains("has Target 0"),
            "\(wrongClass)")
        let unknown = try error(
            classes: Self.classes.replacingOccurrences(
                of: "\(Self.ids.normal),Normal", with: "\(Self.ids.normal),Pneumonia"))
        #expect(unknown.contains("class \"Pneumonia\" is not one of"), "\(unknown)")
        let empty = try TemporaryDirectory()
        let none = #expect(throws: IngestError.self) { try MimicDump(rsna: empty.path) }
        #expect(none?.code == .notADump)
    }

    @Test func theSplitIsAboutEightyTwentyByPatient() {
        let ids = (0..<2000).map { String(format: "%08x-0000-4000-8000-%012x", $0 &* 2_654_435_761, $0) }
        let train = ids.count { StableHash.fnv1a($0, salt: MimicDump.rsnaSplitSalt) % 100 < 80 }
        #expect((1500...1700).contains(train))
    }

    @Test func theCommandLineRecognisesTheDump() throws {
        let dir = try Self.build()
        let run = try CarinaExecutable.run(["ingest", dir.path, "--out", dir.file("out"), "--threads", "1"])
        #expect(run.status == 0 && run.stdout.contains("3 written, 0 skipped, 1 failed"), "\(run.stdout)\(run.stderr)")
        let refused = try CarinaExecutable.run([
            "ingest", dir.path, "--out", dir.file("out2"), "--label-table", "negbio",
        ])
        #expect(refused.status != 0 && refused.stderr.contains("RSNA Pneumonia"))
    }
}
