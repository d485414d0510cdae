/// One entity of a record's graph, as the `entities` column stores it: a row of nine integers,
/// `[kind, certainty, concept, section, start, end, text, text_start, text_end]`.
///
/// - `kind`: 0 anatomy, 1 observation (a finding), 2 device.
/// - `certainty`: 0 present, 1 uncertain, 2 absent (anatomy is 0).
/// - `concept`: the position of the entity's concept in `schemas/lexicon/training-concepts.txt`, or -1.
/// - `section`, `start`, `end`: the index of the entity's section in the record's `sections` list and its Unicode
///   scalar offsets in that section's `text` (Python's `text[start:end]`); -1 when the entity could not be placed.
/// - `text`, `text_start`, `text_end`: the text column the entity lies in (0 `impression`, 1 `findings`, -1 neither)
///   and its offsets in that column's text: the sequence the text encoder sees.
public struct RecordEntity: Sendable, Equatable {
    public enum Kind: Int32, Sendable { case anatomy = 0, observation = 1, device = 2 }
    public enum Certainty: Int32, Sendable { case present = 0, uncertain = 1, absent = 2 }
    /// The text column an entity lies in.
    public enum TextColumn: Int32, Sendable { case impression = 0, findings = 1 }

    public var kind: Kind
    public var certainty: Certainty
    public var concept: Int32
    public var section: Int32
    public var start: Int32
    public var end: Int32
    public var text: TextColumn?
    public var textStart: Int32
    public var textEnd: Int32

    public init(kind: Kind, certainty: Certainty, concept: Int32, section: Int32, start: Int32, end: Int32,
                text: TextColumn?, textStart: Int32, textEnd: Int32) {
        self.kind = kind
        self.certainty = certainty
        self.concept = concept
        self.section = section
        self.start = start
        self.end = end
        self.text = text
        self.textStart = textStart
        self.textEnd = textEnd
    }

    /// The nine integers of the row, in column order.
    public var row: [Int64] {
        [Int64(kind.rawValue), Int64(certainty.rawValue), Int64(concept), Int64(section), Int64(start), Int64(end),
         Int64(text?.rawValue ?? -1), Int64(textStart), Int64(textEnd)]
    }

    /// The entity of a stored row.
    ///
    /// - Throws: ``RecordError`` (`badColumn`) when the row does not have nine integers with known codes.
    public init(row: [Int64]) throws(RecordError) {
        guard row.count == 9, let kind = Kind(rawValue: Int32(clamping: row[0])),
              let certainty = Certainty(rawValue: Int32(clamping: row[1])),
              row[6] == -1 || TextColumn(rawValue: Int32(clamping: row[6])) != nil else {
            throw RecordError(.badColumn, "an entities row must be nine integers [kind 0-2, certainty 0-2, concept, "
                + "section, start, end, text -1/0/1, text_start, text_end], got \(row)")
        }
        self.init(kind: kind, certainty: certainty, concept: Int32(clamping: row[2]), section: Int32(clamping: row[3]),
                  start: Int32(clamping: row[4]), end: Int32(clamping: row[5]),
                  text: TextColumn(rawValue: Int32(clamping: row[6])), textStart: Int32(clamping: row[7]),
                  textEnd: Int32(clamping: row[8]))
    }
}

/// One relation of a record's graph, as the `relations` column stores it: `[head, tail, type]`, where head and tail
/// are rows of the `entities` column and type is 0 `located_at`, 1 `modify`, 2 `suggestive_of`.
public struct RecordRelation: Sendable, Equatable {
    public enum Kind: Int32, Sendable, CaseIterable {
        case locatedAt = 0, modify = 1, suggestiveOf = 2

        /// RadGraph's name of the relation.
        public var radGraphName: String {
            switch self {
            case .locatedAt: "located_at"
            case .modify: "modify"
            case .suggestiveOf: "suggestive_of"
            }
        }

        public init?(radGraphName: String) {
            guard let kind = Kind.allCases.first(where: { $0.radGraphName == radGraphName }) else { return nil }
            self = kind
        }
    }

    public var head: Int32
    public var tail: Int32
    public var kind: Kind

    public init(head: Int32, tail: Int32, kind: Kind) {
        self.head = head
        self.tail = tail
        self.kind = kind
    }

    public var row: [Int64] { [Int64(head), Int64(tail), Int64(kind.rawValue)] }

    /// - Throws: ``RecordError`` (`badColumn`) when the row is not `[head, tail, type 0-2]`.
    public init(row: [Int64]) throws(RecordError) {
        guard row.count == 3, row[0] >= 0, row[1] >= 0, let kind = Kind(rawValue: Int32(clamping: row[2])) else {
            throw RecordError(.badColumn, "a relations row must be [head, tail, type 0-2], got \(row)")
        }
        self.init(head: Int32(clamping: row[0]), tail: Int32(clamping: row[1]), kind: kind)
    }
}
