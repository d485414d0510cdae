/// The relation rules of one sentence: `modify`, `located_at` and `suggestive_of`, from word order.
///
/// - Laterality and position words modify the anatomy after them (`left lower lobe`: left → lower lobe); an
///   anatomy word directly before another modifies it (`hilar lymph nodes`).
/// - Modifiers (size, severity, change) modify the observation after them in the noun phrase (`small left
///   effusion`) or, after a copula, the observation before (`the effusion is small`).
/// - A finding or device is located at the anatomy just before it in its noun phrase (`pleural effusion`), else at
///   the anatomy of a prepositional phrase after it (`opacity in the right lung base`), else, after a copula, at
///   the subject anatomy before it (`the lungs are hyperinflated`). A side word alone is a location (`right
///   effusion`).
/// - A state (`enlarged`, `stable`, `normal`) is located at the anatomy it describes, in either position (`enlarged
///   cardiac silhouette`, `heart size is normal`, `the cardiac and mediastinal contours are stable`), or modifies a
///   finding (`stable cardiomegaly`).
/// - Across a suggestive cue (`may represent`, `consistent with`), the finding before is `suggestive_of` each
///   finding after, up to the end of the sentence.
enum RelationRules {
    /// The farthest (in tokens) any rule looks from a mention: relations are local, and the cap keeps pathological
    /// input (`left left left …` without punctuation) linear.
    static let window = 32

    static func apply(to a: inout ReportAnalysis, sentence: Range<Int>) {
        var first = -1
        var last = -1
        for i in sentence {
            if let m = a.mention(at: i) {
                if first < 0 { first = m }
                last = m
            }
        }
        guard first >= 0 else { return }
        for m in first...last {
            switch a.spans[m].kind {
            case .laterality: lateralityRule(&a, m, sentence)
            case .anatomy: anatomyRule(&a, m, sentence)
            case .modifier: modifierRule(&a, m, sentence)
            case .finding, .device: locationRule(&a, m, sentence)
            case .state, .normal: stateRule(&a, m, sentence)
            }
        }
        suggestiveRule(&a, sentence)
    }

    // MARK: rules

    static func lateralityRule(_ a: inout ReportAnalysis, _ m: Int, _ s: Range<Int>) {
        var j = a.spans[m].end + 1
        let limit = min(s.upperBound, j + window)
        while j < limit {
            if !a.cueAt[j].isEmpty { return }
            if let n = a.mention(at: j) {
                switch a.spans[n].kind {
                case .anatomy:
                    a.mentions[m].relate(.modify, n)
                    return
                case .laterality:
                    j = a.spans[n].end + 1
                    continue
                default: return
                }
            }
            switch a.wordClass[j] {
            case .determiner, .adverb, .conjunction: j += 1
            default: return
            }
        }
    }

    static func anatomyRule(_ a: inout ReportAnalysis, _ m: Int, _ s: Range<Int>) {
        var j = a.spans[m].end + 1
        while j < s.upperBound, a.tokens[j].text == "-" { j += 1 }
        if j < s.upperBound, let n = a.mention(at: j), a.spans[n].kind == .anatomy {
            a.mentions[m].relate(.modify, n)
        }
    }

    static func modifierRule(_ a: inout ReportAnalysis, _ m: Int, _ s: Range<Int>) {
        // Forward within the noun phrase.
        var j = a.spans[m].end + 1
        let limit = min(s.upperBound, j + window)
        forward: while j < limit {
            if !a.cueAt[j].isEmpty { break }
            if let n = a.mention(at: j) {
                let mention = a.spans[n]
                if mention.isCoreObservation && mention.kind != .normal {
                    a.mentions[m].relate(.modify, n)
                    return
                }
                if mention.kind == .modifier || mention.kind == .anatomy || mention.kind == .laterality {
                    j = mention.end + 1
                    continue
                }
                break
            }
            switch a.wordClass[j] {
            case .determiner, .adverb, .to: j += 1
            case .conjunction where a.tokens[j].norm != ",": j += 1
            default: break forward
            }
        }
        // Backward, as a predicate: `the effusion is small`.
        if let n = predicateSubject(a, before: a.spans[m].start, s, wantFinding: true).finding {
            a.mentions[m].relate(.modify, n)
        }
    }

