/// Which text of a report its CheXpert labels come from.
public enum LabelSource: String, Sendable, CaseIterable {
    /// The impression, else the findings, else the last clinical section: how MIMIC-CXR made its CheXpert CSV
    /// (the default).
    case impression
    /// The findings and the impression together (`GraphExtractor.graphSections`): a finding mentioned only in the
    /// findings counts too.
    case report
}

/// Builds the RadGraph-shaped entity graph of a report from its section texts, with the standard lexicon.
///
/// Per sentence: lexicon terms become entities (longest match first), negation and uncertainty cues set each
/// observation's certainty within its scope (`CertaintyScope`), and the relation rules (`RelationRules`) link
/// observations to their anatomy (`located_at`), modifiers to what they modify (`modify`) and findings to what
/// they suggest (`suggestive_of`). No network, no model; deterministic.
///
/// ```swift
/// let graph = GraphExtractor.extract(sections: [("findings", "No pneumothorax or effusion.")])
/// graph.entities["1"]?.label  // "OBS-DA"
/// ```
///
/// - Complexity: O(n) in the number of tokens, with small constant factors (one or two hash lookups per token).
public enum GraphExtractor {
    /// Section names (lower-case) that never feed the graph when findings and impression are both missing.
    static let nonClinicalSections: Set<String> = [
        "indication", "indications", "history", "clinical history", "comparison", "comparisons", "technique",
        "examination", "exam", "reason for exam", "reason for examination", "procedure", "clinical information",
        "notification", "recommendation", "recommendations", "preamble", "type of examination", "clinical indication",
    ]

    /// The sections the graph is built from: those named like `findings` or `impression`; if there are none,
    /// every section except the non-clinical ones (indication, history, comparison, technique, …).
    public static func graphSections(_ sections: [(name: String, text: String)]) -> [(name: String, text: String)] {
        graphSectionIndices(sections).map { sections[$0] }
    }

    /// The positions in `sections` of the sections the graph is built from (see `graphSections`).
    public static func graphSectionIndices(_ sections: [(name: String, text: String)]) -> [Int] {
        let main = sections.indices.filter { contains(sections[$0].name, "finding") || contains(sections[$0].name, "impression") }
        if !main.isEmpty { return main }
        return sections.indices.filter { !nonClinicalSections.contains(sections[$0].name.lowercased()) }
    }

    /// Whether `name` contains the lower-case ASCII `word`, ignoring ASCII case (no Foundation, no allocation).
    static func contains(_ name: String, _ word: StaticString) -> Bool {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        let utf8 = name.utf8
        return utf8.withContiguousStorageIfAvailable { n -> Bool in
            guard n.count >= w.count else { return false }
            outer: for i in 0...(n.count - w.count) {
                for j in 0..<w.count where (n[i + j] | 0x20) != w[j] { continue outer }
                return true
            }
            return false
        } ?? name.lowercased().contains(String(decoding: w, as: UTF8.self))
    }

    /// Whether a text has a non-whitespace character.
    static func hasText(_ text: String) -> Bool {
        text.utf8.contains { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0x0B && $0 != 0x0C }
    }

    /// The section the CheXpert labels come from, by the MIMIC-CXR convention: the impression if it has text,
    /// else the findings, else the last clinical section.
    public static func labelSections(_ sections: [(name: String, text: String)]) -> [(name: String, text: String)] {
        if let s = sections.last(where: { contains($0.name, "impression") && hasText($0.text) }) { return [s] }
        if let s = sections.last(where: { contains($0.name, "finding") && hasText($0.text) }) { return [s] }
        if let s = sections.last(where: { !nonClinicalSections.contains($0.name.lowercased()) && hasText($0.text) }) {
            return [s]
        }
        return []
    }

    /// The graph of the findings and impression of a report (see `graphSections`).
    ///
    /// Each entity's `section` is its section's position in `sections`, with its offsets in that section's text.
    public static func extract(sections: [(name: String, text: String)]) -> EntityGraph {
        let indices = graphSectionIndices(sections)
        return ReportAnalysis(texts: indices.map { sections[$0].text }, lexicon: .standard, sectionIDs: indices)?.graph()
            ?? EntityGraph()
    }

