import Foundation
import Testing
import CarinaTestSupport
@testable import CarinaIngest

/// The dump's CSVs are checked, not taken on faith: a cut gzip is an error, every split value is checked, one image
/// or study given two values is an error, a patient never spans two splits, and rows or images that do not match are
/// counted and named.
@Suite struct DumpTableCheckTests {
    /// A synthetic dump whose tables are rewritten as plain `.csv` files the test can edit.
    final class Dump {
        let directory: TemporaryDirectory
        var path: String { directory.path }

        init(studies: Int = 10, seed: Int = 7) throws {
            directory = try TemporaryDirectory("carina-synth")
            let made = try CarinaExecutable.run(["synth", directory.path, "--studies", String(studies), "--rows", "32",
                                                 "--cols", "32", "--syntax", "explicitLittle", "--seed", String(seed)])
            #expect(made.status == 0, "\(made.stderr)")
        }

        func gz(_ name: String) -> String { path + "/mimic-cxr-2.0.0-\(name).csv.gz" }

        /// The table's header and rows (from the `.csv.gz` synth wrote, or the `.csv` a test wrote).
        func table(_ name: String) throws -> [[String]] {
            let source = FileManager.default.fileExists(atPath: gz(name)) ? gz(name) : path + "/mimic-cxr-2.0.0-\(name).csv"
            let table = try CSVTable(path: source)
            return [table.header] + table.rows
        }

        /// The split table's rows (header first), and its first patient with two or more studies: the patient's id,
        /// rows and last study id.
        func patientWithTwoStudies() throws -> (rows: [[String]], patient: String, patientRows: [[String]],
                                                lastStudy: String) {
            let rows = try table("split")
            let (subject, study) = (rows[0].firstIndex(of: "subject_id")!, rows[0].firstIndex(of: "study_id")!)
            let bySubject = Dictionary(grouping: rows.dropFirst(), by: { $0[subject] })
            let (patient, patientRows) = try #require(bySubject.first { Set($0.value.map { $0[study] }).count >= 2 })
            return (rows, patient, patientRows, patientRows.map { $0[study] }.sorted().last!)
        }

        /// Replaces the table with plain CSV text of `rows` (the first row is the header).
        func write(_ name: String, _ rows: [[String]]) throws {
            try? FileManager.default.removeItem(atPath: gz(name))
            let text = rows.map { $0.joined(separator: ",") + "\n" }.joined()
            try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/mimic-cxr-2.0.0-\(name).csv"))
        }
    }

