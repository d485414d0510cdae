import CarinaOpenI
import CarinaReports
import CarinaTestSupport
import Foundation

/// Paths of the committed fixtures and the shared data these tests read.
enum Fixtures {
    static let root = SharedData.repositoryRoot.appendingPathComponent("Tests/CarinaReportsTests/Fixtures").path
    static func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }
    static let iuArchive = SharedData.path("reports/iu-openi/NLMCXR_reports.tgz")
    static let iuSamples = SharedData.path("reports/iu-openi/ecgen-radiology-sample")
    static let titles = SharedData.path("reports/mimic-style/negbio_section_titles.txt")

    static func read(_ path: String) throws -> String {
        String(decoding: try ReportCorpus.readBytes(path), as: UTF8.self)
    }

    /// The 3,955 IU reports, parsed once for all tests (unpacking takes a few seconds).
    static let iuReports: Result<[OpenIReport], ReportError> = Result { () throws(ReportError) in
        try MimicStyleCorpus.loadIU(iuArchive)
    }

    /// The IU-derived MIMIC-style corpus at the default seed.
    static let iuCorpus: Result<[MimicStyleRenderer.Rendered], ReportError> = Result { () throws(ReportError) in
        let reports = try iuReports.get()
        return MimicStyleCorpus.render(reports, titles: try MimicStyleCorpus.loadTitles(titles))
    }
}
