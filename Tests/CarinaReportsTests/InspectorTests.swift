import CarinaReports
import Testing

/// The inspector's views: statistics over a corpus and the marked-up text of one report.
@Suite struct InspectorTests {
    static let reports = [
        " FINDINGS:  Clear.\n \n IMPRESSION:  Normal.\n",
        " FINDINGS:  Clear.\n",
        " IMPRESSIONS:  Normal.\n",
        " COMPARISON:  None.\n \n Old film.\n",
    ]

    @Test func statsCountFieldsAndEveryHeaderWithItsMapping() {
        var stats = SectionStats()
        for (k, t) in Self.reports.enumerated() {
            stats.add(SectionSplitter.split(" FINAL REPORT\n" + t, studyID: "s\(k)", mode: .mimic))
        }
        #expect(stats.studies == 4)
        #expect(stats.withFindings == 2 && stats.withImpression == 2)
        #expect(stats.withBoth == 1 && stats.withNeither == 1)
        #expect(stats.withLastParagraph == 1)
        let headers = Dictionary(uniqueKeysWithValues: stats.headers.map { ($0.header, $0) })
        #expect(headers["FINDINGS"]?.count == 2)
        #expect(headers["IMPRESSIONS"]?.mappedTo == ["impression": 1])
        #expect(stats.text.contains("with both          1 (25.0%)"))
        #expect(stats.text.contains("IMPRESSIONS -> impression"))
    }

    @Test func textViewMarksSectionsPlainInAPipeAndColouredOnATerminal() {
        let text = " FINDINGS:  Clear lungs.\n \n IMPRESSION:  Normal.\n"
        let r = SectionSplitter.split(text, studyID: "s1", mode: .clean)
        let plain = SectionInspector.render(r, raw: text, colour: false)
        #expect(plain.contains("[findings>Clear lungs.<findings]"))
        #expect(plain.contains("impression \"IMPRESSION\"  rule clean:header+exact-table"))
        #expect(!plain.contains("\u{1B}["))
        let coloured = SectionInspector.render(r, raw: text, colour: true)
        #expect(coloured.contains("\u{1B}[1;32mNormal.\u{1B}[0m"))
    }
}
