/// Carina's curated chest X-ray lexicon: concepts with their synonyms, certainty cues, state compositions and the
/// MeSH mapping, read from the versioned files of `schemas/lexicon` (compiled in as `LexiconData`).
///
/// ```swift
/// let lexicon = Lexicon.standard
/// lexicon.concept(named: "pleural_effusion")?.chexpertClasses  // ["Pleural Effusion"]
/// ```
public struct Lexicon: Sendable {
    /// What a (state, anatomy) pair stands for; see `schemas/lexicon/compositions.tsv`.
    public struct Composition: Sendable, Equatable {
        /// How the pair's certainty follows from the state's.
        public enum Mode: String, Sendable {
            /// The state's own certainty (`enlarged` heart → cardiomegaly, `not enlarged` → absent).
            case keep
            /// Absent whatever the state's certainty (`normal` heart → no cardiomegaly).
            case absent
            /// Uncertain unless the state is absent (`stable` heart size → cardiomegaly −1).
            case uncertain
        }

        /// The concept id of the finding the pair stands for.
        public let result: String
        /// How its certainty follows.
        public let mode: Mode
    }

    /// The lexicon's version, from the `# version` line of `concepts.tsv`.
    public let version: Int
    /// Every concept, in file order.
    public let concepts: [Concept]
    /// Concept index by id.
    public let index: [String: Int]
    /// Compositions keyed by state id, then anatomy id.
    public let compositions: [String: [String: Composition]]
    /// Cue phrases and their roles, in file order.
    public let cues: [(phrase: String, roles: CueRoles)]
    let matcher: PhraseMatcher
    /// The concept of every one-token term, by normalized token.
    let singleToken: [String: Int]

    /// The lexicon compiled from `schemas/lexicon`.
    public static let standard: Lexicon = {
        do {
            return try Lexicon(concepts: LexiconData.concepts, cues: LexiconData.cues,
                               compositions: LexiconData.compositions)
        } catch {
            // The embedded files are checked by the test suite; failing here is a build defect.
            fatalError("the compiled-in lexicon is malformed: \(error)")
        }
    }()

    /// The concept with id `id`.
    public func concept(named id: String) -> Concept? { index[id].map { concepts[$0] } }

