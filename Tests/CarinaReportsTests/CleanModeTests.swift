import CarinaReports
import Testing

/// Clean mode: the upstream bugs fixed, addenda and WET READ, normalization, sentences, offsets and rules.
@Suite struct CleanModeTests {
    static let title = String(repeating: " ", count: 33) + "FINAL REPORT\n"

    func section(_ r: SectionedReport, _ name: String) -> ReportSection? { r.sections.first { $0.name == name } }

    @Test func ndicationIsAnIndicationNotAnImpression() {
        let text = Self.title + " NDICATION:  Chest pain.\n \n FINDINGS:  Clear lungs.\n"
        let clean = SectionSplitter.split(text, studyID: nil, mode: .clean)
        let mimic = SectionSplitter.split(text, studyID: nil, mode: .mimic)
        #expect(mimic.impression == "Chest pain.")
        #expect(clean.impression == nil)
        #expect(section(clean, "indication")?.text == "Chest pain.")
        #expect(section(clean, "indication")?.rule == "clean:header+exact-table")
    }

    @Test func aHeaderOnTheLineAfterAnEmptyHeaderIsFound() {
        let text = Self.title + " FINDINGS:\n IMPRESSION:  No fracture.\n"
        #expect(SectionSplitter.split(text, studyID: nil, mode: .mimic).findings == "IMPRESSION:  No fracture.")
        let clean = SectionSplitter.split(text, studyID: nil, mode: .clean)
        #expect(clean.impression == "No fracture.")
        #expect(clean.findings == nil)
    }

    @Test func wetReadAndAddendumAreTheirOwnSections() {
        let text = " WET READ: ___ ___ 9:14 PM\n  Small effusion.\n ____________________\n" + Self.title
            + " IMPRESSION:  Small left effusion.\n \n ADDENDUM  IMPRESSION:  Discussed with Dr. ___.\n"
        let clean = SectionSplitter.split(text, studyID: nil, mode: .clean)
        #expect(clean.sections.map(\.name) == ["wet_read", "impression", "addendum"])
        #expect(clean.impression == "Small left effusion.")
        #expect(section(clean, "wet_read")?.text == "___ ___ 9:14 PM Small effusion.")
        let mimic = SectionSplitter.split(text, studyID: nil, mode: .mimic)
        #expect(mimic.impression == "Discussed with Dr. ___.")
    }

    @Test func deidentificationMarksAndWrapsAreNormalized() {
        #expect(CleanText.normalize("Normal chest x-XXXX.  Dr. _____ at XXXX\n wrapped") ==
                "Normal chest x-___. Dr. ___ at ___ wrapped")
        #expect(CleanText.normalize("XXXXL stays, MAXXXXX stays") == "XXXXL stays, MAXXXXX stays")
        #expect(CleanText.normalize(" one\n \n two ") == "one\ntwo")
    }

    @Test func sentencesRespectAbbreviationsDecimalsAndLists() {
        let s = SentenceSplitter.sentences(in:
            "1. A 2.5 cm nodule, e.g. granuloma. 2. Seen by Dr. Smith vs. prior.\n - Line tip at the cavoatrial junction")
        #expect(s.map(\.text) == ["A 2.5 cm nodule, e.g. granuloma.", "Seen by Dr. Smith vs. prior.",
                                  "Line tip at the cavoatrial junction"])
        #expect(s.map(\.rule) == ["terminal-punctuation", "terminal-punctuation", "end-of-section"])
        let l = SentenceSplitter.sentences(in: " 1.  No effusion\n 2.  No pneumothorax")
        #expect(l.map(\.text) == ["No effusion", "No pneumothorax"])
        #expect(l.map(\.rule) == ["list-item", "end-of-section"])
        let p = SentenceSplitter.sentences(in: "No effusion\n \n No pneumothorax? Yes! done.")
        #expect(p.map(\.text) == ["No effusion", "No pneumothorax?", "Yes! done."])
        #expect(p.first?.rule == "paragraph")
    }

    @Test func rangesPointIntoTheRawReportEvenWithCRLF() {
        let raw = "                                 FINAL REPORT\r\n INDICATION:  Café owner, cough.\r\n \r\n"
            + " FINDINGS:  Heart normal.  Lungs\r\n clear.\r\n \r\n IMPRESSION:  No acute process.\r\n"
        let bytes = Array(raw.utf8)
        for mode in SectionMode.allCases {
            let r = SectionSplitter.split(raw, studyID: nil, mode: mode)
            for s in r.sections {
                let range = try! #require(s.range)
                let slice = String(decoding: bytes[range], as: UTF8.self)
                if mode == .clean {
                    #expect(CleanText.normalize(slice) == s.text)
                    for sentence in s.sentences {
                        #expect(CleanText.normalize(String(decoding: bytes[sentence.range], as: UTF8.self))
                                == sentence.text)
                    }
                } else {
                    #expect(slice.replacingOccurrences(of: "\r\n", with: "\n") == s.text)
                }
            }
            #expect(r.findings?.contains("Heart normal.") == true)
        }
        let clean = SectionSplitter.split(raw, studyID: nil, mode: .clean)
        #expect(clean.findings == "Heart normal. Lungs clear.")
        #expect(section(clean, "findings")?.sentences.map(\.text) == ["Heart normal.", "Lungs clear."])
    }

    @Test func plainTextReportsWithMixedCaseHeaders() {
        let text = "Indication: Cough.\nFindings: The lungs are clear.\nImpression: Normal chest.\n"
        let clean = SectionSplitter.split(text, studyID: "1", mode: .clean)
        #expect(clean.findings == "The lungs are clear.")
        #expect(clean.impression == "Normal chest.")
        #expect(SectionSplitter.split(text, studyID: "1", mode: .mimic).sections.map(\.name) == ["full report"])
        // Mixed-case words before a colon that are not section names stay text.
        let other = SectionSplitter.split("Impression: Heart: normal size.\nThe patient: stable.\n", studyID: nil,
                                          mode: .clean)
        #expect(other.sections.map(\.name) == ["impression"])
    }

    @Test func misspelledHeadersAreRecognised() {
        for (header, name) in [("FIDINGS", "findings"), ("IMPESSION", "impression"), ("COMAPRISON", "comparison"),
                               ("COCLUSION", "impression"), ("TECHIQUE", "technique")] {
            let r = SectionSplitter.split(" \(header):  Text here.\n", studyID: nil, mode: .clean)
            #expect(r.sections.first?.name == name, "\(header)")
            #expect(r.sections.first?.rule.hasPrefix("clean:header+misspelling") == true
                    || r.sections.first?.rule == "clean:header+exact-table")
        }
    }

    @Test func noHeaderMeansFullReportAndLastParagraph() {
        let r = SectionSplitter.split("Portable chest.\n \nHeart normal.\n\nNo effusion.\n", studyID: nil,
                                      mode: .clean)
        #expect(r.sections.map(\.name) == ["full_report", "last_paragraph"])
        #expect(r.lastParagraph == "Heart normal.\nNo effusion.")
        #expect(r.conclusion == "Heart normal.\nNo effusion.")
    }

    @Test func sameNamedSectionsAreJoinedInTheFields() {
        let r = SectionSplitter.split(" FINDINGS:  One.\n \n PA AND LATERAL:  Two.\n", studyID: nil, mode: .clean)
        #expect(r.findings == "One.\nTwo.")
        #expect(SectionSplitter.split(" FINDINGS:  One.\n \n PA AND LATERAL:  Two.\n", studyID: nil, mode: .mimic)
            .findings == "Two.")
    }
}