    @Test func aGzipCutShortIsAnError() throws {
        let dump = try Dump()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dump.gz("split")))
        for cut in [8, bytes.count / 2] {
            try bytes.prefix(bytes.count - cut).write(to: URL(fileURLWithPath: dump.gz("split")))
            let error = try #require(throws: IngestError.self) { try MimicDump(root: dump.path) }
            #expect(error.message.contains("cut short"), "\(error.message)")
            #expect(error.message.contains("mimic-cxr-2.0.0-split.csv.gz"))
        }
    }

    @Test func aHeaderOnlySplitTableCountsEveryImageAndKeepsEachPatientInOneSplit() throws {
        let dump = try Dump()
        try dump.write("split", [try dump.table("split")[0]])
        let listed = try MimicDump(root: dump.path)
        let images = listed.studies.reduce(0) { $0 + $1.images.count }
        #expect(listed.notices.count(.imageWithoutSplitRow) == images)
        for study in listed.studies { #expect(study.split == MimicDump.derivedSplit(subjectID: study.subjectID)) }
    }

    @Test func anImageWithoutASplitRowTakesItsPatientsSplitAndIsNamed() throws {
        let dump = try Dump(studies: 16)
        // A patient with two studies: the second one's row goes, and the table says "validate" for the first, a split
        // the derived split would not give this patient.
        let found = try dump.patientWithTwoStudies()
        var rows = found.rows
        let header = rows[0], patient = found.patient
        let (subject, study, dicom) = (header.firstIndex(of: "subject_id")!, header.firstIndex(of: "study_id")!,
                                       header.firstIndex(of: "dicom_id")!)
        let target = MimicDump.derivedSplit(subjectID: patient) == "validate" ? "test" : "validate"
        let removed = try #require(found.patientRows.first { $0[study] == found.lastStudy })
        rows = [header] + rows.dropFirst().compactMap { row in
            guard row[subject] == patient else { return row }
            if row[dicom] == removed[dicom] { return nil }
            var changed = row
            changed[header.firstIndex(of: "split")!] = target
            return changed
        }
        try dump.write("split", rows)
        let listed = try MimicDump(root: dump.path)
        #expect(listed.notices.count(.imageWithoutSplitRow) == 1)
        #expect(listed.notices.items.first { $0.kind == .imageWithoutSplitRow }?.what.contains(removed[dicom]) == true)
        let splits = Set(listed.studies.filter { $0.subjectID == patient }.map(\.split))
        #expect(splits == [target])
    }

    @Test func aPatientInTwoSplitsIsAnError() throws {
        let dump = try Dump(studies: 16)
        let found = try dump.patientWithTwoStudies()
        var rows = found.rows
        let header = rows[0], patient = found.patient, second = found.lastStudy
        let (subject, study, split) = (header.firstIndex(of: "subject_id")!, header.firstIndex(of: "study_id")!,
                                       header.firstIndex(of: "split")!)
        for i in rows.indices.dropFirst() where rows[i][subject] == patient && rows[i][study] == second {
            rows[i][split] = rows[i][split] == "train" ? "validate" : "train"
        }
        try dump.write("split", rows)
        let error = try #require(throws: IngestError.self) { try MimicDump(root: dump.path) }
        #expect(error.message.contains("patient \(patient)"), "\(error.message)")
        #expect(error.message.contains("must stay in one split"))
    }

    /// A value written into `column` of `table` on `rows` (indices of the table's lines, 0 the header), and what
    /// the error must say.
    struct BadCell: Sendable, CustomTestStringConvertible {
        var table: String, column: String, rows: [Int], value: String
        var message: String
        var testDescription: String { "\(table) \(column) \"\(value)\"" }
    }

    /// Split values other than train, validate or test (the first line named, and how many), and a label that is
    /// not 1.0, 0.0, -1.0 or blank.
    static let badCells = ["holdout", "TEST", ""].map {
        BadCell(table: "split", column: "split", rows: [3, 5], value: $0,
                message: ":4: split \"\($0)\" is not train, validate or test (2 such rows)")
    } + [BadCell(table: "chexpert", column: "Edema", rows: [2], value: "maybe", message: ":3: Edema is \"maybe\"")]

    @Test(arguments: badCells)
    func aValueThatIsNotAllowedIsAnErrorNamingTheLine(cell: BadCell) throws {
        let dump = try Dump()
        var rows = try dump.table(cell.table)
        let column = rows[0].firstIndex(of: cell.column)!
        for row in cell.rows { rows[row][column] = cell.value }
        try dump.write(cell.table, rows)
        let error = try #require(throws: IngestError.self) { try MimicDump(root: dump.path) }
        #expect(error.message.contains(cell.message), "\(error.message)")
    }

    @Test func aDuplicateImageRowWithOtherValuesIsAnError() throws {
        let dump = try Dump()
        var rows = try dump.table("metadata")
        var copy = rows[2]
        let view = rows[0].firstIndex(of: "ViewPosition")!
        copy[view] = copy[view] == "PA" ? "AP" : "PA"
        rows.append(copy)
        try dump.write("metadata", rows)
        let error = try #require(throws: IngestError.self) { try MimicDump(root: dump.path) }
        #expect(error.message.contains("is also on line 3 with other values"), "\(error.message)")
        // The same row twice is harmless.
        rows[rows.count - 1] = rows[2]
        try dump.write("metadata", rows)
        #expect(try MimicDump(root: dump.path).notices.items.isEmpty)
    }

    @Test func rowsThatDisagreeWithThePathOrNameAbsentImagesAreCountedAndNamed() throws {
        let dump = try Dump()
        var rows = try dump.table("metadata")
        let header = rows[0]
        let study = header.firstIndex(of: "study_id")!
        rows[1][study] = "59999999"
        rows.append(["0000dead-beef"] + Array(rows[2].dropFirst()))
        try dump.write("metadata", rows)
        let listed = try MimicDump(root: dump.path)
        #expect(listed.notices.count(.metadataRowDisagreesWithPath) == 1)
        #expect(listed.notices.count(.metadataRowWithoutImage) == 1)
        #expect(listed.notices.items.contains { $0.kind == .metadataRowWithoutImage && $0.what.hasPrefix("0000dead-beef") })
        // the disagreeing row is not used: the view comes from the DICOM header
        let image = try #require(listed.studies.flatMap(\.images).first { $0.dicomID == rows[1][0] })
        #expect(image.view == nil)
    }

    @Test func dicomFilesOutsideTheLayoutAreCounted() throws {
        let dump = try Dump()
        let listed = try MimicDump(root: dump.path)
        let image = try #require(listed.studies.first?.images.first)
        for stray in ["files/p10/x/a.dcm", "files/b.dcm", "files/p10/p10000001/notastudy/c.dcm"] {
            let target = dump.path + "/" + stray
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: image.path, toPath: target)
        }
        let again = try MimicDump(root: dump.path)
        #expect(again.notices.count(.dicomOutsideLayout) == 3)
        #expect(again.studies.count == listed.studies.count)
    }
}
