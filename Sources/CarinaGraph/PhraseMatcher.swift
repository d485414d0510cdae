/// Finds the longest lexicon phrase (concept term or cue) that starts at a token.
///
/// Phrases are indexed by their first normalized token; at a position the longest phrase whose every token
/// matches (exactly or through a singular form) wins, and on equal length a cue wins over a concept term.
///
/// - Complexity: one hash lookup per token form, then a comparison per candidate phrase.
struct PhraseMatcher: Sendable {
    /// What a phrase stands for.
    enum Payload: Sendable, Equatable {
        case concept(Int)
        case cue(CueRoles)
    }

    struct Phrase: Sendable {
        let tokens: [String]
        let payload: Payload
    }

    private var byFirst: [String: [Phrase]] = [:]

    /// Adds a phrase given as text; it is tokenised and normalized like report text.
    mutating func add(_ text: String, _ payload: Payload) {
        let tokens = Tokenizer.tokenize(text).map(\.norm)
        guard !tokens.isEmpty else { return }
        byFirst[tokens[0], default: []].append(Phrase(tokens: tokens, payload: payload))
    }

    /// Orders each bucket longest first, cues before concepts on ties; call once after the last `add`.
    mutating func finish() {
        for key in byFirst.keys {
            byFirst[key]!.sort { a, b in
                if a.tokens.count != b.tokens.count { return a.tokens.count > b.tokens.count }
                if case .cue = a.payload, case .concept = b.payload { return true }
                return false
            }
        }
    }

    /// The phrases whose text is exactly `tokens` (normalized forms).
    func phrases(exactly tokens: [String]) -> [Phrase] {
        guard let first = tokens.first else { return [] }
        return (byFirst[first] ?? []).filter { $0.tokens == tokens }
    }

    /// The longest phrase starting at `tokens[i]`: its length in tokens and its payload.
    func match(_ tokens: [Token], at i: Int) -> (length: Int, payload: Payload)? {
        let t = tokens[i]
        if t.isPunctuation && t.text != "," && t.text != "/" && t.text != "?" { return nil }
        var best: (length: Int, payload: Payload)? = nil
        for f in 0..<3 {
            let form = f == 0 ? t.norm : f == 1 ? t.singular1 : t.singular2
            guard !form.isEmpty, let bucket = byFirst[form] else { continue }
            for phrase in bucket {
                let count = phrase.tokens.count
                if let b = best, b.length >= count { break }
                if i + count > tokens.count { continue }
                var k = 1
                while k < count && tokens[i + k].matches(phrase.tokens[k]) { k += 1 }
                if k == count {
                    best = (count, phrase.payload)
                    break
                }
            }
        }
        return best
    }
}
