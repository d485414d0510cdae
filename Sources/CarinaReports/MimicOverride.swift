/// One of the 54 studies that `create_section_files.py` handles by hand (`custom_mimic_cxr_rules`).
///
/// Either the conclusion is the *last* section with a given name (23 studies whose impression sits under another
/// header) or it is the raw slice `text[start:end]` in code points, unstripped (31 studies; 8 of them `[0, 0]`,
/// reports with no findings at all). Overridden studies get no row in `mimic_cxr_sectioned.csv`, only in the
/// conclusion file. The ids and values are data copied from the upstream file; `schemas/sections/mimic-overrides.tsv`
/// holds the same table.
public enum MimicOverride: Sendable, Codable, Equatable {
    case section(String)
    case slice(Int, Int)

    /// The override for a study id (`s50525523`), if it is one of the 54.
    public static func forStudy(_ id: String) -> MimicOverride? { table[id] }

    static let table: [String: MimicOverride] = {
        var t: [String: MimicOverride] = [:]
        for (k, v) in sectionOverrides { t[k] = .section(v) }
        for (k, a, b) in sliceOverrides { t[k] = .slice(a, b) }
        return t
    }()

    /// Every overridden study id with its override, in the upstream order (sections first, then slices).
    public static var all: [(String, MimicOverride)] {
        sectionOverrides.map { ($0.0, .section($0.1)) } + sliceOverrides.map { ($0.0, .slice($0.1, $0.2)) }
    }

    static let sectionOverrides: [(String, String)] = [
        ("s50913680", "recommendations"),
        ("s59363654", "examination"),
        ("s59279892", "technique"),
        ("s59768032", "recommendations"),
        ("s57936451", "indication"),
        ("s50058765", "indication"),
        ("s53356173", "examination"),
        ("s53202765", "technique"),
        ("s50808053", "technique"),
        ("s51966317", "indication"),
        ("s50743547", "examination"),
        ("s56451190", "note"),
        ("s59067458", "recommendations"),
        ("s59215320", "examination"),
        ("s55124749", "indication"),
        ("s54365831", "indication"),
        ("s59087630", "recommendations"),
        ("s58157373", "recommendations"),
        ("s56482935", "recommendations"),
        ("s58375018", "recommendations"),
        ("s54654948", "indication"),
        ("s55157853", "examination"),
        ("s51491012", "history"),
    ]
    static let sliceOverrides: [(String, Int, Int)] = [
        ("s50525523", 201, 349),
        ("s57564132", 233, 554),
        ("s59982525", 313, 717),
        ("s53488209", 149, 475),
        ("s54875119", 234, 988),
        ("s50196495", 59, 399),
        ("s56579911", 59, 218),
        ("s52648681", 292, 631),
        ("s59889364", 172, 453),
        ("s53514462", 73, 377),
        ("s59505494", 59, 450),
        ("s53182247", 59, 412),
        ("s51410602", 47, 320),
        ("s56412866", 522, 822),
        ("s54986978", 59, 306),
        ("s59003148", 262, 505),
        ("s57150433", 61, 394),
        ("s56760320", 219, 457),
        ("s59562049", 158, 348),
        ("s52674888", 145, 296),
        ("s55258338", 192, 568),
        ("s59330497", 140, 655),
        ("s52119491", 179, 454),
        ("s58235663", 0, 0),
        ("s50798377", 0, 0),
        ("s54168089", 0, 0),
        ("s53071062", 0, 0),
        ("s56724958", 0, 0),
        ("s54231141", 0, 0),
        ("s53607029", 0, 0),
        ("s52035334", 0, 0),
    ]
}
