/// One section of a report: its normalized name, the header as written, its text and where it lies in the raw report.
public struct ReportSection: Sendable, Codable, Equatable {
    /// The normalized name: `impression`, `findings`, `comparison`, `history`, `indication`, `technique`,
    /// `examination`, `addendum`, `preamble`, `last_paragraph`, ... In mimic mode the MIT-LCP names exactly
    /// (`wet read`, `full report`); in clean mode `wet_read`, `full_report`.
    public var name: String
    /// The header as it appears in the report, without its colon (`nil` for preamble, full report, last paragraph).
    public var rawHeader: String?
    /// The section text. Mimic mode: exactly the MIT-LCP section string (unstripped). Clean mode: wrapped lines
    /// joined, de-identification marks and numbering normalized.
    public var text: String
    /// UTF-8 byte offsets of the section text in the raw report (`nil` when the text does not come from raw text,
    /// e.g. an XML field).
    public var range: Range<Int>?
    /// The rule that produced this section and its name, e.g. `header+exact-table`, `header+substring:impression`.
    public var rule: String
    /// The sentences of the section (clean mode; empty in mimic mode).
    public var sentences: [Sentence]

    public init(name: String, rawHeader: String?, text: String, range: Range<Int>?, rule: String,
                sentences: [Sentence] = []) {
        self.name = name
        self.rawHeader = rawHeader
        self.text = text
        self.range = range
        self.rule = rule
        self.sentences = sentences
    }
}
