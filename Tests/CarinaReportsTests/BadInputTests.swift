import CarinaCore
import CarinaOpenI
import CarinaReports
import CarinaTestSupport
import Foundation
import Testing

/// Empty, binary, invalid UTF-8, CRLF, huge and random input: a clear error or a sensible split, never a crash.
@Suite struct BadInputTests {
    @Test func emptyReportSplitsToNothing() {
        let mimic = SectionSplitter.split("", studyID: "s1", mode: .mimic)
        #expect(mimic.sections.map(\.name) == ["full report"])
        #expect(PythonCSV.sectionedRow(mimic) == "s1,,,,\r\n")
        #expect(PythonCSV.conclusionRow(mimic) == "s1,\r\n")
        let clean = SectionSplitter.split("", studyID: "s1", mode: .clean)
        #expect(clean.sections.isEmpty)
        #expect(clean.conclusion == "")
        #expect(SectionSplitter.split(" \n \n", studyID: nil, mode: .clean).sections.isEmpty)
    }

    @Test func invalidUTF8IsRefusedWithItsOffset() {
        let cases: [([UInt8], Int)] = [
            ([0x41, 0x42, 0xFF, 0x43], 2), ([0x41, 0xC3], 1), ([0xED, 0xA0, 0x80], 0), ([0xC0, 0xAF], 0),
            ([0x41, 0xF4, 0x90, 0x80, 0x80], 1), ([0xE2, 0x82], 0),
        ]
        for (bytes, offset) in cases {
            #expect(ReportText.firstInvalidUTF8(bytes) == offset)
            for mode in SectionMode.allCases {
                do {
                    _ = try ReportText.decode(bytes, mode: mode, path: "r.txt")
                    Issue.record("accepted invalid UTF-8 \(bytes)")
                } catch {
                    #expect(error.code == .notUTF8)
                    #expect(error.description.contains("offset \(offset)"))
                }
            }
        }
        #expect(ReportText.firstInvalidUTF8(Array("Café ✓ 𝄞".utf8)) == nil)
    }

    @Test func binaryDataIsRefusedInCleanModeAndReadAsPythonDoesInMimicMode() throws {
        let bytes: [UInt8] = [0x00, 0x01, 0x02, 0x0A, 0x20, 0x46, 0x3A, 0x20, 0x78]
        #expect(throws: ReportError.self) { try ReportText.decode(bytes, mode: .clean) }
        let text = try ReportText.decode(bytes, mode: .mimic)
        #expect(SectionSplitter.split(text, studyID: nil, mode: .mimic).sections.map(\.name) == ["preamble", "f"])
        // A PNG file given as a report.
        let png = try ReportCorpus.readBytes(SharedData.path("images/nih-512").appending(
            "/" + (try FileManager.default.contentsOfDirectory(atPath: SharedData.path("images/nih-512")).sorted()
                .first { $0.hasSuffix(".png") } ?? "")))
        #expect(throws: ReportError.self) { try ReportText.decode(png, mode: .mimic) }
    }

    @Test func crlfAndLoneCarriageReturnsReadAsNewlines() {
        let lf = " FINDINGS:  A.\n \n IMPRESSION:  B.\n"
        for variant in [lf.replacingOccurrences(of: "\n", with: "\r\n"), lf.replacingOccurrences(of: "\n", with: "\r")] {
            for mode in SectionMode.allCases {
                let a = SectionSplitter.split(variant, studyID: nil, mode: mode)
                let b = SectionSplitter.split(lf, studyID: nil, mode: mode)
                #expect(a.impression == b.impression && a.findings == b.findings)
                #expect(a.sections.map(\.name) == b.sections.map(\.name))
            }
        }
    }

    @Test func aTenMegabyteReportSplits() {
        var text = String(repeating: " ", count: 33) + "FINAL REPORT\n"
        let paragraph = " The lungs are clear.  No effusion or pneumothorax.  Heart size is normal.\n"
        text += " FINDINGS:  " + String(repeating: paragraph, count: 10_000_000 / paragraph.utf8.count)
        text += " \n IMPRESSION:  No acute process.\n"
        #expect(text.utf8.count > 10_000_000)
        for mode in SectionMode.allCases {
            let r = SectionSplitter.split(text, studyID: nil, mode: mode)
            #expect(r.impression == "No acute process.")
            #expect((r.findings?.utf8.count ?? 0) > 9_000_000)
        }
        let clean = SectionSplitter.split(text, studyID: nil, mode: .clean)
        #expect((clean.sections.first { $0.name == "findings" }?.sentences.count ?? 0) > 300_000)
        // One line of 10 MB without any newline.
        let line = String(repeating: "A", count: 10_000_000) + ":"
        #expect(SectionSplitter.split(line, studyID: nil, mode: .mimic).sections.count == 1)
        #expect(SectionSplitter.split(line, studyID: nil, mode: .clean).sections.count == 1)
    }

    @Test func randomInputNeverCrashesAndRangesStayInBounds() {
        var rng = SplitMix64(seed: 42)
        let alphabet = Array("AZ ():/,-_.\n\r\t\u{A0}\u{1C}aé1 XXXX___IMPRESSION:FINDINGS:\n \n".unicodeScalars)
        for _ in 0..<2000 {
            var s = String.UnicodeScalarView()
            for _ in 0..<rng.below(200) { s.append(alphabet[rng.below(alphabet.count)]) }
            let text = String(s)
            let n = text.utf8.count
            for mode in SectionMode.allCases {
                let r = SectionSplitter.split(text, studyID: "s50525523", mode: mode)
                for sec in r.sections {
                    if let range = sec.range { #expect(range.lowerBound >= 0 && range.upperBound <= n) }
                    for sentence in sec.sentences { #expect(sentence.range.upperBound <= n) }
                }
            }
        }
    }

    @Test func missingPathsAndEmptyFoldersAreClearErrors() throws {
        #expect(throws: ReportError.self) { try ReportCorpus(path: "/nonexistent/carina/report.txt") }
        let tmp = try TemporaryDirectory("carina-empty")
        do {
            _ = try ReportCorpus(path: tmp.path)
            Issue.record("an empty folder was accepted")
        } catch {
            #expect(error.code == .notFound)
        }
    }

    @Test func anOverrideNamingAMissingSectionIsReportedNotHidden() {
        let r = SectionSplitter.split(" FINDINGS:  Clear.\n", studyID: "s50913680", mode: .mimic)
        #expect(r.problem?.contains("recommendations") == true)
        #expect(r.inSectionedCSV == false)
        // A bare study number finds its override too.
        #expect(SectionSplitter.split("x", studyID: "58235663", mode: .mimic).override == .slice(0, 0))
    }
}
