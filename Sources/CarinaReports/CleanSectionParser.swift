/// Carina's own section splitter (`--mode clean`).
///
/// What it fixes and adds relative to the MIT-LCP parser:
/// - a header is recognised at the start of any line, whatever its indentation, and on the line right after another
///   header (upstream skips that line when the previous header ends its line);
/// - headers in capitals (`FINDINGS:`), or in any case when the name is a known one (`Findings:`), followed by a
///   space, a tab or the end of the line;
/// - `FINAL REPORT` title lines and `____` rules end the section before them, so a `WET READ` at the top of a MIMIC
///   report stays its own `wet_read` section; `ADDENDUM` headers give `addendum` sections;
/// - names normalized by `CleanSectionNames` (`NDICATION` is an indication);
/// - every section with text; blank sections are dropped; sections with the same name are joined in the fields;
/// - section text with wrapped lines joined and de-identification marks as `___` (`CleanText`), the range of the
///   stripped text in the raw report, and its sentences (`SentenceSplitter`).
/// When a report has neither findings nor impression, the last section's paragraphs after its first become
/// `last_paragraph` (any blank line separates paragraphs), as upstream; with no header at all the report is one
/// `full_report` section and the conclusion falls back to it.
enum CleanSectionParser {
    struct Header {
        var lineStart: Int
        var name: Range<Int>
        var bodyStart: Int
    }

    struct Piece {
        var name: String
        var header: Range<Int>?
        var body: Range<Int>
        var rule: String
    }

    @inline(__always)
    static func isHeaderByte(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x20 || c == 0x28 || c == 0x29 || c == 0x2F
            || c == 0x2C || c == 0x2D || c == 0x26 || c == 0x09
    }

    /// The header at the start of the line `[ls, le)`, if there is one.
    static func header(_ b: UnsafeBufferPointer<UInt8>, _ ls: Int, _ le: Int) -> Header? {
        var i = ls
        while unsafe i < le && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
        let start = i
        guard i < le, unsafe (b[i] | 0x20) >= 0x61 && (b[i] | 0x20) <= 0x7A else { return nil }
        var lower = false
        while unsafe i < le && isHeaderByte(b[i]) {
            if unsafe b[i] >= 0x61 && b[i] <= 0x7A { lower = true }
            i += 1
        }
        guard i < le, unsafe b[i] == 0x3A, i - start <= 80 else { return nil }
        let after = i + 1
        guard unsafe after >= le || b[after] == 0x20 || b[after] == 0x09 || b[after] == 0x0A else { return nil }
        var end = i
        while unsafe end > start && (b[end - 1] == 0x20 || b[end - 1] == 0x09) { end -= 1 }
        var letters = 0
        for k in start..<end where unsafe (b[k] | 0x20) >= 0x61 && (b[k] | 0x20) <= 0x7A { letters += 1 }
        guard letters >= 2 else { return nil }
        if lower {
            // Mixed case: only a known section name counts ("Findings:", "Impression:").
            let text = unsafe String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
            let (_, rule) = CleanSectionNames.normalize(text)
            guard rule.hasSuffix("exact-table") || rule.containsBytes("substring") else { return nil }
        }
        return Header(lineStart: ls, name: start..<end, bodyStart: min(after, b.count))
    }

    static let titles: [[UInt8]] = ["FINAL REPORT", "PRELIMINARY REPORT", "ADDENDUM"].map { Array($0.utf8) }

    /// Whether the line `[ls, le)` is a title (`FINAL REPORT`) or a rule of underscores or dashes.
    static func isTitle(_ b: UnsafeBufferPointer<UInt8>, _ ls: Int, _ le: Int) -> Bool {
        var i = ls
        while unsafe i < le && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
        var e = le
        while unsafe e > i && (b[e - 1] == 0x20 || b[e - 1] == 0x09) { e -= 1 }
        guard e > i else { return false }
        if e - i >= 10 && (i..<e).allSatisfy({ unsafe b[$0] == 0x5F || b[$0] == 0x2D }) { return true }
        let n = e - i
        guard n == 8 || n == 12 || n == 18 else { return false }
        for title in titles where title.count == n {
            var k = 0
            while unsafe k < n && (b[i + k] >= 0x61 && b[i + k] <= 0x7A ? b[i + k] - 0x20 : b[i + k]) == title[k] { k += 1 }
            if k == n { return true }
        }
        return false
    }