    /// The sections the CheXpert labels of `source` come from: the MIMIC-CXR convention (`labelSections`) or the
    /// findings and impression (`graphSections`).
    public static func labelSections(_ sections: [(name: String, text: String)], source: LabelSource)
        -> [(name: String, text: String)]
    {
        switch source {
        case .impression: labelSections(sections)
        case .report: graphSections(sections)
        }
    }

    /// The CheXpert labels of a report: the one label path that `carina labels`, `carina graph` and ingest share.
    ///
    /// Equal to `extractWithLabels(sections:source:).labels` for every report.
    public static func labels(sections: [(name: String, text: String)], source: LabelSource = .impression)
        -> CheXpertLabels
    {
        let texts = labelSections(sections, source: source).map(\.text)
        let findings = ReportAnalysis(texts: texts, lexicon: .standard)?.findings(in: 0..<Int.max) ?? []
        return CheXpertLabels(findings: findings, lexicon: .standard)
    }

    /// The graph of the findings and impression (`graphSections`) and the CheXpert labels (`labelSections`) of a
    /// report, analysing each section once.
    public static func extractWithLabels(sections: [(name: String, text: String)])
        -> (graph: EntityGraph, labels: CheXpertLabels)
    {
        extractWithLabels(sections: sections, source: .impression)
    }

    /// The graph of the findings and impression (`graphSections`) and the CheXpert labels of `source`, analysing
    /// each section once; the labels equal `labels(sections:source:)`.
    public static func extractWithLabels(sections: [(name: String, text: String)], source: LabelSource)
        -> (graph: EntityGraph, labels: CheXpertLabels)
    {
        let indices = graphSectionIndices(sections)
        let graphSections = indices.map { sections[$0] }
        let lexicon = Lexicon.standard
        guard let analysis = ReportAnalysis(texts: graphSections.map(\.text), lexicon: lexicon, sectionIDs: indices) else {
            return (EntityGraph(), labels(sections: sections, source: source))
        }
        switch source {
        case .report:
            return (analysis.graph(), CheXpertLabels(findings: analysis.findings(in: 0..<Int.max), lexicon: lexicon))
        case .impression:
            // Sentences never cross sections, so the label section's mentions inside the full analysis are exactly
            // those of the label section analysed alone.
            guard let labelSection = labelSections(sections).first,
                  let position = graphSections.lastIndex(where: {
                      $0.name == labelSection.name && $0.text == labelSection.text
                  })
            else {
                return (analysis.graph(), labels(sections: sections, source: source))
            }
            let range = analysis.sectionRanges[position]
            return (analysis.graph(), CheXpertLabels(findings: analysis.findings(in: range), lexicon: lexicon))
        }
    }

    /// The graph of one plain text, treated as a single section.
    public static func extract(text: String) -> EntityGraph {
        extract(texts: [text], lexicon: .standard)
    }

    /// The graph of a list of section texts, in order; each section starts a new sentence.
    public static func extract(texts: [String], lexicon: Lexicon) -> EntityGraph {
        ReportAnalysis(texts: texts, lexicon: lexicon)?.graph() ?? EntityGraph()
    }
}

/// The matches, cues and sentences of one report, and the rules applied to them.
struct ReportAnalysis {
    let tokens: [Token]
    let lexicon: Lexicon
    var mentions: [Mention] = []
    /// Position and kind of each mention (same order as `mentions`).
    var spans: [Span] = []
    /// The mention covering each token, or -1.
    var mentionAt: [Int32]
    /// The cue starting at each token (empty roles if none) and its length.
    var cueAt: [CueRoles]
    var cueLength: [UInt8]
    /// The word class of each token (looked up once).
    let wordClass: [WordClass]
    /// Sentence ranges, as token index ranges.
    var sentences: [Range<Int>] = []
    /// The token range of each section.
    var sectionRanges: [Range<Int>] = []

    /// The texts analysed, and the section id each one stands for (its position in the caller's section list).
    var texts: [String] = []
    var sectionIDs: [Int] = []

