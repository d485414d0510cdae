import CarinaCore
import CarinaReports

/// Renders an IU X-ray report in the MIMIC-CXR free-text layout, deterministically from a seed.
///
/// The layout of the real MIMIC reports: a centred `FINAL REPORT` title, every line starting with one space, text
/// wrapped at 79 columns, `HEADER:` lines with the body inline or on the lines below, blank lines (` `) between
/// sections, `___` for de-identified words. Header spellings are drawn from real ones
/// (`reports/mimic-style/negbio_section_titles.txt`). Some reports get variants that exercise the section
/// parsers: no headers at all, a merged `FINDINGS AND IMPRESSION`, an empty `FINDINGS:` header directly above the
/// next header (the line upstream skips), a `WET READ` block, an addendum, an `NDICATION` typo. The 54 studies that
/// the MIT-LCP script overrides are given to the first 54 reports, with a section of the name the override needs.
///
/// The rendered text is derived at run time and never stored: the IU reports' licence (CC BY-NC-ND 4.0) forbids
/// distributing modified versions.
public struct MimicStyleRenderer: Sendable {
    /// Header spellings by the section they stand for, each mapping to the same name in both modes.
    public var findingsHeaders: [String]
    public var impressionHeaders: [String]
    public var comparisonHeaders: [String]
    public var indicationHeaders: [String]

    /// One rendered report.
    public struct Rendered: Sendable {
        public var studyID: String
        public var subjectID: String
        public var text: String
        /// The layout variant (`standard`, `no-headers`, `merged`, ...).
        public var layout: String
        /// Whether the text lets a splitter recover the IU FINDINGS / IMPRESSION exactly (the layout is standard
        /// and no body line starts like a header).
        public var findingsRecoverable: Bool
        public var impressionRecoverable: Bool
        /// The IU report it came from.
        public var source: OpenIReport
        /// Whether `XXXX` marks were rewritten as `___`.
        public var deidRewritten: Bool

        /// The relative path in a MIMIC dump: `files/pXX/pSUBJECT/sSTUDY.txt`.
        public var relativePath: String {
            "files/\(subjectID.prefix(3))/\(subjectID)/\(studyID).txt"
        }
    }

    /// Builds the header pools from the lines of `negbio_section_titles.txt`.
    public init(titles: [String]) {
        var f: [String] = [], i: [String] = [], c: [String] = [], n: [String] = []
        for line in titles {
            var t = line.trimmingSpaces()
            guard t.hasSuffix(":") else { continue }
            t.removeLast()
            guard !t.isEmpty, t.utf8.allSatisfy(MimicStyleRenderer.isHeaderByte), t.first != " " else { continue }
            let mimic = MimicSectionNames.normalize(t.lowercased()).name
            let clean = CleanSectionNames.normalize(t).name
            guard mimic == clean else { continue }
            switch mimic {
            case "findings": f.append(t)
            case "impression": i.append(t)
            case "comparison": c.append(t)
            case "indication": n.append(t)
            default: break
            }
        }
        findingsHeaders = f
        impressionHeaders = i
        comparisonHeaders = c
        indicationHeaders = n
    }

    static func isHeaderByte(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || c == 0x20 || c == 0x28 || c == 0x29 || c == 0x2F || c == 0x2C || c == 0x2D
    }

    /// A spelling: the canonical one most of the time, else one drawn from the pool.
    static func pick(_ canonical: String, _ pool: [String], _ rng: inout SplitMix64) -> String {
        if pool.isEmpty || rng.chance(70) { return canonical }
        return pool[rng.below(pool.count)]
    }

