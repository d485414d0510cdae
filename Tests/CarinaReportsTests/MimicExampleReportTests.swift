import CarinaReports
import CarinaTestSupport
import Testing

/// The one MIMIC-CXR report its owners published, through both modes.
@Suite struct MimicExampleReportTests {
    static let path = SharedData.path("reports/mimic-style/mimic_cxr_website_example_report.txt")

    @Test func mimicModeSplitsItAsTheMITLCPParserDoes() throws {
        let text = try ReportText.decode(try ReportCorpus.readBytes(Self.path), mode: .mimic)
        let r = SectionSplitter.split(text, studyID: "s50414267", mode: .mimic)
        // Names and texts as section_parser.section_text returns them for this file.
        #expect(r.sections.map(\.name) == ["preamble", "examination", "indication", "technique", "comparison",
                                           "findings", "impression"])
        #expect(r.findings == "Cardiac size cannot be evaluated.  Large left pleural effusion is new.  Small\n"
            + " right effusion is new.  The upper lungs are clear.  Right lower lobe opacities\n"
            + " are better seen in prior CT.  There is no pneumothorax.  There are mild\n"
            + " degenerative changes in the thoracic spine")
        #expect(r.impression == "Large left pleural effusion")
        #expect(r.comparison == "___")
        #expect(r.conclusion == "Large left pleural effusion")
    }

    @Test func cleanModeSplitsItIntoSentencesWithOffsets() throws {
        let bytes = try ReportCorpus.readBytes(Self.path)
        let text = try ReportText.decode(bytes, mode: .clean)
        let r = SectionSplitter.split(text, studyID: "s50414267", mode: .clean)
        let findings = try #require(r.sections.first { $0.name == "findings" })
        #expect(findings.sentences.map(\.text) == [
            "Cardiac size cannot be evaluated.", "Large left pleural effusion is new.", "Small right effusion is new.",
            "The upper lungs are clear.", "Right lower lobe opacities are better seen in prior CT.",
            "There is no pneumothorax.", "There are mild degenerative changes in the thoracic spine",
        ])
        for s in findings.sentences {
            #expect(CleanText.normalize(String(decoding: bytes[s.range], as: UTF8.self)) == s.text)
        }
        #expect(r.sections.first { $0.name == "indication" }?.text
                == "___ year old woman with ?pleural effusion // ?pleural effusion")
    }
}
