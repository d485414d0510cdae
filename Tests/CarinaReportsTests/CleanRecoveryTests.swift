import CarinaOpenI
import CarinaReports
import Foundation
import Testing

/// `--mode clean` recovers the IU XML's own FINDINGS and IMPRESSION from the MIMIC-style rendering.
@Suite struct CleanRecoveryTests {
    struct Tally {
        var present = 0, recoverable = 0, recovered = 0, recoveredAnyLayout = 0
        var failures: [String] = []
    }

    @Test func cleanModeRecoversEveryFindingsAndImpressionTheLayoutAllows() throws {
        let corpus = try Fixtures.iuCorpus.get()
        var findings = Tally()
        var impression = Tally()
        var mimicImpression = 0
        for r in corpus {
            let split = SectionSplitter.split(r.text, studyID: r.studyID, mode: .clean)
            let mimic = SectionSplitter.split(r.text, studyID: r.studyID, mode: .mimic)
            func check(_ expected: String?, _ got: String?, _ mimicGot: String?, recoverable: Bool,
                       _ t: inout Tally, _ label: String) -> Bool {
                guard let expected, !expected.isEmpty else { return false }
                let want = CleanText.normalize(expected)
                t.present += 1
                let ok = got == want
                if ok { t.recoveredAnyLayout += 1 }
                if recoverable {
                    t.recoverable += 1
                    if ok { t.recovered += 1 } else { t.failures.append("\(r.studyID) \(label): \(got ?? "nil")") }
                }
                return mimicGot.map(CleanText.normalize) == want
            }
            _ = check(r.source.findings, split.findings, mimic.findings, recoverable: r.findingsRecoverable,
                      &findings, "findings")
            if check(r.source.impression, split.impression, mimic.impression, recoverable: r.impressionRecoverable,
                     &impression, "impression") {
                mimicImpression += 1
            }
        }
        print("clean recovery, IU-derived corpus (\(corpus.count) reports):")
        for (name, t) in [("FINDINGS", findings), ("IMPRESSION", impression)] {
            print("  \(name): present \(t.present), layout allows \(t.recoverable), recovered \(t.recovered) "
                + "(\(t.recoverable == 0 ? 0 : 100 * t.recovered / t.recoverable)%); "
                + "recovered over all layouts \(t.recoveredAnyLayout)/\(t.present)")
        }
        print("  mimic mode gives the IU IMPRESSION for \(mimicImpression)/\(impression.present)")
        #expect(findings.failures.isEmpty, "\(findings.failures.prefix(5))")
        #expect(impression.failures.isEmpty, "\(impression.failures.prefix(5))")
        #expect(findings.recoverable > 3000 && impression.recoverable > 3300)
    }
}