    /// Replaces runs of four or more `X` that do not touch a letter by `___` (as `CleanText` reads them).
    static func rewriteDeid(_ s: String) -> String {
        let b = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        func letter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
        while i < b.count {
            if b[i] == 0x58 && (i == 0 || !letter(b[i - 1])) {
                var j = i
                while j < b.count && b[j] == 0x58 { j += 1 }
                if j - i >= 4 && (j == b.count || !letter(b[j])) {
                    out += [0x5F, 0x5F, 0x5F]
                } else {
                    out += b[i..<j]
                }
                i = j
                continue
            }
            out.append(b[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Wraps `words` into lines that start with one space and are at most 79 columns, the first line continuing
    /// `prefix` (a header written inline).
    static func wrap(_ text: String, prefix: String?) -> [String] {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
        var lines: [String] = []
        var line = prefix ?? " "
        var fresh = true
        for w in words {
            let add = fresh ? String(w) : " " + w
            if !fresh && line.count + add.count > 79 {
                lines.append(line)
                line = " " + w
            } else {
                line += add
            }
            fresh = false
        }
        if !fresh || prefix != nil { lines.append(line) }
        return lines
    }

    /// Whether a rendered body line could be read as a header by some splitter (letters, spaces and `()/,&-` up
    /// to a colon).
    static func looksLikeHeader(_ line: String) -> Bool {
        let b = Array(line.utf8)
        var i = 0
        while i < b.count && b[i] == 0x20 { i += 1 }
        let start = i
        while i < b.count && (isHeaderByte(b[i]) || (b[i] >= 0x61 && b[i] <= 0x7A) || b[i] == 0x26) { i += 1 }
        return i > start && i < b.count && b[i] == 0x3A
    }

    /// Renders report number `index` of a corpus.
    public func render(_ report: OpenIReport, index: Int, seed: UInt64) -> Rendered {
        var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x1000_0000_01B3)
        let subject = String(10 + (index / 2) % 10) + String(format6(100_000 + index / 2))
        let overrides = MimicOverride.all
        let study: String
        var override: MimicOverride? = nil
        if index < overrides.count {
            study = overrides[index].0
            override = overrides[index].1
        } else {
            study = "s5" + String(format7(1_000_000 + (index &* 7_919) % 8_999_999))
        }
        let deid = rng.chance(50)
        func clean(_ s: String?) -> String? {
            guard let s, !s.isEmpty else { return nil }
            return deid ? Self.rewriteDeid(s) : s
        }
        let findings = clean(report.findings)
        let impression = clean(report.impression)
        let comparison = clean(report.comparison)
        let indication = clean(report.indication)

        var lines: [String] = []
        var bodyLines: [String] = []
        var layout = "standard"
        func section(_ header: String, _ body: String?, style: Int) {
            guard let body else { return }
            var rendered: [String]
            switch style {
            case 0:
                rendered = Self.wrap(body, prefix: " \(header):  ")
            case 1:
                rendered = [" \(header): ", " "] + Self.wrap(body, prefix: nil)
            default:
                rendered = [" \(header):"] + Self.wrap(body, prefix: nil)
            }
            lines += rendered
            bodyLines += rendered.dropFirst()
            if style == 0, let first = rendered.first {
                bodyLines.append(String(first.dropFirst(header.count + 2)))
            }
            lines.append(" ")
        }

        if rng.chance(4) {
            lines += [" WET READ: ___ ___ ___ 10:25 AM", "  Preliminary read; see the final report below.",
                      " ______________________________________________________________________________"]
            layout = "wet-read"
        }
        lines.append(String(repeating: " ", count: 33) + "FINAL REPORT")
        let variant = rng.below(100)
        if variant < 4 && override == nil {
            // No headers: paragraphs only.
            layout = "no-headers"
            for p in [indication, findings, impression].compactMap({ $0 }) {
                lines += Self.wrap(p, prefix: nil)
                lines.append(" ")
            }
        } else {
            lines += [" EXAMINATION:  CHEST (PA AND LAT)", " "]
            let ndication = rng.chance(3)
            let indHeader = ndication ? "NDICATION" : Self.pick("INDICATION", indicationHeaders, &rng)
            if ndication { layout = "ndication" }
            section(indHeader, indication, style: 0)
            if rng.chance(60) { lines += [" TECHNIQUE:  Chest PA and lateral", " "] }
            section(Self.pick("COMPARISON", comparisonHeaders, &rng), comparison, style: 0)
            var overrideName: String? = nil
            if case .section(let name)? = override { overrideName = name }
            if variant < 8 && override == nil, let f = findings, let i = impression {
                layout = "merged"
                section("FINDINGS AND IMPRESSION", f + " " + i, style: rng.below(3))
            } else {
                if let f = findings {
                    section(Self.pick("FINDINGS", findingsHeaders, &rng), f, style: rng.below(3))
                } else if rng.chance(30) && overrideName == nil {
                    // An empty findings header ending its line: upstream then misses the next header.
                    lines.append(" FINDINGS:")
                    if layout == "standard" { layout = "empty-findings-header" }
                }
                let conclusion = impression ?? findings ?? "No acute cardiopulmonary process."
                if let name = overrideName {
                    let header = ["recommendations": "RECOMMENDATION(S)", "examination": "TYPE OF EXAMINATION",
                                  "technique": "TECHNIQUE", "indication": "REASON FOR EXAM", "note": "NOTE",
                                  "history": "CLINICAL HISTORY"][name] ?? name.uppercased()
                    section(header, conclusion, style: rng.below(2))
                    layout = "override-section"
                } else {
                    section(Self.pick("IMPRESSION", impressionHeaders, &rng), impression, style: rng.below(3))
                }
            }
            if rng.chance(3) {
                section("ADDENDUM", "Findings were discussed with the referring clinician by telephone.", style: 0)
            }
        }
        let text = lines.joined(separator: "\n") + "\n"
        let ambiguous = bodyLines.contains(where: Self.looksLikeHeader)
        let standard = layout == "standard" || layout == "wet-read" || layout == "ndication"
            || layout == "empty-findings-header"
        return Rendered(studyID: study, subjectID: "p" + subject, text: text, layout: layout,
                        findingsRecoverable: standard && !ambiguous && findings != nil,
                        impressionRecoverable: standard && !ambiguous && impression != nil,
                        source: report, deidRewritten: deid)
    }

    private func format6(_ n: Int) -> String { String(String(n).suffix(6)) }
    private func format7(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 7 ? String(s.suffix(7)) : String(repeating: "0", count: 7 - s.count) + s
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
