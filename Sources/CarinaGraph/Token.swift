/// One token of a report, split the way RadGraph splits text: a word, a number, or one punctuation mark.
struct Token: Sendable {
    /// The token as written.
    let text: String
    /// Lower-case, with hyphens inside the word removed (`Air-Space` → `airspace`): the form the lexicon matches.
    let norm: String
    /// Singular forms tried when `norm` does not match (`opacities` → `opacity`; `masses` → `masse`, `mass`).
    let singular1: String
    let singular2: String
    /// Whether the token is one punctuation character.
    let isPunctuation: Bool
    /// Whether a blank line (a paragraph break) precedes the token.
    let afterBlankLine: Bool
    /// UTF-8 offsets of the token in the text it was cut from: `start..<end`.
    var utf8Start: Int32 = 0
    var utf8End: Int32 = 0

    /// Whether `form` (a normalized lexicon token) names this token.
    @inline(__always) func matches(_ form: String) -> Bool {
        norm == form || (!singular1.isEmpty && singular1 == form) || (!singular2.isEmpty && singular2 == form)
    }

    /// Whether the token ends a sentence: `.`, `!`, `?` or `;`.
    var endsSentence: Bool { isPunctuation && (text == "." || text == "!" || text == "?" || text == ";") }
}