    /// The analysis of section texts in order; nil when they hold no token. `sectionIDs` names each text's section
    /// in the entities' placements (default: the texts' positions).
    init?(texts: [String], lexicon: Lexicon, sectionIDs: [Int]? = nil) {
        var tokens: [Token] = []
        var starts: [Int] = []
        for text in texts {
            starts.append(tokens.count)
            tokens.append(contentsOf: Tokenizer.tokenize(text))
        }
        if tokens.isEmpty { return nil }
        self.init(tokens: tokens, sectionStarts: starts, lexicon: lexicon)
        sectionRanges = starts.indices.map { k in starts[k]..<(k + 1 < starts.count ? starts[k + 1] : tokens.count) }
        self.texts = texts
        self.sectionIDs = sectionIDs ?? Array(texts.indices)
    }

    /// The resolved findings of the mentions that start in `range`.
    func findings(in range: Range<Int>) -> [ConceptResolver.Finding] {
        var observations: [ConceptResolver.Observation] = []
        var position: [Int: Int] = [:]
        for (index, m) in mentions.enumerated() where range.contains(m.start) {
            let concept = lexicon.concepts[m.concept]
            guard concept.isObservation else { continue }
            position[index] = observations.count
            var anatomy: [String] = []
            for r in m.relations where r.type == .locatedAt {
                // The located anatomy and the anatomy that modifies it (`bibasilar` → `airspace`).
                var k = r.target
                while true {
                    if mentions[k].kind == .anatomy {
                        let id = lexicon.concepts[mentions[k].concept].id
                        if !anatomy.contains(id) { anatomy.append(id) }
                    }
                    guard k > 0, mentions[k - 1].kind == .anatomy,
                          mentions[k - 1].relations.contains(where: { $0.type == .modify && $0.target == k })
                    else { break }
                    k -= 1
                }
            }
            observations.append(.init(concept: concept, certainty: m.certainty, anatomy: anatomy))
        }
        for (index, k) in position {
            observations[k].suggests = mentions[index].relations.compactMap {
                $0.type == .suggestiveOf ? position[$0.target] : nil
            }
        }
        return ConceptResolver.resolve(observations, lexicon: lexicon)
    }

    init(tokens: [Token], sectionStarts: [Int], lexicon: Lexicon) {
        self.tokens = tokens
        self.lexicon = lexicon
        let n = tokens.count
        mentionAt = Array(repeating: -1, count: n)
        cueAt = Array(repeating: [], count: n)
        cueLength = Array(repeating: 0, count: n)
        wordClass = tokens.map(WordClass.of)
        match()
        splitSentences(sectionStarts: sectionStarts)
        for sentence in sentences {
            CertaintyScope.apply(to: &self, sentence: sentence)
            RelationRules.apply(to: &self, sentence: sentence)
        }
    }

    /// Longest-match pass over the tokens.
    mutating func match() {
        var i = 0
        let n = tokens.count
        while i < n {
            guard let m = lexicon.matcher.match(tokens, at: i) else {
                i += 1
                continue
            }
            switch m.payload {
            case .concept(let c):
                var start = i
                for (k, concept) in splitPrefix(i, length: m.length, concept: c) {
                    addMention(start: k, end: k, concept: concept)
                    start = k + 1
                }
                addMention(start: start, end: i + m.length - 1, concept: c)
            case .cue(let roles):
                cueAt[i] = roles
                cueLength[i] = UInt8(min(m.length, 255))
            }
            i += m.length
        }
    }

    mutating func addMention(start: Int, end: Int, concept: Int) {
        let index = Int32(mentions.count)
        let kind = lexicon.concepts[concept].kind
        mentions.append(Mention(start: start, end: end, concept: concept, kind: kind))
        spans.append(Span(start: start, end: end, kind: kind))
        for k in start...end { mentionAt[k] = index }
    }

