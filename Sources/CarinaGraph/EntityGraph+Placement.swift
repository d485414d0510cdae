extension EntityGraph {
    /// The graph with every entity placed in `sections`: its section's position and its Unicode-scalar offsets in
    /// that section's text, as Carina's extractor records them.
    ///
    /// For graphs read from RadGraph JSON, whose entities index the space-separated tokens of `text`. The tokens are
    /// found in order in the section texts, ignoring case: each search starts where the previous token ended, and a
    /// token that is not in the sections (RadGraph's text may hold the whole report) is left out and moves nothing,
    /// so a graph of the whole report still aligns with its findings and impression. An entity whose
    /// first and last token were found in the same section gets that placement; the others keep nil. Entities that
    /// already have a placement are kept as they are.
    ///
    /// - Complexity: O(n) in the length of the section texts for a graph that follows them, O(n·t) at worst.
    public func placed(in sections: [(name: String, text: String)]) -> EntityGraph {
        let words = text.split(separator: " ", omittingEmptySubsequences: true).map { Array(String($0).unicodeScalars) }
        guard !words.isEmpty, entities.values.contains(where: { $0.section == nil }) else { return self }
        let texts = sections.map { Array($0.text.unicodeScalars) }
        // (section, start, end) of each token, nil where not found.
        var found = [(Int, Int, Int)?](repeating: nil, count: words.count)
        var section = 0, cursor = 0
        for (t, word) in words.enumerated() {
            guard let hit = Self.find(word, in: texts, fromSection: section, offset: cursor) else { continue }
            found[t] = hit
            section = hit.0
            cursor = hit.2
        }
        var out = self
        for (id, entity) in entities where entity.section == nil {
            guard entity.startIndex < found.count, entity.endIndex < found.count,
                  let first = found[entity.startIndex], let last = found[entity.endIndex], first.0 == last.0,
                  first.1 <= last.2 else { continue }
            out.entities[id]?.section = first.0
            out.entities[id]?.charStart = first.1
            out.entities[id]?.charEnd = last.2
        }
        return out
    }

    /// The first occurrence of `word` at or after (`fromSection`, `offset`), as (section, start, end).
    static func find(_ word: [Unicode.Scalar], in texts: [[Unicode.Scalar]], fromSection: Int, offset: Int)
        -> (Int, Int, Int)?
    {
        guard !word.isEmpty else { return nil }
        var s = fromSection, start = offset
        while s < texts.count {
            let text = texts[s]
            if text.count >= word.count && start <= text.count - word.count {
                for i in start...(text.count - word.count) where Self.matches(word, text, at: i) {
                    return (s, i, i + word.count)
                }
            }
            s += 1
            start = 0
        }
        return nil
    }

    static func matches(_ word: [Unicode.Scalar], _ text: [Unicode.Scalar], at i: Int) -> Bool {
        for j in word.indices {
            let a = word[j], b = text[i + j]
            if a != b && a.properties.lowercaseMapping != b.properties.lowercaseMapping { return false }
        }
        return true
    }
}
