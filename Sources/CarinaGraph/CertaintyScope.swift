/// Negation and uncertainty with scope, per sentence (NegEx-style, with the cues of `schemas/lexicon/cues.tsv`).
///
/// - A pre-cue (`no`, `without`, `possible`, `cannot exclude`) marks the observations after it as absent or
///   uncertain until its scope ends: at a terminator (`but`, `however`, `with`, …), at another cue, at the end
///   of the sentence, or at a copula once the scope has covered an observation (`no effusion is seen and the heart
///   is enlarged`). Lists stay in scope: `no pneumothorax, effusion or consolidation`.
/// - A post-cue (`has resolved`, `cannot be excluded`, `not seen`) marks the present observations of its clause
///   before it.
/// - Pseudo-cues (`no change`, `not only`) are matched first and do nothing.
/// - Two present findings joined by `versus` are both uncertain (`markAlternatives`).
/// - A normal-state predicate negates the findings of its subject (`vascular engorgement appears within normal
///   limits`); see `negateSubject`.
/// - `normal`, `clear` and anatomy are never negated.
enum CertaintyScope {
    static func apply(to a: inout ReportAnalysis, sentence: Range<Int>) {
        applyCues(to: &a, sentence: sentence)
        markAlternatives(&a, sentence: sentence)
    }

    static func applyCues(to a: inout ReportAnalysis, sentence: Range<Int>) {
        var scope: Certainty? = nil
        var scopeCovered = false
        // End of the last finding the scope covered: a later mention stays in scope only across a list joiner.
        var lastCoveredEnd = -1
        // Whether the last covered mention was a modifier, so that the noun phrase goes on (`large focal airspace
        // consolidation`), rather than its head (`no acute process moderate hiatal hernia` starts a new one).
        var lastCoveredWasModifier = false
        var clauseStart = sentence.lowerBound
        var i = sentence.lowerBound
        while i < sentence.upperBound {
            let roles = a.cueAt[i]
            if !roles.isEmpty {
                let length = Int(a.cueLength[i])
                defer { i += length }
                if roles.contains(.pseudo) { continue }
                if roles.contains(.negationPost) || roles.contains(.uncertainPost) {
                    let value: Certainty = roles.contains(.negationPost) ? .absent : .uncertain
                    for k in clauseStart..<i {
                        if let m = a.mention(at: k), a.mentions[m].takesCertainty, a.spans[m].start == k,
                           a.mentions[m].certainty == .present {
                            a.mentions[m].certainty = value
                        }
                    }
                    scope = nil
                    clauseStart = i + length
                }
                if roles.contains(.terminator) {
                    scope = nil
                    clauseStart = i + length
                }
                if roles.contains(.negationPre) {
                    scope = .absent
                    scopeCovered = false
                } else if scope == .absent && roles.contains(.suggestive) {
                    // `no opacity to suggest pneumonia`: what a negated finding would suggest is absent too.
                    scopeCovered = false
                } else if roles.contains(.uncertainPre) {
                    scope = .uncertain
                    scopeCovered = false
                }
                continue
            }
            if let m = a.mention(at: i) {
                if a.spans[m].kind == .normal { negateSubject(&a, beforeNormal: a.spans[m].start, clauseStart: clauseStart) }
                let kind = a.spans[m].kind
                let compound = (kind == .finding || kind == .device || (kind == .modifier && lastCoveredWasModifier))
                    && sameNounPhrase(a, from: lastCoveredEnd + 1, to: a.spans[m].start)
                if scope != nil && scopeCovered && a.mentions[m].takesCertainty && !compound
                    && !joined(a, from: lastCoveredEnd + 1, to: a.spans[m].start)
                    && !orListFollows(a, after: a.spans[m].end, in: sentence)
                {
                    // `no acute process moderate hiatal hernia`: a new noun phrase without `,`/`or`/`and` ends it.
                    scope = nil
                    clauseStart = a.spans[m].start
                }
                if let s = scope, a.mentions[m].takesCertainty {
                    a.mentions[m].certainty = s
                    if a.spans[m].kind != .modifier { scopeCovered = true }
                    lastCoveredEnd = a.spans[m].end
                    lastCoveredWasModifier = a.spans[m].kind == .modifier
                }
                if kind == .normal && clearBeforeFinding(a, m) {
                    // `lungs are expanded and clear airspace disease` (a missing `of`): the findings are absent.
                    scope = .absent
                    scopeCovered = false
                }
                i = a.spans[m].end + 1
                continue
            }
            if scope != nil && scopeCovered && scopeEnders.contains(a.tokens[i].norm) {
                scope = nil
                clauseStart = i
            }
            i += 1
        }
    }

    /// Whether mention `m` is the word `clear` directly followed by a finding (over modifier, side and anatomy words of
    /// its noun phrase only: `clear airspace disease`).
    static func clearBeforeFinding(_ a: ReportAnalysis, _ m: Int) -> Bool {
        let span = a.spans[m]
        guard span.start == span.end, a.tokens[span.start].norm == "clear" else { return false }
        var j = span.end + 1
        while j < a.tokens.count, let n = a.mention(at: j) {
            switch a.spans[n].kind {
            case .finding: return true
            case .modifier, .anatomy, .laterality: j = a.spans[n].end + 1
            default: return false
            }
        }
        return false
    }