    /// RadGraph annotates words, not phrases: the leading words of a matched term that are anatomy, side or
    /// modifier words on their own become entities of their own (`pleural effusion` → `pleural` + `effusion`,
    /// `left lower lobe` → `lower` + `lobe`), and the rest keeps the term's concept. Returns the split words.
    func splitPrefix(_ i: Int, length: Int, concept: Int) -> [(Int, Int)] {
        guard length > 1 else { return [] }
        let kind = lexicon.concepts[concept].kind
        var out: [(Int, Int)] = []
        for k in i..<(i + length - 1) {
            guard let c = lexicon.singleTokenConcept(tokens[k]) else { break }
            let prefixKind = lexicon.concepts[c].kind
            let allowed: Bool
            switch kind {
            case .finding, .device: allowed = prefixKind == .anatomy || prefixKind == .laterality || prefixKind == .modifier
            case .anatomy: allowed = prefixKind == .anatomy || prefixKind == .laterality
            default: allowed = false
            }
            guard allowed else { break }
            out.append((k, c))
        }
        return out
    }

    /// Sentences end at `.`, `!`, `?`, `;`, a blank line, and a section start.
    mutating func splitSentences(sectionStarts: [Int]) {
        var start = 0
        var nextSection = 0
        for i in tokens.indices {
            while nextSection < sectionStarts.count && sectionStarts[nextSection] < i { nextSection += 1 }
            let isSectionStart = nextSection < sectionStarts.count && sectionStarts[nextSection] == i
            if i > start && (tokens[i].afterBlankLine || isSectionStart) {
                sentences.append(start..<i)
                start = i
            }
            if tokens[i].endsSentence {
                sentences.append(start..<(i + 1))
                start = i + 1
            }
        }
        if start < tokens.count { sentences.append(start..<tokens.count) }
    }

    /// The mention covering token `i`, if any.
    @inline(__always) func mention(at i: Int) -> Int? {
        let m = mentionAt[i]
        return m >= 0 ? Int(m) : nil
    }

    /// The RadGraph-shaped graph: entities numbered from 1 in token order.
    func graph() -> EntityGraph {
        var text = ""
        text.reserveCapacity(tokens.count * 8)
        for (i, t) in tokens.enumerated() {
            if i > 0 { text += " " }
            text += t.text
        }
        var entities: [String: Entity] = [:]
        entities.reserveCapacity(mentions.count)
        var offsets = SectionOffsets(texts: texts)
        var section = 0
        for (k, m) in mentions.enumerated() {
            while section + 1 < sectionRanges.count && sectionRanges[section + 1].lowerBound <= m.start { section += 1 }
            let placed = section < texts.count
            let charStart = placed ? offsets.scalarOffset(section: section, utf8: Int(tokens[m.start].utf8Start)) : nil
            let charEnd = placed ? offsets.scalarOffset(section: section, utf8: Int(tokens[m.end].utf8End)) : nil
            let concept = lexicon.concepts[m.concept]
            var words = tokens[m.start].text
            if m.end > m.start {
                for j in (m.start + 1)...m.end { words += " " + tokens[j].text }
            }
            let label = concept.isObservation ? m.certainty.observationLabel : "ANAT-DP"
            entities[String(k + 1)] = Entity(
                tokens: words, label: label, startIndex: m.start, endIndex: m.end,
                relations: m.relations.map { [$0.type.rawValue, String($0.target + 1)] }, concept: concept.id,
                section: placed ? sectionIDs[section] : nil, charStart: charStart, charEnd: charEnd)
        }
        return EntityGraph(text: text, entities: entities)
    }
}

/// Converts UTF-8 offsets in section texts to Unicode-scalar offsets (Python's string indices), building a table only
/// for a section that is not pure ASCII (where the two are equal).
struct SectionOffsets {
    let texts: [String]
    private var tables: [Int: [Int32]] = [:]
    private var ascii: [Bool?]

    init(texts: [String]) {
        self.texts = texts
        ascii = Array(repeating: nil, count: texts.count)
    }

    mutating func scalarOffset(section: Int, utf8 offset: Int) -> Int {
        if ascii[section] == nil { ascii[section] = texts[section].utf8.allSatisfy { $0 < 0x80 } }
        if ascii[section] == true { return offset }
        if tables[section] == nil {
            // table[i] = scalars before UTF-8 offset i (continuation bytes do not start a scalar).
            var table: [Int32] = [0]
            var count: Int32 = 0
            for byte in texts[section].utf8 {
                if byte & 0xC0 != 0x80 { count += 1 }
                table.append(count)
            }
            tables[section] = table
        }
        let table = tables[section]!
        return Int(table[min(offset, table.count - 1)])
    }
}
