import CarinaTestSupport
import Foundation
import Testing
@testable import CarinaGraph

/// Quality against the MeSH <major> annotations of the 3,955 real IU reports, read from the archive at test time
/// (never stored modified). The thresholds guard against regressions; `Scripts/graph-quality.py` prints the tables.
@Suite struct IUMeSHQualityTests {
    struct Report {
        /// The report id: the XML file name without `.xml`.
        var id: String = ""
        let findings: String
        let impression: String
        let majors: [String]
    }

    static func reports() throws -> [Report] {
        let archive = SharedData.path("reports/iu-openi/NLMCXR_reports.tgz")
        let folder = try TemporaryDirectory("carina-iu")
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-xzf", archive, "-C", folder.path]
        try tar.run()
        tar.waitUntilExit()
        guard tar.terminationStatus == 0 else { throw GraphError(.badLexicon, "tar failed on \(archive)") }
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".xml") }.sorted() ?? []
        return try files.map { name in
            let xml = try String(contentsOfFile: folder.file(name), encoding: .utf8)
            return Report(id: String(name.split(separator: "/").last!.dropLast(4)),
                          findings: field(xml, "FINDINGS"), impression: field(xml, "IMPRESSION"),
                          majors: all(xml, "<major>", "</major>"))
        }
    }

    static func field(_ xml: String, _ label: String) -> String {
        all(xml, "<AbstractText Label=\"\(label)\">", "</AbstractText>").first ?? ""
    }

    static func all(_ xml: String, _ open: String, _ close: String) -> [String] {
        var out: [String] = []
        var rest = xml[...]
        while let a = rest.range(of: open), let b = rest[a.upperBound...].range(of: close) {
            out.append(String(rest[a.upperBound..<b.lowerBound])
                .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
                .replacingOccurrences(of: "&amp;", with: "&"))
            rest = rest[b.upperBound...]
        }
        return out
    }

    static let scored = Set(MeSHMapping.standard.rows.compactMap(\.concept))

    @Test func conceptsAndClassesAgreeWithTheMeSHAnnotations() throws {
        let reports = try Self.reports()
        #expect(reports.count == 3955)
        let lexicon = Lexicon.standard
        var tp = 0, fp = 0, fn = 0
        var ctp = 0, cfp = 0, cfn = 0
        var indexed = 0
        func classes(_ concepts: Set<String>) -> Set<String> {
            var out: Set<String> = []
            for c in concepts {
                if c == "normal" { out.insert("No Finding") }
                out.formUnion(lexicon.concept(named: c)?.chexpertClasses ?? [])
            }
            return out
        }
        for r in reports where !r.majors.contains(where: { $0.lowercased() == "no indexing" }) {
            indexed += 1
            var gold: Set<String> = []
            for term in r.majors {
                if case .concept(let c) = MeSHMapping.standard.concept(forMajor: term) { gold.insert(c) }
            }
            let graph = GraphExtractor.extract(sections: [("findings", r.findings), ("impression", r.impression)])
            let findings = ConceptResolver.findings(graph)
            var predicted = Set(findings.filter { $0.certainty == .present }.map(\.concept))
            let blocked = findings.contains {
                $0.certainty != .absent && lexicon.concept(named: $0.concept)?.blocksNoFinding == true
            }
            if !blocked { predicted.insert("normal") }
            // Only concepts the MeSH mapping can name are scored.
            predicted.formIntersection(Self.scored)
            tp += gold.intersection(predicted).count
            fp += predicted.subtracting(gold).count
            fn += gold.subtracting(predicted).count
            let (gc, pc) = (classes(gold), classes(predicted))
            ctp += gc.intersection(pc).count
            cfp += pc.subtracting(gc).count
            cfn += gc.subtracting(pc).count
        }
        #expect(indexed == 3860)
        let precision = Double(tp) / Double(tp + fp), recall = Double(tp) / Double(tp + fn)
        let f1 = 2 * precision * recall / (precision + recall)
        let classF1 = 2 * Double(ctp) / Double(2 * ctp + cfp + cfn)
        // Measured with lexicon version 1: concepts P 0.885 R 0.894 F1 0.890; CheXpert classes F1 0.896.
        #expect(precision >= 0.86, "concept precision \(precision)")
        #expect(recall >= 0.86, "concept recall \(recall)")
        #expect(f1 >= 0.87, "concept F1 \(f1)")
        #expect(classF1 >= 0.88, "class F1 \(classF1)")
    }

    @Test func meshTermsMap() {
        let m = MeSHMapping.standard
        #expect(m.concept(forMajor: "Opacity/lung/base/left/mild") == .concept("opacity"))
        #expect(m.concept(forMajor: "Lung/hypoinflation/mild") == .concept("hypoinflation"))
        #expect(m.concept(forMajor: "Lung/azygos lobe") == .ignored)
        #expect(m.concept(forMajor: "Cardiac Shadow/enlarged") == .concept("cardiomegaly"))
        #expect(m.concept(forMajor: "Zebra") == .unmapped)
        for row in m.rows { if let c = row.concept { #expect(Lexicon.standard.concept(named: c) != nil, "\(c)") } }
    }
}
