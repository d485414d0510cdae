/// The entity graph of one report in RadGraph's shape: the tokenised text and its entities keyed by id.
///
/// Ids are `"1"`, `"2"`, … in token order for graphs Carina extracts; graphs read from RadGraph JSON keep theirs.
public struct EntityGraph: Sendable, Codable, Equatable {
    /// The report's tokens separated by single spaces; `start_ix`/`end_ix` index into this token list.
    public var text: String
    /// Entities keyed by id.
    public var entities: [String: Entity]

    public init(text: String = "", entities: [String: Entity] = [:]) {
        self.text = text
        self.entities = entities
    }

    /// The entity ids in a stable order: numeric ids by value, then any others in string order.
    public var orderedIDs: [String] {
        entities.keys.sorted { a, b in
            switch (Int(a), Int(b)) {
            case let (x?, y?): return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            case (nil, nil): return a < b
            }
        }
    }
}
