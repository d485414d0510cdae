import CarinaDICOM
import CarinaTestSupport
import Foundation
import Testing

@testable import CarinaIngest

/// The `code` column of `ingest-report.tsv`: the error's module and code, so that a failure is told by its code
/// and not by its message.
@Suite struct IngestReportCodeTests {
    static let dump = SharedData.sample("mimic-cxr-mini")

    @Test func failedImageCarriesItsDicomCode() throws {
        let dir = try TemporaryDirectory()
        var options = IngestOptions(output: dir.path)
        options.threads = 1
        options.size = 64
        var seen: [(String, IngestImageStatus, String)] = []
        _ = try IngestPipeline(dump: MimicDump(root: Self.dump), options: options).run(problem: {
            image, status, problem in
            seen.append((image.dicomID, status, problem.code))
        })
        let report = try String(contentsOfFile: dir.file("ingest-report.tsv"), encoding: .utf8)
        let lines = report.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.first == "dicom_id\tstatus\treason\tpath\tcode")
        for line in lines.dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            #expect(fields.count == 5, "\(line)")
            if fields[1] == "written" { #expect(fields[4].isEmpty) }
        }
        let failed = try #require(
            lines.first { $0.contains("\tfailed\t") }?.split(separator: "\t", omittingEmptySubsequences: false))
        #expect(failed[4] == "dicom.\(DicomErrorCode.decodeFailed.rawValue)", "\(failed)")
        #expect(seen.count == 1 && seen[0].1 == .failed && seen[0].2 == String(failed[4]))
    }

    @Test func viewFilterSkipsAreCodedAndCounted() throws {
        let dir = try TemporaryDirectory()
        var options = IngestOptions(output: dir.path)
        options.threads = 1
        options.size = 64
        options.views = ["LATERAL-NONE"]
        let tally = try IngestPipeline(dump: MimicDump(root: Self.dump), options: options).run()
        let report = try String(contentsOfFile: dir.file("ingest-report.tsv"), encoding: .utf8)
        let codes = report.split(separator: "\n").dropFirst().map {
            String($0.split(separator: "\t", omittingEmptySubsequences: false)[4])
        }
        let noView = codes.filter { $0 == "ingest.noView" }.count
        #expect(tally.droppedWithoutView == noView)
        #expect(
            codes.allSatisfy { ["ingest.noView", "ingest.viewNotSelected"].contains($0) || $0.hasPrefix("dicom.") },
            "\(codes)")
        #expect(tally.skipped == codes.filter { $0.hasPrefix("ingest.") }.count)
    }

    /// A folder ingested before the code column resumes: its lines gain an empty code, the header the column.
    @Test func resumesAReportWithoutTheCodeColumn() throws {
        let dir = try TemporaryDirectory()
        var options = IngestOptions(output: dir.path)
        options.threads = 1
        options.size = 64
        _ = try IngestPipeline(dump: MimicDump(root: Self.dump), options: options).run()
        let path = dir.file("ingest-report.tsv")
        let full = try String(contentsOfFile: path, encoding: .utf8)
        let old = full.split(separator: "\n").map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).prefix(4).joined(separator: "\t")
        }
        try (old.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        _ = try IngestPipeline(dump: MimicDump(root: Self.dump), options: options).run()
        let again = try String(contentsOfFile: path, encoding: .utf8)
        #expect(again.split(separator: "\n").first == "dicom_id\tstatus\treason\tpath\tcode")
        #expect(
            again.split(separator: "\n").dropFirst().allSatisfy {
                $0.split(separator: "\t", omittingEmptySubsequences: false).count == 5
            }, "\(again)")
    }
}
