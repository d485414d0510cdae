import CarinaImage
import CarinaIngest
import CarinaRecord
import CarinaShards
import Foundation
import Testing
import CarinaTestSupport
@testable import CarinaSite

/// `carina show`'s site built from the committed sample dump, ingested into split folders: what each page says is
/// checked against the records read independently (the HTML as text; `Scripts/site-check.sh` checks it rendered).
@Suite struct SiteBuilderTests {
    static func ingest(into dir: String) throws {
        var options = IngestOptions(output: dir)
        options.threads = 2
        options.size = 128
        _ = try SplitFolders.run(dump: MimicDump(root: SharedData.sample("mimic-cxr-mini")), options: options)
    }

    static func html(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test func recordPagesHighlightEachEntityAtItsOffsetsAndShowImagesLabelsAndSections() throws {
        let dir = try TemporaryDirectory(), site = try TemporaryDirectory()
        try Self.ingest(into: dir.path)
        let summary = try SiteBuilder(input: dir.path, output: site.path).build()
        #expect(summary.records == 5 && summary.imagesWritten == 10 && summary.problems.isEmpty)
        var marks = 0
        for split in ["train", "validate"] {
            let dataset = try MDSDataset(directory: dir.path + "/" + split)
            for i in 0..<dataset.count {
                let record = try CarinaRecord(columns: try dataset.sample(at: i))
                let page = try Self.html(site.path + "/" + Paths.recordPage(record.dicomID))
                // Sections read with Foundation's JSON parser, not the site's.
                let sections = try #require(try JSONSerialization.jsonObject(with: Data(record.sectionsJSON.utf8))
                    as? [[String: String]])
                for section in sections {
                    #expect(page.contains(">\(section["name"]!) <span class=\"rule\">\(section["rule"]!)</span>"))
                }
                let pattern = try Regex(#"<mark class="ent k-(\w+) c-(\w+)" data-entity="(\d+)"[^>]*>([^<]*)</mark>"#)
                var seen = 0
                for match in page.matches(of: pattern) {
                    let row = Int(match.output[3].substring!)!
                    let e = record.entities[row]
                    let text = Array(sections[Int(e.section)]["text"]!.unicodeScalars)
                    let want = String(String.UnicodeScalarView(text[Int(e.start)..<Int(e.end)]))
                    #expect(Self.unescape(String(match.output[4].substring!)) == want)
                    #expect(match.output[1].substring! == ["anatomy", "observation", "device"][Int(e.kind.rawValue)])
                    #expect(match.output[2].substring! == ["present", "uncertain", "absent"][Int(e.certainty.rawValue)])
                    seen += 1
                }
                #expect(seen > 0)
                marks += seen
                #expect(page.contains("id=\"relations\">[" + record.relations.map {
                    "[\($0.head),\($0.tail),\"\($0.kind.radGraphName)\"]" }.joined(separator: ",") + "]"))
                for (c, name) in RecordSchema.labelNames.enumerated() {
                    let v = record.labels[c]
                    let state = v.isNaN ? "blank" : v == 1 ? "positive" : v == 0 ? "negative" : "uncertain"
                    #expect(page.contains("<tr class=\"l-\(state)\"><th>\(name)</th>"))
                }
                #expect(page.contains(Paths.image(record.dicomID)))
                let thumbnail = try PNGCodec.decode(Array(try Data(contentsOf: URL(fileURLWithPath: site.path + "/"
                    + Paths.thumbnail(record.dicomID)))))
                #expect(thumbnail.bitDepth == 8 && max(thumbnail.width, thumbnail.height) <= 192)
                #expect(Set(thumbnail.pixels).count > 50)
            }
        }
        #expect(marks > 80)
        let index = try Self.html(site.path + "/index.html")
        #expect(index.components(separatedBy: "class=\"cell\"").count - 1 == 5)
        #expect(index.contains("data-facet=\"split\" data-count=\"4\">train") && index.contains("data-count=\"1\">validate"))
        let ingest = try Self.html(site.path + "/ingest.html")
        #expect(ingest.contains("174413ec-4ec4c1f7-34ea26b7-c5f994f8-79ef1962") && ingest.contains("broken JPEG stream"))
        #expect(ingest.contains("<span id=\"problem-count\">1</span>"))
    }

    @Test func imagesAreWrittenOnceAndTheIndexIsPaged() throws {
        let dir = try TemporaryDirectory(), site = try TemporaryDirectory()
        try Self.ingest(into: dir.path)
        var options = SiteOptions()
        options.pageSize = 2
        _ = try SiteBuilder(input: dir.path, output: site.path, options: options).build()
        let again = try SiteBuilder(input: dir.path, output: site.path, options: options).build()
        #expect(again.imagesWritten == 0 && again.imagesKept == 10 && again.records == 5)
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: site.path + "/index-3.html") && !fm.fileExists(atPath: site.path + "/index-4.html"))
        #expect(try Self.html(site.path + "/index-3.html").components(separatedBy: "class=\"cell\"").count - 1 == 1)
        #expect(try Self.html(site.path + "/split-train-2.html").contains("page 2 of 2"))
    }

    @Test func aFolderWithoutShardsIsRefusedInOneLine() throws {
        let dir = try TemporaryDirectory(), site = try TemporaryDirectory()
        #expect {
            _ = try SiteBuilder(input: dir.path, output: site.path).build()
        } throws: { error in
            "\(error)".contains("holds no index.json") && !"\(error)".contains("\n")
        }
    }
}