    static func split(_ raw: UnsafeBufferPointer<UInt8>, studyID: String?) -> SectionedReport {
        if let t = unsafe NewlineTranslation.translate(raw) {
            return unsafe t.bytes.withUnsafeBufferPointer { unsafe split($0, studyID: studyID, map: t.raw) }
        }
        return unsafe split(raw, studyID: studyID, map: { $0 })
    }

    static func split(_ b: UnsafeBufferPointer<UInt8>, studyID: String?,
                      map: (Range<Int>) -> Range<Int>) -> SectionedReport {
        var pieces: [Piece] = []
        var current = Piece(name: "preamble", header: nil, body: 0..<0, rule: "clean:preamble")
        var sawHeader = false
        var ls = 0
        while ls < b.count || (ls == 0 && b.isEmpty) {
            let le = unsafe PythonText.newline(in: b, from: ls) ?? b.count
            if let h = unsafe header(b, ls, le) {
                current.body = current.body.lowerBound..<ls
                pieces.append(current)
                let text = unsafe String(decoding: UnsafeBufferPointer(rebasing: b[h.name]), as: UTF8.self)
                let (name, rule) = CleanSectionNames.normalize(text)
                current = Piece(name: name, header: h.name, body: h.bodyStart..<h.bodyStart, rule: rule)
                sawHeader = true
            } else if unsafe isTitle(b, ls, le) {
                current.body = current.body.lowerBound..<ls
                pieces.append(current)
                let next = min(le + 1, b.count)
                let addendum = unsafe String(decoding: UnsafeBufferPointer(rebasing: b[ls..<le]), as: UTF8.self)
                    .trimmingSpaces().uppercased() == "ADDENDUM"
                current = addendum
                    ? Piece(name: "addendum", header: nil, body: next..<next, rule: "clean:title:addendum")
                    : Piece(name: "preamble", header: nil, body: next..<next, rule: "clean:after-title")
            }
            if le >= b.count { break }
            ls = le + 1
        }
        current.body = current.body.lowerBound..<b.count
        pieces.append(current)
        if !sawHeader {
            pieces = pieces.filter { unsafe !PythonText.isBlank($0.body, in: b) }
            pieces = [Piece(name: "full_report", header: nil, body: 0..<b.count, rule: "clean:no-header")]
        }
        pieces = pieces.filter { unsafe !PythonText.isBlank($0.body, in: b) }
        if !pieces.contains(where: { $0.name == "impression" || $0.name == "findings" }), let last = pieces.last,
           let cut = unsafe paragraphBreak(b, last.body) {
            pieces[pieces.count - 1].body = last.body.lowerBound..<cut.lowerBound
            pieces.append(Piece(name: "last_paragraph", header: nil, body: cut.upperBound..<last.body.upperBound,
                                rule: "clean:last-paragraph"))
        }
        var sections: [ReportSection] = []
        for p in pieces {
            let body = unsafe PythonText.strip(p.body, in: b)
            let rawHeader = p.header.map { unsafe String(decoding: UnsafeBufferPointer(rebasing: b[$0]), as: UTF8.self) }
            unsafe sections.append(ReportSection(name: p.name, rawHeader: rawHeader, text: CleanText.normalize(b, body),
                                          range: map(body), rule: p.rule,
                                          sentences: SentenceSplitter.sentences(b, body, map: map)))
        }
        func field(_ n: String) -> String? {
            let texts = sections.filter { $0.name == n }.map(\.text)
            return texts.isEmpty ? nil : texts.joined(separator: "\n")
        }
        var r = SectionedReport(studyID: studyID, sections: sections, impression: field("impression"),
                                findings: field("findings"), lastParagraph: field("last_paragraph"),
                                comparison: field("comparison"))
        r.conclusion = r.impression ?? r.findings ?? r.lastParagraph ?? field("full_report") ?? r.comparison ?? ""
        return r
    }

    /// The first blank line inside `range` that has text after it, as the range of the break.
    static func paragraphBreak(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int>? {
        let s = unsafe PythonText.strip(range, in: b)
        var i = s.lowerBound
        while i < s.upperBound {
            if unsafe b[i] == 0x0A {
                var j = i + 1
                while unsafe j < s.upperBound && (b[j] == 0x20 || b[j] == 0x09) { j += 1 }
                if unsafe j < s.upperBound && b[j] == 0x0A { return i..<(j + 1) }
            }
            i += 1
        }
        return nil
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
