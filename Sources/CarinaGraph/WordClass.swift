/// The grammatical role of a token that is neither a lexicon term nor a cue, as the relation rules need it.
enum WordClass: UInt8, Sendable {
    /// `the`, `a`, `this`: skipped inside noun phrases.
    case determiner
    /// `is`, `are`, `remains`, `appears`, `seen`: links a subject to its predicate.
    case copula
    /// `in`, `at`, `of`, `within`: introduces a location.
    case preposition
    /// `and`, `or`, `,`, `/`: joins the items of a list.
    case conjunction
    /// `very`, `more`, `-`: skipped everywhere.
    case adverb
    /// `to` between two modifiers (`mild to moderate`).
    case to
    /// Anything else.
    case other

    static let table: [String: WordClass] = {
        var t: [String: WordClass] = [:]
        for w in ["the", "a", "an", "this", "these", "those", "its", "their", "his", "her", "some", "any", "that"] {
            t[w] = .determiner
        }
        for w in ["is", "are", "was", "were", "be", "been", "being", "remains", "remain", "remained", "appears",
                  "appear", "appeared", "seems", "seem", "has", "have", "had", "now", "still", "seen", "noted",
                  "identified", "present", "demonstrated", "visualized", "shown", "evident", "again",
                  "size", "sized", "appearance", "configuration", "caliber", "overall", "both"] {
            t[w] = .copula
        }
        for w in ["in", "at", "of", "within", "involving", "over", "overlying", "along", "throughout", "near",
                  "adjacent", "into", "on", "projecting", "projects", "projected", "above", "below", "beneath",
                  "behind", "under", "across", "around", "via", "through", "abutting", "along", "terminating",
                  "terminates", "ending", "ends", "extending", "extends", "overlies", "by"] {
            t[w] = .preposition
        }
        for w in ["and", "or", ",", "/", "&", "as", "well"] { t[w] = .conjunction }
        for w in ["very", "more", "less", "most", "fairly", "relatively", "quite", "grossly", "-", "(", ")",
                  "perhaps", "just", "nearly", "almost", "predominantly", "primarily", "mainly", "mostly"] {
            t[w] = .adverb
        }
        t["to"] = .to
        return t
    }()

    /// The class of a token's normalized form.
    static func of(_ token: Token) -> WordClass { table[token.norm] ?? .other }
}
