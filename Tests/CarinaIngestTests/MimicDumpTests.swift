import Foundation
import Testing
import CarinaTestSupport
@testable import CarinaIngest

@Suite struct MimicDumpTests {
    let root = SharedData.sample("mimic-cxr-mini")

    @Test func listsTheSampleDumpInOrder() throws {
        let dump = try MimicDump(root: root)
        #expect(dump.tablesFound == ["metadata", "split", "chexpert"])
        #expect(dump.studies.map(\.studyID) == ["50414267", "53189527", "51029426", "55902471", "56699142", "57130448"])
        #expect(dump.studies.map(\.subjectID) == ["10000032", "10000032", "11000011", "11000011", "12000018", "13000024"])
        #expect(dump.studies.allSatisfy { $0.images.count == 1 && $0.reportPath != nil })
        #expect(dump.studies.map(\.split) == ["train", "train", "train", "train", "validate", "test"])
        let first = try #require(dump.studies.first)
        #expect(first.images[0].dicomID == "02aa804e-bde0afdd-112c0b34-7bc16630-4e384014")
        #expect(first.images[0].view == "PA")
        // Lung Opacity 1.0 and Pneumonia -1.0, the rest blank
        let labels = try #require(first.labels)
        #expect(labels.count == 14)
        #expect(labels[7] == 1.0 && labels[11] == -1.0 && labels[0] == nil)
        // the last study's view is blank in the CSV: the DICOM header decides
        #expect(dump.studies.last?.images.first?.view == nil)
    }

    @Test func worksWithoutAnyCSV() throws {
        let dir = try TemporaryDirectory()
        let study = dir.url.appendingPathComponent("files/p10/p10000001/s50000001")
        try FileManager.default.createDirectory(at: study, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: study.appendingPathComponent("abc.dcm"))
        let dump = try MimicDump(root: dir.path)
        #expect(dump.tablesFound.isEmpty)
        #expect(dump.studies.count == 1)
        #expect(dump.studies[0].reportPath == nil)
        #expect(dump.studies[0].split == MimicDump.derivedSplit(subjectID: "10000001"))
        #expect(dump.studies[0].labels == nil)
    }

    @Test func rejectsAFolderThatIsNotADump() throws {
        let dir = try TemporaryDirectory()
        #expect(throws: IngestError.self) { try MimicDump(root: dir.path) }
    }

    @Test func partitionsArePatientDisjointAndComplete() throws {
        let subjects = (0..<2000).map { String(10_000_000 + $0 * 37) }
        for n in [1, 2, 3, 8] {
            var seen = [Int](repeating: 0, count: subjects.count)
            for i in 0..<n {
                let part = Partition(index: i, count: n)
                for (k, s) in subjects.enumerated() where part.contains(subjectID: s) { seen[k] += 1 }
            }
            #expect(seen.allSatisfy { $0 == 1 })
        }
        #expect(throws: IngestError.self) { try Partition(parsing: "2/2") }
        #expect(throws: IngestError.self) { try Partition(parsing: "a/3") }
        #expect(try Partition(parsing: "1/4") == Partition(index: 1, count: 4))
    }

    @Test func derivedSplitsFollowMimicProportions() {
        var counts: [String: Int] = [:]
        for k in 0..<20000 { counts[MimicDump.derivedSplit(subjectID: String(10_000_000 + k)), default: 0] += 1 }
        #expect((100...300).contains(counts["validate"] ?? 0))
        #expect((250...550).contains(counts["test"] ?? 0))
    }
}

@Suite struct CSVTableTests {
    @Test func parsesQuotesCRLFAndEmbeddedNewlines() throws {
        let text = "a,b,c\r\n1,\"x, y\",\"he said \"\"hi\"\"\"\r\n2,\"line\none\",\n"
        let table = try CSVTable(text: Array(text.utf8), source: "t.csv")
        #expect(table.header == ["a", "b", "c"])
        #expect(table.rows == [["1", "x, y", "he said \"hi\""], ["2", "line\none", ""]])
    }

    @Test func namesTheLineOfARaggedRow() throws {
        let text = "a,b\n1,2\n3\n"
        #expect(throws: IngestError.self) { try CSVTable(text: Array(text.utf8), source: "t.csv") }
        do {
            _ = try CSVTable(text: Array(text.utf8), source: "t.csv")
        } catch {
            #expect(error.description == "t.csv:3: 1 fields, the header has 2")
        }
    }

    @Test func readsGzip() throws {
        let table = try CSVTable(path: SharedData.sample("mimic-cxr-mini/mimic-cxr-2.0.0-split.csv.gz"))
        #expect(table.header == ["dicom_id", "study_id", "subject_id", "split"])
        #expect(table.rows.count == 6)
    }

    @Test func streamedRowsEqualTheTableColumnsPicked() throws {
        let path = SharedData.sample("mimic-cxr-mini/mimic-cxr-2.0.0-split.csv.gz")
        let table = try CSVTable(path: path)
        var streamed: [[String]] = []
        try CSVTable.forEachRow(path: path, columns: ["split", "dicom_id"]) { (row: [String]) throws(IngestError) in
            streamed.append(row)
        }
        #expect(streamed == table.rows.map { [$0[3], $0[0]] })
        #expect(throws: IngestError.self) {
            try CSVTable.forEachRow(path: path, columns: ["ViewPosition"]) { (_: [String]) throws(IngestError) in }
        }
    }

    @Test func streamingNamesTheLineOfARaggedRow() throws {
        let dir = try TemporaryDirectory("csv-ragged")
        let path = dir.path + "/t.csv"
        try Data("a,b\n1,2\n3\n".utf8).write(to: URL(fileURLWithPath: path))
        var rows = 0
        do {
            try CSVTable.forEachRow(path: path, columns: ["b"]) { (_: [String]) throws(IngestError) in rows += 1 }
            Issue.record("a ragged row was accepted")
        } catch {
            #expect(error.description == "\(path):3: 1 fields, the header has 2")
        }
        #expect(rows == 1)
    }
}
