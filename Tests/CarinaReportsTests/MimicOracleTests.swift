import CarinaShards
import CarinaOpenI
import CarinaReports
import CarinaTestSupport
import Foundation
import Testing

/// `--mode mimic` against the MIT-LCP parser's own output (made by `Scripts/sections-oracle.sh`).
@Suite struct MimicOracleTests {
    /// The oracle's digests: study → (sectioned row digest or "-", conclusion row digest), plus whole-file digests.
    struct Digests {
        var rows: [(study: String, sectioned: String, conclusion: String)] = []
        var files: [String: String] = [:]
        var seed: String?
    }

    static func loadDigests() throws -> Digests {
        var d = Digests()
        for line in try Fixtures.read(Fixtures.path("mimic-oracle-iu.tsv")).split(separator: "\n") {
            let f = line.split(separator: "\t").map(String.init)
            if line.hasPrefix("# file") { d.files[f[1]] = f[2] } else if line.hasPrefix("# seed") { d.seed = f[1] }
            if line.hasPrefix("#") { continue }
            d.rows.append((f[0], f[1], f[2]))
        }
        return d
    }

    static func short(_ s: String) -> String { String(ShardHash.sha256.hexDigest(Array(s.utf8)).prefix(32)) }

    @Test func iuDerivedCorpusAgreesWithTheMITLCPParserEverywhere() throws {
        let corpus = try Fixtures.iuCorpus.get()
        let digests = try Self.loadDigests()
        #expect(digests.seed == String(MimicStyleCorpus.defaultSeed))
        #expect(corpus.count == 3955)
        // Write the corpus as a dump and read it back the way `carina sections DUMP --mode mimic` does.
        let tmp = try TemporaryDirectory("carina-mimic-oracle")
        try MimicStyleCorpus.write(corpus, to: tmp.path)
        let dump = try ReportCorpus(path: tmp.path)
        #expect(dump.isDump)
        #expect(dump.entries.map(\.studyID) == digests.rows.map(\.study))
        var sectioned = PythonCSV.sectionedHeader
        var conclusions = ""
        var disagreements: [String] = []
        for (entry, expected) in zip(dump.entries, digests.rows) {
            let r = try ReportLoader.load(entry, mode: .mimic).report
            #expect(r.problem == nil, "\(entry.studyID): \(r.problem ?? "")")
            let row = PythonCSV.sectionedRow(r)
            let conclusion = PythonCSV.conclusionRow(r)
            if let row { sectioned += row }
            conclusions += conclusion
            if (row.map(Self.short) ?? "-") != expected.sectioned || Self.short(conclusion) != expected.conclusion {
                disagreements.append(entry.studyID)
            }
        }
        #expect(disagreements.isEmpty, "mimic mode disagrees with MIT-LCP on \(disagreements.count): \(disagreements.prefix(10))")
        #expect(ShardHash.sha256.hexDigest(Array(sectioned.utf8)) == digests.files["mimic_cxr_sectioned.csv"])
        #expect(ShardHash.sha256.hexDigest(Array(conclusions.utf8)) == digests.files["mimic_cxr_sections.csv"])
    }

    @Test func handWrittenEdgeCasesMatchTheMITLCPOutputByteForByte() throws {
        let dump = try ReportCorpus(path: Fixtures.path("mimic-edge"))
        #expect(dump.entries.count == 26)
        var sectioned = PythonCSV.sectionedHeader
        var conclusions = ""
        for entry in dump.entries {
            let r = try ReportLoader.load(entry, mode: .mimic).report
            if let row = PythonCSV.sectionedRow(r) { sectioned += row }
            conclusions += PythonCSV.conclusionRow(r)
        }
        let expectedSectioned = try Fixtures.read(Fixtures.path("mimic-edge/expected/mimic_cxr_sectioned.csv"))
        let expectedConclusions = try Fixtures.read(Fixtures.path("mimic-edge/expected/mimic_cxr_sections.csv"))
        let a = sectioned.split(separator: "\r\n", omittingEmptySubsequences: false)
        let b = expectedSectioned.split(separator: "\r\n", omittingEmptySubsequences: false)
        for (x, y) in zip(a, b) where x != y { Issue.record("row differs:\n  carina: \(x)\n  MIT-LCP: \(y)") }
        #expect(sectioned == expectedSectioned)
        #expect(conclusions == expectedConclusions)
    }

    @Test func theCorpusCoversTheQuirksItIsMeantToExercise() throws {
        let corpus = try Fixtures.iuCorpus.get()
        let layouts = Dictionary(grouping: corpus, by: \.layout).mapValues(\.count)
        for layout in ["standard", "no-headers", "merged", "empty-findings-header", "ndication", "wet-read",
                       "override-section"] {
            #expect((layouts[layout] ?? 0) > 0, "no report with layout \(layout): \(layouts)")
        }
        // Every one of the 54 upstream overrides is exercised.
        let ids = Set(corpus.map(\.studyID))
        #expect(MimicOverride.all.allSatisfy { ids.contains($0.0) })
        #expect(ids.count == corpus.count)
    }

    @Test func theCorpusIsDeterministic() throws {
        let reports = Array(try Fixtures.iuReports.get().prefix(200))
        let titles = try MimicStyleCorpus.loadTitles(Fixtures.titles)
        let a = MimicStyleCorpus.render(reports, titles: titles, seed: 7).map(\.text)
        let b = MimicStyleCorpus.render(reports, titles: titles, seed: 7).map(\.text)
        let c = MimicStyleCorpus.render(reports, titles: titles, seed: 8).map(\.text)
        #expect(a == b)
        #expect(a != c)
    }
}