    static func locationRule(_ a: inout ReportAnalysis, _ m: Int, _ s: Range<Int>) {
        let targets = nounPhraseAnatomy(a, before: a.spans[m].start, s)
        let pp = prepositionalAnatomy(a, after: a.spans[m].end, s, direct: false)
        if !targets.isEmpty {
            // `airspace opacity in the right middle lobe`: the phrase's own anatomy and the region after it.
            for t in targets + pp { a.mentions[m].relate(.locatedAt, t) }
            return
        }
        if !pp.isEmpty {
            for t in pp { a.mentions[m].relate(.locatedAt, t) }
            return
        }
        let subject = predicateSubject(a, before: a.spans[m].start, s, wantFinding: false).anatomy
        if !subject.isEmpty {
            for t in subject { a.mentions[m].relate(.locatedAt, t) }
            return
        }
        // An adjective-like finding before its anatomy: `calcified right hilar lymph nodes`.
        for t in prepositionalAnatomy(a, after: a.spans[m].end, s, direct: true) {
            a.mentions[m].relate(.locatedAt, t)
        }
    }

    static func stateRule(_ a: inout ReportAnalysis, _ m: Int, _ s: Range<Int>) {
        let direct = prepositionalAnatomy(a, after: a.spans[m].end, s, direct: true)
        if !direct.isEmpty {
            for t in direct { a.mentions[m].relate(.locatedAt, t) }
            return
        }
        let np = nounPhraseAnatomy(a, before: a.spans[m].start, s)
        // Coordinated states before one anatomy: `well-expanded and clear lungs`, `clear, hyperaerated lungs`.
        if np.isEmpty, let next = coordinatedState(a, after: a.spans[m].end, s) {
            let shared = prepositionalAnatomy(a, after: a.spans[next].end, s, direct: true)
            if !shared.isEmpty {
                for t in shared { a.mentions[m].relate(.locatedAt, t) }
                return
            }
        }
        if let head = np.first, a.spans[head].kind == .anatomy {
            // A verbless predicate of coordinated anatomy: `heart and mediastinum normal`.
            for t in np + coordinatedAnatomy(a, before: a.spans[head].start, s) { a.mentions[m].relate(.locatedAt, t) }
            return
        }
        if !np.isEmpty {
            for t in np { a.mentions[m].relate(.locatedAt, t) }
            return
        }
        if a.spans[m].kind == .state, let n = nextFinding(a, after: a.spans[m].end, s) {
            a.mentions[m].relate(.modify, n)
            return
        }
        let subject = predicateSubject(a, before: a.spans[m].start, s, wantFinding: a.spans[m].kind == .state)
        if let n = subject.finding {
            a.mentions[m].relate(.modify, n)
            return
        }
        if !subject.anatomy.isEmpty {
            for t in subject.anatomy { a.mentions[m].relate(.locatedAt, t) }
            return
        }
        for t in prepositionalAnatomy(a, after: a.spans[m].end, s, direct: false) {
            a.mentions[m].relate(.locatedAt, t)
        }
    }

    static func suggestiveRule(_ a: inout ReportAnalysis, _ s: Range<Int>) {
        var i = s.lowerBound
        while i < s.upperBound {
            guard a.cueAt[i].contains(.suggestive) else {
                i += 1
                continue
            }
            let after = i + Int(a.cueLength[i])
            var source: Int? = nil
            var k = i - 1
            while k >= max(s.lowerBound, i - window) {
                // `edema which may represent overload`: a relative pronoun does not separate the two.
                if a.cueAt[k].contains(.terminator) && a.tokens[k].norm != "which" { break }
                if let n = a.mention(at: k), a.spans[n].kind == .finding || a.spans[n].kind == .state {
                    source = n
                    break
                }
                k -= 1
            }
            if source == nil, (s.lowerBound..<i).allSatisfy({ a.wordClass[$0] == .determiner }) {
                // `… nodular opacities. These may represent granulomas.`: the finding of the sentence before.
                source = lastFinding(a, before: s.lowerBound)
            }
            if let source {
                var j = after
                while j < min(s.upperBound, after + window) {
                    if a.cueAt[j].contains(.terminator) || a.cueAt[j].contains(.suggestive) { break }
                    if let n = a.mention(at: j) {
                        if a.spans[n].kind == .finding && n != source { a.mentions[source].relate(.suggestiveOf, n) }
                        j = a.spans[n].end + 1
                        continue
                    }
                    j += 1
                }
            }
            i = after
        }
    }

    // MARK: scans

