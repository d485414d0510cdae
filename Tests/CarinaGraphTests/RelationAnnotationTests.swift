import CarinaTestSupport
import Foundation
import Testing
@testable import CarinaGraph

/// Relation precision and recall against the hand annotation of `schemas/lexicon/relations-iu-annotated.tsv` (100
/// real IU reports, 548 judged relations) and `relations-iu-missed.tsv` (the relations the extractor did not make);
/// the report text is read from the archive at test time, never stored.
@Suite struct RelationAnnotationTests {
    struct Judged: Hashable {
        let report: String
        let relation: String
        let source: Int
        let target: Int
    }

    static func annotations() throws -> [Judged: Bool] {
        let path = SharedData.repositoryRoot.appendingPathComponent("schemas/lexicon/relations-iu-annotated.tsv").path
        var out: [Judged: Bool] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let c = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard c.count >= 9, let s = Int(c[2]), let t = Int(c[5]), c[8] == "correct" || c[8] == "wrong" else {
                Issue.record("malformed annotation line: \(line)")
                continue
            }
            out[Judged(report: c[0], relation: c[1], source: s, target: t)] = c[8] == "correct"
        }
        return out
    }

    @Test func relationPrecisionOnHandAnnotatedIUReports() throws {
        let judged = try Self.annotations()
        #expect(judged.count == 548)
        let ids = Set(judged.keys.map(\.report))
        #expect(ids.count == 100)
        var correct = 0, wrong = 0, unjudged = 0, locatedCorrect = 0, located = 0
        for r in try IUMeSHQualityTests.reports() where ids.contains(r.id) {
            // The same sections, in the same order, as Scripts/graph-quality.py writes them.
            let g = GraphExtractor.extract(sections: [("findings", r.findings), ("impression", r.impression)])
            for e in g.entities.values {
                for rel in e.relations where rel[0] == "located_at" || rel[0] == "suggestive_of" {
                    guard let target = g.entities[rel[1]] else { continue }
                    let key = Judged(report: r.id, relation: rel[0], source: e.startIndex, target: target.startIndex)
                    switch judged[key] {
                    case true?: correct += 1
                    case false?: wrong += 1
                    case nil: unjudged += 1
                    }
                    if rel[0] == "located_at", let ok = judged[key] {
                        located += 1
                        if ok { locatedCorrect += 1 }
                    }
                }
            }
        }
        let precision = Double(correct) / Double(max(1, correct + wrong))
        // The annotation still covers what the extractor produces on these reports.
        #expect(Double(correct + wrong) / Double(max(1, correct + wrong + unjudged)) >= 0.9)
        #expect(precision >= 0.95, "relation precision \(precision) (\(correct) of \(correct + wrong))")
        #expect(Double(locatedCorrect) / Double(max(1, located)) >= 0.95)
    }

    /// The relations the extractor missed on the same reports (`schemas/lexicon/relations-iu-missed.tsv`).
    static func missed() throws -> Set<Judged> {
        let path = SharedData.repositoryRoot.appendingPathComponent("schemas/lexicon/relations-iu-missed.tsv").path
        var out: Set<Judged> = []
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let c = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard c.count >= 6, let s = Int(c[2]), let t = Int(c[4]) else {
                Issue.record("malformed annotation line: \(line)")
                continue
            }
            out.insert(Judged(report: c[0], relation: c[1], source: s, target: t))
        }
        return out
    }

    /// Recall against the gold of the sample: the relations judged correct and the ones annotated as missed.
    @Test func relationRecallOnHandAnnotatedIUReports() throws {
        let judged = try Self.annotations()
        let missed = try Self.missed()
        #expect(missed.count == 67)
        let gold = Set(judged.filter(\.value).keys).union(missed)
        let ids = Set(judged.keys.map(\.report))
        #expect(Set(missed.map(\.report)).isSubset(of: ids))
        var made: Set<Judged> = []
        var findingSources: Set<Judged> = []
        var findingStarts: Set<[String]> = []
        for r in try IUMeSHQualityTests.reports() where ids.contains(r.id) {
            let g = GraphExtractor.extract(sections: [("findings", r.findings), ("impression", r.impression)])
            for e in g.entities.values {
                if let c = e.concept, Lexicon.standard.concept(named: c)?.kind == .finding {
                    findingStarts.insert([r.id, String(e.startIndex)])
                }
                for rel in e.relations where rel[0] == "located_at" || rel[0] == "suggestive_of" {
                    guard let target = g.entities[rel[1]] else { continue }
                    made.insert(Judged(report: r.id, relation: rel[0], source: e.startIndex, target: target.startIndex))
                }
            }
        }
        for k in gold where k.relation == "located_at" && findingStarts.contains([k.report, String(k.source)]) {
            findingSources.insert(k)
        }
        let recall = Double(gold.intersection(made).count) / Double(gold.count)
        let located = gold.filter { $0.relation == "located_at" }
        let locatedRecall = Double(located.intersection(made).count) / Double(located.count)
        let attachment = Double(findingSources.intersection(made).count) / Double(max(1, findingSources.count))
        // Measured: 0.933 of 600 (located_at 0.932 of 574, a finding's anatomy 0.921 of 317; the extractor before
        // these rules: 0.875); the bars sit a little below.
        #expect(recall >= 0.91, "relation recall \(recall) of \(gold.count)")
        #expect(locatedRecall >= 0.91, "located_at recall \(locatedRecall) of \(located.count)")
        #expect(attachment >= 0.9, "anatomy attachment of findings \(attachment) of \(findingSources.count)")
    }

    @Test func anatomyAttachment() throws {
        let g = GraphExtractor.extract(text: "Left lower lobe opacity. Patchy opacity in the right lung base.")
        let findings = ConceptResolver.findings(g)
        let anatomy = findings.filter { $0.concept == "opacity" }.map(\.anatomy)
        #expect(anatomy.count == 2 && anatomy[0] == ["lung_base"] && anatomy[1].first == "lung_base")
        let opacity = try #require(g.entities.values.first { $0.tokens == "opacity" && $0.startIndex == 3 })
        let lobe = try #require(g.entities.first { $0.value.tokens == "lobe" }?.key)
        #expect(opacity.relations.contains(["located_at", lobe]))
    }
}
