import CarinaGraph
import CarinaRecord
import CarinaReports
import Foundation

/// A report's entity graph as a record stores it: entity rows placed in the report's sections and in the
/// impression and findings texts the encoder sees, and relation rows between them (`carina-record/2`).
struct RecordGraph {
    var entities: [RecordEntity] = []
    var relations: [RecordRelation] = []

    static let conceptPosition: [String: Int32] = Dictionary(
        uniqueKeysWithValues: ConceptVocabulary.trainingConcepts.enumerated().map { ($1, Int32($0)) })

    /// The rows of `graph`, whose entities are placed in `report.sections` (Carina's extractor places them; a graph
    /// read from RadGraph JSON is placed by aligning its tokens to the sections first).
    init(graph: EntityGraph, report: SectionedReport) {
        let sections = report.sections.map { (name: $0.name, text: $0.text) }
        let placed = graph.placed(in: sections)
        let columns = Self.columnOffsets(report)
        let ids = placed.orderedIDs
        let row = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, Int32($0)) })
        let lexicon = Lexicon.standard
        for id in ids {
            let e = placed.entities[id]!
            let concept = e.concept.flatMap(lexicon.concept(named:))
            let kind: RecordEntity.Kind = e.isAnatomy ? .anatomy : concept?.kind == .device ? .device : .observation
            let certainty: RecordEntity.Certainty = switch e.certainty {
            case .uncertain?: .uncertain
            case .absent?: .absent
            default: .present
            }
            var entity = RecordEntity(kind: kind, certainty: certainty,
                                      concept: e.concept.flatMap { Self.conceptPosition[$0] } ?? -1,
                                      section: -1, start: -1, end: -1, text: nil, textStart: -1, textEnd: -1)
            if let s = e.section, let start = e.charStart, let end = e.charEnd, s < sections.count {
                entity.section = Int32(s)
                entity.start = Int32(start)
                entity.end = Int32(end)
                if let (column, offset) = columns[s] {
                    entity.text = column
                    entity.textStart = Int32(offset + start)
                    entity.textEnd = Int32(offset + end)
                }
            }
            entities.append(entity)
            for r in e.relations {
                guard let tail = row[r[1]], let kind = RecordRelation.Kind(radGraphName: r[0]) else { continue }
                relations.append(RecordRelation(head: row[id]!, tail: tail, kind: kind))
            }
        }
    }

    /// For each section that is part of the record's impression or findings text: that text column and the
    /// section's Unicode-scalar offset in it. Clean mode joins same-named sections with a newline; mimic mode keeps
    /// the last one; either way each section's text is found in its column in order.
    static func columnOffsets(_ report: SectionedReport) -> [Int: (RecordEntity.TextColumn, Int)] {
        var out: [Int: (RecordEntity.TextColumn, Int)] = [:]
        for (column, name, text) in [(RecordEntity.TextColumn.impression, "impression", report.impression),
                                     (.findings, "findings", report.findings)] {
            guard let text, !text.isEmpty else { continue }
            var cursor = text.startIndex
            for (k, section) in report.sections.enumerated() where section.name == name && !section.text.isEmpty {
                guard let found = text.range(of: section.text, range: cursor..<text.endIndex) else { continue }
                out[k] = (column, text.unicodeScalars.distance(from: text.startIndex, to: found.lowerBound))
                cursor = found.upperBound
            }
        }
        return out
    }
}