    /// The last finding of the sentence that ends just before token `end`.
    static func lastFinding(_ a: ReportAnalysis, before end: Int) -> Int? {
        guard let previous = a.sentences.last(where: { $0.upperBound <= end }), previous.upperBound == end else {
            return nil
        }
        var k = previous.upperBound - 1
        while k >= previous.lowerBound {
            if let n = a.mention(at: k) {
                if a.spans[n].kind == .finding { return n }
                k = a.spans[n].start - 1
                continue
            }
            k -= 1
        }
        return nil
    }

    /// The anatomy heading the noun phrase that ends just before token `start` (`left lower lobe` → lower lobe),
    /// or the side word when there is no anatomy (`right` in `right effusion`).
    static func nounPhraseAnatomy(_ a: ReportAnalysis, before start: Int, _ s: Range<Int>) -> [Int] {
        var j = start - 1
        var side: Int? = nil
        while j >= max(s.lowerBound, start - window) {
            if !a.cueAt[j].isEmpty && a.mention(at: j) == nil { break }
            if let n = a.mention(at: j) {
                let mention = a.spans[n]
                switch mention.kind {
                case .anatomy: return [n]
                case .laterality: if side == nil { side = n }
                case .modifier: break
                default: return side.map { [$0] } ?? []
                }
                j = mention.start - 1
                continue
            }
            let c = a.wordClass[j]
            if c == .determiner || c == .adverb { j -= 1 } else { break }
        }
        return side.map { [$0] } ?? []
    }

    /// The anatomy after token `end`: after a preposition (`in the right lung base`), or, when `direct`, right
    /// after the word (`enlarged cardiac silhouette`). Coordinated anatomy is collected (`right and left bases`).
    static func prepositionalAnatomy(_ a: ReportAnalysis, after end: Int, _ s: Range<Int>, direct: Bool) -> [Int] {
        var j = end + 1
        var sawPreposition = direct
        var found: [Int] = []
        var side: Int? = nil
        while j < min(s.upperBound, end + 1 + window) {
            if !a.cueAt[j].isEmpty { break }
            if let n = a.mention(at: j) {
                let mention = a.spans[n]
                switch mention.kind {
                case .anatomy:
                    guard sawPreposition else { return [] }
                    // Only the head of `hilar lymph nodes` (the last of adjacent anatomy words) is a target.
                    if let last = found.last, a.spans[last].end + 1 == mention.start { found.removeLast() }
                    found.append(n)
                case .laterality:
                    if side == nil { side = n }
                case .modifier:
                    break
                default:
                    return found.isEmpty && sawPreposition && !direct ? (side.map { [$0] } ?? []) : found
                }
                j = mention.end + 1
                continue
            }
            let c = a.wordClass[j]
            switch c {
            case .preposition where !sawPreposition:
                sawPreposition = true
            case .preposition where !found.isEmpty && a.tokens[j].norm == "of":
                // `the superior segment of the left lower lobe`: keep collecting.
                break
            case .determiner, .adverb:
                break
            case .conjunction where !found.isEmpty || side != nil:
                break
            default:
                if !found.isEmpty { return found }
                return sawPreposition && !direct ? (side.map { [$0] } ?? []) : []
            }
            j += 1
        }
        if found.isEmpty && sawPreposition && !direct, let side { return [side] }
        return found
    }

    /// The normal or state word joined to the one ending at `end` by `and` or a comma (`well-expanded and clear`).
    static func coordinatedState(_ a: ReportAnalysis, after end: Int, _ s: Range<Int>) -> Int? {
        var j = end + 1
        var joined = false
        while j < min(s.upperBound, end + 4) {
            if let n = a.mention(at: j) {
                let kind = a.spans[n].kind
                return joined && (kind == .normal || kind == .state) ? n : nil
            }
            if !a.cueAt[j].isEmpty { return nil }
            switch a.wordClass[j] {
            case .conjunction: joined = true
            case .adverb: break
            default: return nil
            }
            j += 1
        }
        return nil
    }

