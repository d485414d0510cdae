extension EntityGraph {
    /// A readable view of the graph: the text, then one line per entity with its label, span, concept and
    /// relations, e.g. `  2  effusion            OBS-DA   5-5    pleural_effusion  located_at 1 (pleural)`.
    public func textView() -> String {
        var lines = [text]
        let ids = orderedIDs
        let width = min(24, ids.map { entities[$0]!.tokens.count }.max() ?? 0)
        for id in ids {
            let e = entities[id]!
            var line = "  " + pad(id, 3) + "  " + pad(e.tokens, width) + "  " + pad(e.label, 7) + "  "
            line += pad("\(e.startIndex)-\(e.endIndex)", 7) + "  " + pad(e.concept ?? "-", 26)
            let relations = e.relations.map { r -> String in
                guard r.count == 2 else { return r.joined(separator: " ") }
                return "\(r[0]) \(r[1]) (\(entities[r[1]]?.tokens ?? "?"))"
            }
            line += relations.joined(separator: "; ")
            while line.hasSuffix(" ") { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s : s + String(repeating: " ", count: n - s.count)
    }
}
