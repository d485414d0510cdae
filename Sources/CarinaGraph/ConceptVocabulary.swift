/// The 64 concepts the bundled trainer predicts from the image (`schemas/lexicon/training-concepts.txt`), and the
/// multi-hot target of a report's graph.
public enum ConceptVocabulary {
    /// The 64 concept ids, in target order.
    public static let trainingConcepts: [String] = {
        var version = 0
        let ids = Lexicon.rows(LexiconData.trainingConcepts, versionInto: &version).map { String($0.1) }
        precondition(ids.count == 64, "training-concepts.txt must list 64 concepts, lists \(ids.count)")
        return ids
    }()

    static let position: [String: Int] = Dictionary(
        uniqueKeysWithValues: trainingConcepts.enumerated().map { ($1, $0) })

    /// 64 values, 1 where the graph asserts the concept as present or uncertain.
    ///
    /// A finding or device counts when present or uncertain (states through their anatomy: `enlarged` heart
    /// counts as cardiomegaly); an anatomy concept counts when a present or uncertain finding is located at it
    /// (anatomy mentioned only in normal statements stays 0); `normal` counts when the graph has observations and
    /// none of them rules out CheXpert's No Finding.
    public static func multiHot(_ graph: EntityGraph) -> [Float] {
        var out = [Float](repeating: 0, count: trainingConcepts.count)
        let lexicon = Lexicon.standard
        var abnormal = false
        let findings = ConceptResolver.findings(graph, lexicon: lexicon)
        for f in findings where f.certainty != .absent {
            if let p = position[f.concept] { out[p] = 1 }
            let concept = lexicon.concept(named: f.concept)
            if concept?.blocksNoFinding == true {
                abnormal = true
                for a in f.anatomy { if let p = position[a] { out[p] = 1 } }
            }
        }
        let hasObservation = graph.entities.values.contains { !$0.isAnatomy }
        if hasObservation && !abnormal, let p = position["normal"] { out[p] = 1 }
        return out
    }
}
