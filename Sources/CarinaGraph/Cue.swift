/// What a cue phrase of `schemas/lexicon/cues.tsv` does to the observations around it.
public struct CueRoles: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Observations after the cue, to the end of its scope, are absent (`no`, `without`).
    public static let negationPre = CueRoles(rawValue: 1 << 0)
    /// Observations before the cue, back to the start of its clause, are absent (`has resolved`).
    public static let negationPost = CueRoles(rawValue: 1 << 1)
    /// Observations after the cue are uncertain (`possible`, `cannot exclude`).
    public static let uncertainPre = CueRoles(rawValue: 1 << 2)
    /// Observations before the cue are uncertain (`cannot be excluded`).
    public static let uncertainPost = CueRoles(rawValue: 1 << 3)
    /// Looks like a cue and is not one (`no change`, `not only`).
    public static let pseudo = CueRoles(rawValue: 1 << 4)
    /// Ends a scope and starts a clause (`but`, `however`).
    public static let terminator = CueRoles(rawValue: 1 << 5)
    /// The observation before is `suggestive_of` the observations after (`may represent`).
    public static let suggestive = CueRoles(rawValue: 1 << 6)

    /// The roles named in the lexicon, by name.
    static let byName: [String: CueRoles] = [
        "negation-pre": .negationPre, "negation-post": .negationPost, "uncertain-pre": .uncertainPre,
        "uncertain-post": .uncertainPost, "pseudo": .pseudo, "terminator": .terminator, "suggestive": .suggestive,
    ]
}
