import CarinaOpenI
import CarinaReports
import CarinaTestSupport
import Foundation
import Testing

/// Report discovery as `carina graph`, `labels` and the report benchmarks use it.
@Suite struct ReportFilesTests {
    @Test func idsComeFromTheMimicPath() {
        let mimic = ReportFiles.file("files/p10/p10000032/s50414267.txt")
        #expect(mimic.subjectID == "10000032" && mimic.studyID == "50414267")
        let radGraphKey = ReportFiles.file("p10/p10000032/s50414267.txt")
        #expect(radGraphKey.subjectID == "10000032" && radGraphKey.studyID == "50414267")
        let other = ReportFiles.file("reports/CXR12.xml")
        #expect(other.subjectID.isEmpty && other.studyID == "CXR12")
        #expect(ReportFiles.file("p1x/s123.txt").subjectID.isEmpty)
    }

    @Test func findsTheReportsOfADumpWithTheirSections() throws {
        let dump = SharedData.sample("mimic-cxr-mini")
        let reports = try ReportFiles.find(dump)
        #expect(reports.count == 6)
        #expect(reports.map(\.path) == reports.map(\.path).sorted())
        for report in reports {
            #expect(!report.subjectID.isEmpty && !report.studyID.isEmpty, "\(report.path)")
            let bytes = try report.bytes()
            #expect(bytes == [UInt8](try Data(contentsOf: URL(fileURLWithPath: report.path))))
            #expect(!(try report.sections()).isEmpty, "\(report.path)")
        }
    }

    @Test func refusesWhatHoldsNoReport() {
        let error = #expect(throws: ReportError.self) { try ReportFiles.find("/nonexistent/carina/reports") }
        #expect(error?.code == .notFound)
        let unfound = ReportFiles.file("/nonexistent/s1.txt")
        let notFound = #expect(throws: ReportError.self) { try unfound.sections() }
        #expect(notFound?.description == "/nonexistent/s1.txt: not a report file found by ReportFiles.find")
    }
}