    /// A differential is uncertain on both sides, as in the CheXpert labeller: two present findings joined by
    /// `versus` or `vs` (`atelectasis versus scarring`) are both uncertain. A plain `or` is not (`atelectasis or
    /// scarring` stays present: the annotators of the IU collection index both), and negated lists are left as
    /// they are.
    static func markAlternatives(_ a: inout ReportAnalysis, sentence: Range<Int>) {
        var previous: Int? = nil
        var sawAlternative = false
        var k = sentence.lowerBound
        while k < sentence.upperBound {
            if let m = a.mention(at: k) {
                let kind = a.spans[m].kind
                if kind == .finding {
                    if let p = previous, sawAlternative, a.mentions[p].certainty != .absent,
                       a.mentions[m].certainty != .absent
                    {
                        a.mentions[p].certainty = .uncertain
                        a.mentions[m].certainty = .uncertain
                    }
                    previous = m
                    sawAlternative = false
                } else if kind != .anatomy && kind != .laterality && kind != .modifier {
                    previous = nil
                }
                k = a.spans[m].end + 1
                continue
            }
            let norm = a.tokens[k].norm
            if norm == "versus" || norm == "vs" {
                sawAlternative = true
            } else if a.wordClass[k] != .determiner && a.wordClass[k] != .adverb && norm != "." {
                previous = nil
                sawAlternative = false
            }
            k += 1
        }
    }

    /// A normal-state predicate negates the findings of its subject: `heart size and pulmonary vascular engorgement
    /// appear within normal limits`. Walks back from the copula before the normal phrase over the subject noun
    /// phrases joined by `and`/`or` (mentions, determiners, adverbs) and marks their present findings absent; a
    /// comma, a preposition or any other word ends the subject, so `mild cardiomegaly, lungs are clear` keeps its
    /// cardiomegaly.
    static func negateSubject(_ a: inout ReportAnalysis, beforeNormal start: Int, clauseStart: Int) {
        var k = start - 1
        while k >= clauseStart && a.wordClass[k] == .adverb && a.mention(at: k) == nil { k -= 1 }
        guard k >= clauseStart, a.mention(at: k) == nil, a.wordClass[k] == .copula,
              subjectVerbs.contains(a.tokens[k].norm) else { return }
        k -= 1
        var subject: [Int] = []
        while k >= clauseStart {
            if let m = a.mention(at: k) {
                let kind = a.spans[m].kind
                guard kind == .finding || kind == .anatomy || kind == .laterality || kind == .modifier else { break }
                if kind == .finding { subject.append(m) }
                k = a.spans[m].start - 1
                continue
            }
            if !a.cueAt[k].isEmpty { break }
            let c = a.wordClass[k]
            let norm = a.tokens[k].norm
            guard c == .determiner || c == .adverb || norm == "and" || norm == "or" || norm == "size" else { break }
            k -= 1
        }
        for m in subject where a.mentions[m].certainty == .present { a.mentions[m].certainty = .absent }
    }

    /// Copulas that link a subject to a normal-state predicate.
    static let subjectVerbs: Set<String> = [
        "is", "are", "was", "were", "appears", "appear", "appeared", "remains", "remain", "seems", "seem", "looks", "look",
    ]

    /// Whether a list with `or`/`nor` follows the mention ending at `end` before any other word: `no evidence of
    /// focal consolidation large pleural effusion or pneumothorax` stays one negated list despite the missing comma.
    static func orListFollows(_ a: ReportAnalysis, after end: Int, in sentence: Range<Int>) -> Bool {
        var k = end + 1
        while k < sentence.upperBound {
            if let m = a.mention(at: k) {
                k = a.spans[m].end + 1
                continue
            }
            if !a.cueAt[k].isEmpty { return a.tokens[k].norm == "nor" }
            let norm = a.tokens[k].norm
            if norm == "or" { return true }
            let c = a.wordClass[k]
            guard c == .determiner || c == .adverb || norm == "," else { return false }
            k += 1
        }
        return false
    }

    /// Verbs that end a pre-cue's scope once it has covered an observation (`no effusion is seen and the heart
    /// is enlarged`); participles such as `identified` do not (`no effusion or identified mass`).
    static let scopeEnders: Set<String> = [
        "is", "are", "was", "were", "be", "been", "being", "remains", "remain", "remained", "appears", "appear",
        "appeared", "seems", "seem", "has", "have", "had", "persists", "persist", "measures", "measuring",
    ]

    /// Whether tokens `from..<to` are only anatomy, side and modifier words (`no abnormal mediastinal widening`,
    /// `no tuberculosis infection`): the finding after them belongs to the same noun phrase.
    static func sameNounPhrase(_ a: ReportAnalysis, from: Int, to: Int) -> Bool {
        guard from <= to else { return false }
        for k in from..<to {
            guard let m = a.mention(at: k) else { return false }
            let kind = a.spans[m].kind
            if kind != .anatomy && kind != .laterality && kind != .modifier { return false }
        }
        return true
    }

    /// Whether a list joiner (`,`, `or`, `and`, `nor`, `/`) or a preposition lies in tokens `from..<to`.
    static func joined(_ a: ReportAnalysis, from: Int, to: Int) -> Bool {
        guard from < to else { return false }
        for k in from..<to {
            let c = a.wordClass[k]
            if c == .conjunction || c == .preposition || c == .to || a.tokens[k].norm == "nor" { return true }
        }
        return false
    }
}
