/// Corpus statistics of a section split: how many studies have findings, impression, both, neither, and every
/// header seen with its count and the names it was mapped to.
public struct SectionStats: Sendable, Codable, Equatable {
    /// One header spelling.
    public struct Header: Sendable, Codable, Equatable {
        public var header: String
        public var count: Int
        /// Normalized name → how many times the header was mapped to it.
        public var mappedTo: [String: Int]
    }

    public var studies = 0
    public var withFindings = 0
    public var withImpression = 0
    public var withBoth = 0
    public var withNeither = 0
    public var withLastParagraph = 0
    public var failed = 0
    /// Section name → count (every section, headers or not).
    public var sectionNames: [String: Int] = [:]
    private var headerCounts: [String: Header] = [:]

    public init() {}

    /// Adds one split report.
    public mutating func add(_ r: SectionedReport) {
        studies += 1
        let f = r.findings != nil
        let i = r.impression != nil
        if f { withFindings += 1 }
        if i { withImpression += 1 }
        if f && i { withBoth += 1 }
        if !f && !i { withNeither += 1 }
        if r.lastParagraph != nil { withLastParagraph += 1 }
        for s in r.sections {
            sectionNames[s.name, default: 0] += 1
            guard let raw = s.rawHeader else { continue }
            let key = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            var h = headerCounts[key] ?? Header(header: key, count: 0, mappedTo: [:])
            h.count += 1
            h.mappedTo[s.name, default: 0] += 1
            headerCounts[key] = h
        }
    }

    /// Every header seen, most frequent first (ties by spelling).
    public var headers: [Header] {
        headerCounts.values.sorted { ($1.count, $0.header) < ($0.count, $1.header) }
    }

    private enum CodingKeys: String, CodingKey {
        case studies, withFindings, withImpression, withBoth, withNeither, withLastParagraph, failed, sectionNames,
            headers
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(studies, forKey: .studies)
        try c.encode(withFindings, forKey: .withFindings)
        try c.encode(withImpression, forKey: .withImpression)
        try c.encode(withBoth, forKey: .withBoth)
        try c.encode(withNeither, forKey: .withNeither)
        try c.encode(withLastParagraph, forKey: .withLastParagraph)
        try c.encode(failed, forKey: .failed)
        try c.encode(sectionNames, forKey: .sectionNames)
        try c.encode(headers, forKey: .headers)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        studies = try c.decode(Int.self, forKey: .studies)
        withFindings = try c.decode(Int.self, forKey: .withFindings)
        withImpression = try c.decode(Int.self, forKey: .withImpression)
        withBoth = try c.decode(Int.self, forKey: .withBoth)
        withNeither = try c.decode(Int.self, forKey: .withNeither)
        withLastParagraph = try c.decode(Int.self, forKey: .withLastParagraph)
        failed = try c.decode(Int.self, forKey: .failed)
        sectionNames = try c.decode([String: Int].self, forKey: .sectionNames)
        for h in try c.decode([Header].self, forKey: .headers) { headerCounts[h.header] = h }
    }

    /// A plain-text table.
    public var text: String {
        func pct(_ n: Int) -> String {
            studies == 0 ? "-" : String(Double(Int((Double(n) * 1000 / Double(studies)).rounded())) / 10) + "%"
        }
        var out = "studies            \(studies)\n"
        out += "with findings      \(withFindings) (\(pct(withFindings)))\n"
        out += "with impression    \(withImpression) (\(pct(withImpression)))\n"
        out += "with both          \(withBoth) (\(pct(withBoth)))\n"
        out += "with neither       \(withNeither) (\(pct(withNeither)))\n"
        out += "last_paragraph     \(withLastParagraph) (\(pct(withLastParagraph)))\n"
        if failed > 0 { out += "failed to read     \(failed)\n" }
        out += "\nsections\n"
        for (k, v) in sectionNames.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            out += "  \(String(v).leftPadded(8))  \(k)\n"
        }
        out += "\nheaders seen (count, header -> name)\n"
        for h in headers {
            let mapped = h.mappedTo.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) })
                .map { h.mappedTo.count > 1 ? "\($0.key) (\($0.value))" : $0.key }.joined(separator: ", ")
            out += "  \(String(h.count).leftPadded(8))  \(h.header) -> \(mapped)\n"
        }
        return out
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