    /// The anatomy coordinated before the anatomy phrase starting at `start` (`heart size and mediastinal contour`
    /// → size), heads only: a list of anatomy joined by `and`, `or` or commas, masked words (`XXXX`) skipped.
    static func coordinatedAnatomy(_ a: ReportAnalysis, before start: Int, _ s: Range<Int>) -> [Int] {
        var j = start - 1
        var found: [Int] = []
        var joined = false
        var previousStart = start
        while j >= max(s.lowerBound, start - window) {
            if let n = a.mention(at: j) {
                let mention = a.spans[n]
                if mention.kind == .anatomy && mention.end + 1 == previousStart && !joined {
                    // `heart` of `heart size`: part of the phrase already taken.
                } else if mention.kind == .anatomy && joined {
                    found.append(n)
                    joined = false
                } else if mention.kind != .laterality && mention.kind != .modifier {
                    break
                }
                previousStart = mention.start
                j = mention.start - 1
                continue
            }
            if !a.cueAt[j].isEmpty { break }
            if isMasked(a.tokens[j]) {
                j -= 1
                continue
            }
            switch a.wordClass[j] {
            case .conjunction: joined = true
            case .determiner, .adverb: break
            default: return found
            }
            previousStart = j
            j -= 1
        }
        return found
    }

    /// A de-identification mask (`XXXX`, `___`): a word of unknown class that a list may run through.
    static func isMasked(_ token: Token) -> Bool {
        token.norm == "xxxx" || token.norm == "___"
    }

    /// The subject of a predicate that starts at token `start`, scanning back over copulas, adverbs, cues and
    /// coordinated anatomy: `the cardiac and mediastinal contours are` → [heart, mediastinum]. When `wantFinding`,
    /// a finding met first is returned instead (`the effusion is small`). A copula must be crossed.
    static func predicateSubject(_ a: ReportAnalysis, before start: Int, _ s: Range<Int>, wantFinding: Bool)
        -> (anatomy: [Int], finding: Int?)
    {
        var j = start - 1
        var anatomy: [Int] = []
        var crossedCopula = false
        var unknown = 0
        while j >= max(s.lowerBound, start - window) {
            if let n = a.mention(at: j) {
                let mention = a.spans[n]
                switch mention.kind {
                case .anatomy:
                    if !crossedCopula && anatomy.isEmpty { return ([], nil) }
                    if let last = anatomy.last, mention.end + 1 == a.spans[last].start {
                        // `heart size` after `cardiac`: keep the head only.
                    } else {
                        anatomy.append(n)
                    }
                case .laterality, .modifier:
                    break
                case .finding, .device, .state:
                    if anatomy.isEmpty && wantFinding && crossedCopula && mention.kind != .state { return ([], n) }
                    return (crossedCopula ? anatomy : [], nil)
                case .normal:
                    return (crossedCopula ? anatomy : [], nil)
                }
                j = mention.start - 1
                continue
            }
            if !a.cueAt[j].isEmpty {
                // `the lungs are otherwise clear`, `lungs otherwise clear`: the adverb stands for the copula.
                if a.tokens[j].norm == "otherwise" && anatomy.isEmpty {
                    crossedCopula = true
                    j -= 1
                    continue
                }
                if a.cueAt[j].contains(.terminator) { break }
                j -= 1
                continue
            }
            if isMasked(a.tokens[j]) {
                // `the heart, pulmonary XXXX and mediastinum are`: a masked word inside the subject list; before
                // the subject it hides the verb (`heart size XXXX mildly enlarged`).
                if anatomy.isEmpty { crossedCopula = true }
                j -= 1
                continue
            }
            switch a.wordClass[j] {
            case .copula: crossedCopula = true
            case .determiner, .adverb: break
            case .conjunction: break
            case .preposition, .to:
                // `the heart is normal in size`, `the lungs are clear of...`: a preposition ends the subject.
                if !anatomy.isEmpty { return (crossedCopula ? anatomy : [], nil) }
            case .other:
                unknown += 1
                if unknown > 2 || !anatomy.isEmpty { return (crossedCopula ? anatomy : [], nil) }
            }
            j -= 1
        }
        return (crossedCopula ? anatomy : [], nil)
    }

    /// The finding or device a state word directly modifies (`stable cardiomegaly`, `unchanged left effusion`).
    static func nextFinding(_ a: ReportAnalysis, after end: Int, _ s: Range<Int>) -> Int? {
        var j = end + 1
        while j < min(s.upperBound, end + 1 + window) {
            if !a.cueAt[j].isEmpty { return nil }
            if let n = a.mention(at: j) {
                let mention = a.spans[n]
                switch mention.kind {
                case .finding, .device: return n
                case .modifier, .laterality, .anatomy: j = mention.end + 1
                default: return nil
                }
                continue
            }
            let c = a.wordClass[j]
            guard c == .determiner || c == .adverb else { return nil }
            j += 1
        }
        return nil
    }
}
