/// A lexicon match in a report while its graph is being built: a token span, its concept and its certainty.
struct Mention: Sendable {
    /// First token, inclusive.
    let start: Int
    /// Last token, inclusive.
    let end: Int
    /// Index of the concept in the lexicon.
    let concept: Int
    /// The concept's kind (cached).
    let kind: Concept.Kind
    /// Certainty from the negation and uncertainty rules (anatomy stays `.present`).
    var certainty: Certainty = .present
    /// Outgoing relations: type and target mention index.
    var relations: [(type: Relation, target: Int)] = []

    /// Whether the mention is a finding, device or state: something a location or a modifier can attach to.
    var isCoreObservation: Bool { kind == .finding || kind == .device || kind == .state || kind == .normal }

    /// Whether the negation and uncertainty rules change this mention (`normal` and anatomy are never negated).
    var takesCertainty: Bool { kind == .finding || kind == .device || kind == .state || kind == .modifier }

    mutating func relate(_ type: Relation, _ target: Int) {
        if !relations.contains(where: { $0.type == type && $0.target == target }) {
            relations.append((type, target))
        }
    }
}

/// RadGraph's relation types.
enum Relation: String, Sendable {
    case locatedAt = "located_at"
    case modify
    case suggestiveOf = "suggestive_of"
}

/// The position and kind of a mention, without its relations: a plain value the relation rules copy freely.
struct Span: Sendable {
    let start: Int
    let end: Int
    let kind: Concept.Kind

    var isCoreObservation: Bool { kind == .finding || kind == .device || kind == .state || kind == .normal }
}
