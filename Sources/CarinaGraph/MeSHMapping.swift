import Foundation

/// The mapping from MeSH `<major>` terms of the Indiana University collection to Carina concepts
/// (`schemas/lexicon/mesh.tsv`), used to measure extraction quality against the IU annotations.
///
/// ```swift
/// MeSHMapping.standard.concept(forMajor: "Opacity/lung/base/left/mild")  // .concept("opacity")
/// ```
public struct MeSHMapping: Sendable {
    /// What a MeSH term maps to.
    public enum Match: Sendable, Equatable {
        /// A Carina concept id (`normal` for the IU `normal` term).
        case concept(String)
        /// A term that names nothing Carina extracts (`Technical Quality of Image Unsatisfactory`).
        case ignored
        /// A heading with no row in the mapping.
        case unmapped
    }

    struct Row: Sendable {
        let heading: String
        let qualifier: String?
        let concept: String?
    }

    let rows: [Row]

    /// The mapping compiled from `schemas/lexicon/mesh.tsv`.
    public static let standard: MeSHMapping = {
        do { return try MeSHMapping(tsv: LexiconData.mesh) } catch {
            fatalError("the compiled-in MeSH mapping is malformed: \(error)")
        }
    }()

    /// Parses `heading<TAB>qualifier|*<TAB>concept|-` rows.
    ///
    /// - Throws: `GraphError.badLexicon` naming the first malformed line.
    public init(tsv: String) throws(GraphError) {
        var version = 0
        var rows: [Row] = []
        for (n, line) in Lexicon.rows(tsv, versionInto: &version) {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cols.count == 3, !cols[0].isEmpty else {
                throw GraphError(.badLexicon, "mesh.tsv line \(n): expected 'heading<TAB>qualifier<TAB>concept'")
            }
            rows.append(Row(heading: cols[0].lowercased(), qualifier: cols[1] == "*" ? nil : cols[1].lowercased(),
                            concept: cols[2] == "-" ? nil : cols[2]))
        }
        self.rows = rows
    }

    /// The concept of a `<major>` term: the first row whose heading equals the term's first component and whose
    /// qualifier (if any) is one of the other components.
    public func concept(forMajor term: String) -> Match {
        let parts = term.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let heading = parts.first else { return .unmapped }
        for row in rows where row.heading == heading {
            if let q = row.qualifier, !parts.dropFirst().contains(q) { continue }
            return row.concept.map(Match.concept) ?? .ignored
        }
        return .unmapped
    }
}
