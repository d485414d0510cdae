import CarinaReports
import CarinaTestSupport
import Foundation
import Testing

/// The Swift tables agree with the documented data in `schemas/sections/`.
@Suite struct SectionTablesTests {
    static func rows(_ file: String) throws -> [[String]] {
        let path = SharedData.repositoryRoot.appendingPathComponent("schemas/sections/\(file)").path
        return try Fixtures.read(path).split(separator: "\n").filter { !$0.hasPrefix("#") }
            .map { $0.split(separator: "\t").map(String.init) }
    }

    @Test func mimicNameTableMatchesTheSchema() throws {
        let rows = try Self.rows("mimic-name-table.tsv")
        #expect(rows.count == 58)
        #expect(rows.map { $0[0] } == MimicSectionNames.exactTable.map(\.0))
        #expect(rows.map { $0[1] } == MimicSectionNames.exactTable.map(\.1))
        #expect(MimicSectionNames.normalize("ndication").name == "impression")
    }

    @Test func viewPhrasesMatchTheSchema() throws {
        let rows = try Self.rows("mimic-view-phrases.txt").map { $0[0] }
        #expect(rows == MimicSectionNames.viewPhrases)
        #expect(rows.count == 18)
    }

    @Test func theFiftyFourOverridesMatchTheSchema() throws {
        let rows = try Self.rows("mimic-overrides.tsv")
        #expect(rows.count == 54)
        let all = MimicOverride.all
        #expect(all.count == 54)
        for (row, (id, o)) in zip(rows, all) {
            #expect(row[0] == id)
            switch o {
            case .section(let name): #expect(row[1] == "section" && row[2] == name)
            case .slice(let a, let b): #expect(row[1] == "slice" && row[2] == "\(a):\(b)")
            }
        }
        #expect(all.filter { if case .slice(0, 0) = $0.1 { true } else { false } }.count == 8)
    }

    @Test func cleanTableMatchesTheSchema() throws {
        let rows = try Self.rows("clean-name-table.tsv")
        #expect(rows.map { $0[0] } == CleanSectionNames.cleanTable.map(\.0))
        #expect(rows.map { $0[1] } == CleanSectionNames.cleanTable.map(\.1))
    }

    @Test(arguments: [
        ("impression", "impression", "exact"), ("findings and impression", "impression", "exact"),
        ("impression and recommendation", "impression", "substring"), ("chest pa and lat", "findings", "view"),
        ("frontal semi-upright portable", "findings", "view"), ("addendum  history", "history", "substring"),
        ("medical condition", "medical condition", "unmapped"), ("wetread", "wet read", "exact"),
    ])
    func mimicNormalizationStages(header: String, name: String, stage: String) {
        let (n, s) = MimicSectionNames.normalize(header)
        #expect(n == name)
        switch s {
        case .exactTable: #expect(stage == "exact")
        case .substring: #expect(stage == "substring")
        case .viewPhrase: #expect(stage == "view")
        case .unmapped: #expect(stage == "unmapped")
        }
    }
}
