/// One entity of a RadGraph graph: a span of tokens with a label and its outgoing relations.
///
/// Encodes in RadGraph's own shape: `{"tokens", "label", "start_ix", "end_ix", "relations": [[type, target]]}`,
/// with Carina's `concept` id as an extra key when known.
public struct Entity: Sendable, Codable, Equatable {
    /// The entity's tokens as written, joined by one space.
    public var tokens: String
    /// `ANAT-DP`, `OBS-DP`, `OBS-U` or `OBS-DA`.
    public var label: String
    /// Index of the first token in the graph's `text` (tokens separated by single spaces), inclusive.
    public var startIndex: Int
    /// Index of the last token, inclusive.
    public var endIndex: Int
    /// Outgoing relations as `[type, target id]`: `located_at`, `modify` or `suggestive_of`.
    public var relations: [[String]]
    /// The lexicon concept id, when the entity came from Carina's extractor (nil for ingested RadGraph).
    public var concept: String?
    /// Where the entity is in the report's sections: the index of its section in the section list the graph was
    /// built from (or aligned to), and its Unicode-scalar offsets `charStart..<charEnd` in that section's text, the
    /// indices Python's `text[start:end]` takes. Nil when unknown (a RadGraph entity that could not be aligned).
    public var section: Int?
    public var charStart: Int?
    public var charEnd: Int?

    public init(tokens: String, label: String, startIndex: Int, endIndex: Int, relations: [[String]] = [],
                concept: String? = nil, section: Int? = nil, charStart: Int? = nil, charEnd: Int? = nil) {
        self.tokens = tokens
        self.label = label
        self.startIndex = startIndex
        self.endIndex = endIndex
        self.relations = relations
        self.concept = concept
        self.section = section
        self.charStart = charStart
        self.charEnd = charEnd
    }

    enum CodingKeys: String, CodingKey {
        case tokens, label, relations, concept, section
        case charStart = "char_start"
        case charEnd = "char_end"
        case startIndex = "start_ix"
        case endIndex = "end_ix"
    }

    /// The certainty of an observation entity; `nil` for anatomy.
    public var certainty: Certainty? { Certainty(label: label) }

    /// Whether the entity is anatomy (`ANAT-DP`).
    public var isAnatomy: Bool { label.hasPrefix("ANAT") }
}