    /// Parses a lexicon from the text of its three files.
    ///
    /// - Throws: `GraphError.badLexicon` naming the file and line of the first malformed row, an unknown kind or
    ///   role, a composition naming an unknown concept, or a term claimed by two concepts.
    public init(concepts conceptsText: String, cues cuesText: String, compositions compositionsText: String)
        throws(GraphError)
    {
        var concepts: [Concept] = []
        var index: [String: Int] = [:]
        var version = 0
        var owner: [String: String] = [:]
        for (lineNumber, line) in Self.rows(conceptsText, versionInto: &version) {
            let cols = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard cols.count == 6 else {
                throw GraphError(.badLexicon, "concepts.tsv line \(lineNumber): expected 6 tab-separated columns, "
                                 + "found \(cols.count); fix the row")
            }
            guard let kind = Concept.Kind(rawValue: cols[1]) else {
                throw GraphError(.badLexicon, "concepts.tsv line \(lineNumber): unknown kind '\(cols[1])'")
            }
            guard index[cols[0]] == nil else {
                throw GraphError(.badLexicon, "concepts.tsv line \(lineNumber): concept '\(cols[0])' defined twice")
            }
            let classes = cols[3] == "-" ? [] : cols[3].split(separator: ";").map(String.init)
            for c in classes where !CheXpertLabels.columns.contains(
                c.hasSuffix("?") || c.hasSuffix("~") ? String(c.dropLast()) : c)
            {
                throw GraphError(.badLexicon, "concepts.tsv line \(lineNumber): '\(c)' is not a CheXpert-14 class")
            }
            let terms = cols[5].split(separator: "|").map { String($0) }
            for term in terms {
                let key = Tokenizer.tokenize(term).map(\.norm).joined(separator: " ")
                if let other = owner[key], other != cols[0] {
                    throw GraphError(.badLexicon, "concepts.tsv line \(lineNumber): term '\(term)' of '\(cols[0])' "
                                     + "is already a term of '\(other)'; keep it in one concept")
                }
                owner[key] = cols[0]
            }
            index[cols[0]] = concepts.count
            concepts.append(Concept(
                id: cols[0], kind: kind,
                chexpertClasses: classes.filter { !$0.hasSuffix("?") && !$0.hasSuffix("~") },
                chexpertUncertainClasses: classes.filter { $0.hasSuffix("?") }.map { String($0.dropLast()) },
                chexpertHedgedClasses: classes.filter { $0.hasSuffix("~") }.map { String($0.dropLast()) },
                blocksNoFinding: cols[4] == "yes", terms: terms))
        }
        var cues: [(phrase: String, roles: CueRoles)] = []
        var cueVersion = 0
        for (lineNumber, line) in Self.rows(cuesText, versionInto: &cueVersion) {
            let cols = line.split(separator: "\t").map(String.init)
            guard cols.count == 2 else {
                throw GraphError(.badLexicon, "cues.tsv line \(lineNumber): expected 'phrase<TAB>roles'")
            }
            var roles: CueRoles = []
            for name in cols[1].split(separator: ",") {
                guard let role = CueRoles.byName[String(name)] else {
                    throw GraphError(.badLexicon, "cues.tsv line \(lineNumber): unknown role '\(name)'")
                }
                roles.insert(role)
            }
            cues.append((cols[0], roles))
        }
        var compositions: [String: [String: Composition]] = [:]
        var compositionVersion = 0
        for (lineNumber, line) in Self.rows(compositionsText, versionInto: &compositionVersion) {
            let cols = line.split(separator: "\t").map(String.init)
            guard cols.count == 4, let mode = Composition.Mode(rawValue: cols[3]) else {
                throw GraphError(.badLexicon, "compositions.tsv line \(lineNumber): expected "
                                 + "'state<TAB>anatomy<TAB>result<TAB>keep|absent|uncertain'")
            }
            for id in cols[0...2] where index[id] == nil {
                throw GraphError(.badLexicon, "compositions.tsv line \(lineNumber): unknown concept '\(id)'")
            }
            compositions[cols[0], default: [:]][cols[1]] = Composition(result: cols[2], mode: mode)
        }
        var matcher = PhraseMatcher()
        var singleToken: [String: Int] = [:]
        for (i, concept) in concepts.enumerated() {
            for term in concept.terms {
                matcher.add(term, .concept(i))
                let tokens = Tokenizer.tokenize(term)
                if tokens.count == 1 { singleToken[tokens[0].norm] = i }
            }
        }
        for cue in cues { matcher.add(cue.phrase, .cue(cue.roles)) }
        matcher.finish()
        self.version = version
        self.concepts = concepts
        self.index = index
        self.cues = cues
        self.compositions = compositions
        self.matcher = matcher
        self.singleToken = singleToken
    }

    /// The concept of a single token (exact or singular form), if it is a one-token term.
    func singleTokenConcept(_ token: Token) -> Int? {
        if let c = singleToken[token.norm] { return c }
        if !token.singular1.isEmpty, let c = singleToken[token.singular1] { return c }
        if !token.singular2.isEmpty, let c = singleToken[token.singular2] { return c }
        return nil
    }

    /// The concept whose term is exactly `text` (tokenised and normalized; a plural matches its singular).
    ///
    /// Used for entities read from RadGraph JSON, which carry tokens but no concept.
    public func conceptID(forTerm text: String) -> String? {
        let tokens = Tokenizer.tokenize(text)
        guard !tokens.isEmpty, let m = matcher.match(tokens, at: 0), m.length == tokens.count,
              case .concept(let i) = m.payload else { return nil }
        return concepts[i].id
    }

    /// The non-comment, non-empty lines of a lexicon file with their 1-based line numbers; reads `# version N`.
    static func rows(_ text: String, versionInto version: inout Int) -> [(Int, Substring)] {
        var out: [(Int, Substring)] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.hasPrefix("#") {
                let parts = line.dropFirst().split(whereSeparator: { $0 == " " || $0 == "\t" })
                if parts.count == 2, parts[0] == "version", let v = Int(parts[1]) { version = v }
                continue
            }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            out.append((n + 1, line))
        }
        return out
    }
}
