/// One concept of the lexicon: a finding, device, state, modifier or piece of anatomy, with its synonyms.
///
/// Concepts are read from `schemas/lexicon/concepts.tsv`; see that file's header for the meaning of each column.
public struct Concept: Sendable, Equatable {
    /// What role a concept plays in a sentence.
    public enum Kind: String, Sendable, CaseIterable {
        /// A radiological finding (opacity, effusion, fracture); an `OBS` entity.
        case finding
        /// A support device (tubes, lines, pacers, wires, clips); an `OBS` entity.
        case device
        /// An observation whose meaning comes from its anatomy (`enlarged`, `stable`); see `compositions.tsv`.
        case state
        /// A statement of normality (`normal`, `clear`, `unremarkable`); never negated.
        case normal
        /// Size, severity, extent or change over time of another observation; an `OBS` entity with `modify`.
        case modifier
        /// A place in the body; an `ANAT-DP` entity.
        case anatomy
        /// Side or position (`left`, `lower`); an `ANAT-DP` entity that modifies the anatomy after it.
        case laterality
    }

    /// The concept id, e.g. `pleural_effusion`.
    public let id: String
    /// The role of the concept.
    public let kind: Kind
    /// The CheXpert-14 classes a present or uncertain mention supports with its own certainty.
    public let chexpertClasses: [String]
    /// The CheXpert-14 classes a present or uncertain mention makes uncertain (CheXpert: `chf` → Cardiomegaly −1).
    public let chexpertUncertainClasses: [String]
    /// Related CheXpert-14 classes (`Edema~` in the lexicon): an absent mention makes them absent, a present or
    /// uncertain one says nothing of them (`no vascular congestion` → Edema 0; `vascular congestion` is not edema).
    public var chexpertHedgedClasses: [String] = []
    /// Whether a present or uncertain mention rules out CheXpert's `No Finding`.
    public let blocksNoFinding: Bool
    /// The synonyms, lower-case, as written in the lexicon.
    public let terms: [String]

    /// Whether entities of this concept are observations (`OBS-*`) rather than anatomy (`ANAT-DP`).
    public var isObservation: Bool { kind != .anatomy && kind != .laterality }
}
