/// One sentence of a section.
///
/// `text` is the sentence as Carina reads it (wrapped lines joined by single spaces, de-identification marks
/// normalized in clean mode); `range` is the sentence's span in the raw report, in UTF-8 byte offsets.
public struct Sentence: Sendable, Codable, Equatable {
    /// The sentence text.
    public var text: String
    /// UTF-8 byte offsets of the sentence in the raw report.
    public var range: Range<Int>
    /// The rule that ended the sentence: `terminal-punctuation`, `paragraph`, `list-item`, `end-of-section`.
    public var rule: String

    public init(text: String, range: Range<Int>, rule: String = "end-of-section") {
        self.text = text
        self.range = range
        self.rule = rule
    }
}
