/// Reads the findings a graph asserts: each observation's concept and certainty, with states resolved through
/// the anatomy they are located at (`enlarged` at `heart` → cardiomegaly; `normal` at `heart` → no cardiomegaly).
///
/// Works on graphs from Carina's extractor (entities carry their concept) and on RadGraph JSON (the concept is
/// looked up from the entity's tokens).
public enum ConceptResolver {
    /// One finding a graph asserts.
    public struct Finding: Sendable, Equatable {
        /// The concept id.
        public let concept: String
        /// How sure the report is.
        public let certainty: Certainty
        /// The concept ids of the anatomy it is located at (for anatomy targets of multi-label training).
        public let anatomy: [String]
    }

    /// The findings of `graph`, in entity order (findings and devices as they are; states through their anatomy).
    public static func findings(_ graph: EntityGraph, lexicon: Lexicon = .standard) -> [Finding] {
        var out: [Finding] = []
        var conceptOf: [String: String] = [:]
        for (id, e) in graph.entities {
            if let c = e.concept ?? lexicon.conceptID(forTerm: e.tokens) { conceptOf[id] = c }
        }
        for id in graph.orderedIDs {
            let e = graph.entities[id]!
            guard let certainty = e.certainty, let cid = conceptOf[id], let concept = lexicon.concept(named: cid) else {
                continue
            }
            let anatomy = e.relations.compactMap { r -> String? in
                guard r.count == 2, r[0] == "located_at", let t = conceptOf[r[1]],
                      lexicon.concept(named: t)?.kind == .anatomy else { return nil }
                return t
            }
            switch concept.kind {
            case .finding, .device:
                out.append(Finding(concept: cid, certainty: certainty, anatomy: anatomy))
            case .state, .normal:
                let own: Certainty = concept.kind == .normal ? .present : certainty
                var composed = false
                for a in anatomy {
                    guard let comp = lexicon.compositions[cid]?[a] else { continue }
                    composed = true
                    let value: Certainty
                    switch comp.mode {
                    case .keep: value = own
                    case .absent: value = .absent
                    case .uncertain: value = own == .absent ? .absent : .uncertain
                    }
                    out.append(Finding(concept: comp.result, certainty: value, anatomy: [a]))
                }
                if !composed && concept.blocksNoFinding {
                    out.append(Finding(concept: cid, certainty: own, anatomy: anatomy))
                }
            case .modifier, .anatomy, .laterality:
                continue
            }
        }
        return out
    }
}
