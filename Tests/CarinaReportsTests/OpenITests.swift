import CarinaOpenI
import CarinaReports
import Foundation
import Testing

/// IU X-ray (OpenI) XML through libxml2.
@Suite struct OpenITests {
    @Test func readsTheFirstSampleReport() throws {
        let r = try OpenIReader.read(path: Fixtures.iuSamples + "/1.xml")
        #expect(r.id == "CXR1")
        #expect(r.comparison == "None.")
        #expect(r.indication == "Positive TB test")
        #expect(r.findings?.hasPrefix("The cardiac silhouette and mediastinum size are within normal limits.") == true)
        #expect(r.impression == "Normal chest x-XXXX.")
        #expect(r.major == ["normal"])
        #expect(r.images == ["CXR1_1_IM-0001-3001", "CXR1_1_IM-0001-4001"])
        let clean = r.sectioned(mode: .clean)
        #expect(clean.impression == "Normal chest x-___.")
        #expect(clean.sections.map(\.name) == ["comparison", "indication", "findings", "impression"])
        #expect(clean.sections[2].sentences.count == 5)
        #expect(r.sectioned(mode: .mimic).impression == "Normal chest x-XXXX.")
    }

    @Test func theWholeCollectionHasTheDocumentedShape() throws {
        let all = try Fixtures.iuReports.get()
        #expect(all.count == 3955)
        #expect(all.filter { $0.findings == nil }.count == 530)
        #expect(all.filter { $0.impression == nil }.count == 34)
        #expect(all.filter { $0.images.isEmpty }.count == 104)
        #expect(Set(all.map(\.id)).count == 3955)
        #expect(all.contains { $0.major.contains("Opacity/lung/base/left/mild") })
    }

    @Test func everySampleFileReadsThroughTheCorpusAndLoader() throws {
        let corpus = try ReportCorpus(path: Fixtures.iuSamples)
        #expect(corpus.entries.count == 46)
        #expect(corpus.entries.allSatisfy { $0.isXML })
        for e in corpus.entries {
            let loaded = try ReportLoader.load(e, mode: .clean)
            let xml = try OpenIReader.read(path: e.path)
            #expect(loaded.raw == nil)
            #expect(loaded.report.studyID == xml.id)
            #expect(loaded.report.findings == xml.findings.map(CleanText.normalize))
            #expect(loaded.report.impression == xml.impression.map(CleanText.normalize))
        }
    }

    @Test func malformedXMLIsAClearError() throws {
        let good = Array(try Fixtures.read(Fixtures.iuSamples + "/1.xml").utf8)
        let cases: [([UInt8], ReportError.Code)] = [
            (Array(good.prefix(900)), .malformedXML),
            ([], .malformedXML),
            (Array("<?xml version=\"1.0\"?><other/>".utf8), .notAReport),
            (Array("<eCitation><AbstractText Label=\"FINDINGS\">a & b</AbstractText></eCitation>".utf8), .malformedXML),
            ([0xFF, 0xFE, 0x00, 0x3C], .malformedXML),
        ]
        for (bytes, code) in cases {
            #expect(throws: ReportError.self) { try OpenIReader.parse(bytes, path: "bad.xml") }
            do {
                _ = try OpenIReader.parse(bytes, path: "bad.xml")
            } catch {
                #expect(error.code == code)
                #expect(error.description.hasPrefix("bad.xml: "))
                if code == .malformedXML && !bytes.isEmpty { #expect(error.message.contains("line")) }
            }
        }
    }
}
