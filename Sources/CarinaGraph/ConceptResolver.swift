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

    /// An observation as the resolver needs it: its concept, certainty, and the anatomy concepts it is located at.
    struct Observation {
        let concept: Concept
        let certainty: Certainty
        var anatomy: [String]
        /// Indices (in the observation list) of the observations this one is `suggestive_of`.
        var suggests: [Int] = []
    }

    /// The findings of `graph`, in entity order (findings and devices as they are; states through their anatomy).
    public static func findings(_ graph: EntityGraph, lexicon: Lexicon = .standard) -> [Finding] {
        var conceptOf: [String: String] = [:]
        for (id, e) in graph.entities {
            if let c = e.concept ?? lexicon.conceptID(forTerm: e.tokens) { conceptOf[id] = c }
        }
        var modifiersOf: [String: [String]] = [:]
        let ids = graph.orderedIDs
        for id in ids where graph.entities[id]!.isAnatomy {
            for r in graph.entities[id]!.relations where r.count == 2 && r[0] == "modify" {
                modifiersOf[r[1], default: []].append(id)
            }
        }
        var observations: [Observation] = []
        var position: [String: Int] = [:]
        var suggestions: [[String]] = []
        for id in ids {
            let e = graph.entities[id]!
            guard let certainty = e.certainty, let cid = conceptOf[id], let concept = lexicon.concept(named: cid) else {
                continue
            }
            var anatomy: [String] = []
            for r in e.relations where r.count == 2 && r[0] == "located_at" {
                // The located anatomy and the anatomy that modifies it (`bibasilar` → `airspace`).
                for target in [r[1]] + modifiersOf[r[1], default: []] {
                    if let t = conceptOf[target], lexicon.concept(named: t)?.kind == .anatomy, !anatomy.contains(t) {
                        anatomy.append(t)
                    }
                }
            }
            observations.append(Observation(concept: concept, certainty: certainty, anatomy: anatomy))
            position[id] = observations.count - 1
            suggestions.append(e.relations.filter { $0.count == 2 && $0[0] == "suggestive_of" }.map { $0[1] })
        }
        for (k, targets) in suggestions.enumerated() {
            observations[k].suggests = targets.compactMap { position[$0] }
        }
        return resolve(observations, lexicon: lexicon)
    }

    /// Findings and devices as they are; states and normality through the compositions of their anatomy.
    ///
    /// A suggested finding with no anatomy of its own takes the anatomy of the finding that suggests it
    /// (`opacity in the left base, may represent atelectasis`: atelectasis at the left base).
    static func resolve(_ observations: [Observation], lexicon: Lexicon) -> [Finding] {
        var observations = observations
        for k in observations.indices where !observations[k].anatomy.isEmpty {
            for t in observations[k].suggests where observations[t].anatomy.isEmpty {
                observations[t].anatomy = observations[k].anatomy
            }
        }
        var out: [Finding] = []
        for o in observations {
            let cid = o.concept.id
            switch o.concept.kind {
            case .finding, .device:
                out.append(Finding(concept: cid, certainty: o.certainty, anatomy: o.anatomy))
            case .state, .normal:
                let own: Certainty = o.concept.kind == .normal ? .present : o.certainty
                var composed = false
                for a in o.anatomy {
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
                if !composed && o.concept.blocksNoFinding {
                    out.append(Finding(concept: cid, certainty: own, anatomy: o.anatomy))
                }
            case .modifier, .anatomy, .laterality:
                continue
            }
        }
        return out
    }
}
