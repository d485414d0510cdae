import Foundation

/// `section_text` of the MIT-LCP `section_parser.py`, over UTF-8 bytes, byte-for-byte.
///
/// The header pattern is `\n ([A-Z ()/,-]+):\s`: a newline, exactly one space, a run of capitals, spaces and
/// `()/,-`, a colon and one Python whitespace character. Text before the first header is `preamble`; a report with no
/// header is one `full report` section. After each header the search for the next one starts at the first newline
/// after the header's whitespace (so when that whitespace *is* the newline, a header on the very next line is missed:
/// one of the upstream quirks kept here). Empty `impression` and `findings` sections are dropped; when neither is
/// left, the last section is cut at its first `\n \n` and the rest becomes `last_paragraph`.
///
/// - Complexity: O(n) in the report length.
public enum MimicSectionParser {
    /// One section as byte ranges of the (newline-translated) text, with its name and rule as strings.
    public struct RawSection: Sendable, Equatable {
        /// The normalized name.
        public var name: String
        /// The header's capture group (`FINDINGS`, `  PA AND LATERAL`), when the section came from a header.
        public var header: Range<Int>?
        /// The section text, unstripped, exactly as Python slices it.
        public var text: Range<Int>
        /// The rule that produced the section and its name.
        public var rule: String
    }

    /// One section as plain values (no references), so that a scan allocates nothing but its arrays.
    public struct Piece: Sendable, Equatable {
        /// The name: an index into `MimicSectionNames.vocabulary`, or past it into the scan's own names.
        public var nameCode: Int32
        /// The header's capture group, when the section came from a header.
        public var header: Range<Int>?
        /// The section text, unstripped.
        public var text: Range<Int>
        var ruleKind: RuleKind
        var ruleIndex: UInt8 = 0
    }

    enum RuleKind: UInt8, Sendable { case exact, substring, viewPhrase, unmapped, preamble, noHeader, lastParagraph }

    /// The sections of one report.
    public struct Scan: Sendable {
        public var pieces: [Piece]
        /// Names outside the vocabulary (unmapped headers), in order of first appearance.
        var extraNames: [String]

        /// The normalized name of a piece.
        public func name(_ p: Piece) -> String {
            let v = MimicSectionNames.vocabulary
            return p.nameCode < v.count ? v[Int(p.nameCode)] : extraNames[Int(p.nameCode) - v.count]
        }

        /// The rule of a piece, e.g. `mimic:header+exact-table`.
        public func rule(_ p: Piece) -> String {
            switch p.ruleKind {
            case .exact: return "mimic:header+exact-table"
            case .substring: return "mimic:header+substring:" + MimicSectionNames.mainSections[Int(p.ruleIndex)]
            case .viewPhrase: return "mimic:header+view-phrase:" + MimicSectionNames.viewPhrases[Int(p.ruleIndex)]
            case .unmapped: return "mimic:header+unmapped"
            case .preamble: return "mimic:preamble"
            case .noHeader: return "mimic:no-header"
            case .lastParagraph: return "mimic:last-paragraph"
            }
        }
    }

    /// Vocabulary codes of the names the fields and rules need.
    static let impressionCode = MimicSectionNames.code("impression")
    static let findingsCode = MimicSectionNames.code("findings")
    static let comparisonCode = MimicSectionNames.code("comparison")
    static let lastParagraphCode = MimicSectionNames.code("last_paragraph")
    static let preambleCode = MimicSectionNames.code("preamble")
    static let fullReportCode = MimicSectionNames.code("full report")

    /// A header match: where `\n` is, the capture group, and the end of the match.
    struct Match {
        var start: Int
        var group: Range<Int>
        var end: Int
    }

    @inline(__always)
    static func isHeaderByte(_ c: UInt8) -> Bool {
        // [A-Z ()/,-]
        (c >= 0x41 && c <= 0x5A) || c == 0x20 || c == 0x28 || c == 0x29 || c == 0x2F || c == 0x2C || c == 0x2D
    }

    /// The leftmost match of `\n ([A-Z ()/,-]+):\s` at or after `from`.
    @inline(__always)
    static func search(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Match? {
        let n = b.count
        var i = from
        while i + 4 <= n {
            guard let nl = unsafe PythonText.newline(in: b, from: i) else { return nil }
            i = nl
            if i + 4 > n { return nil }
            if unsafe b[i + 1] == 0x20 {
                var j = i + 2
                while unsafe j < n && isHeaderByte(b[j]) { j += 1 }
                // The class has no colon, so the greedy run is the only candidate.
                if unsafe j > i + 2 && j + 1 < n && b[j] == 0x3A {
                    let w = unsafe PythonText.spaceLength(at: j + 1, in: b)
                    if w > 0 { return Match(start: i, group: (i + 2)..<j, end: j + 1 + w) }
                }
            }
            i += 1
        }
        return nil
    }

    /// Splits `b` (already newline-translated) into sections as `section_text` does.
    public static func sections(_ b: UnsafeBufferPointer<UInt8>) -> [RawSection] {
        let s = unsafe scan(b)
        return s.pieces.map { RawSection(name: s.name($0), header: $0.header, text: $0.text, rule: s.rule($0)) }
    }

    /// Splits `b` (already newline-translated) into sections as `section_text` does, as plain values.
    public static func scan(_ b: UnsafeBufferPointer<UInt8>) -> Scan {
        var out = Scan(pieces: [], extraNames: [])
        out.pieces.reserveCapacity(12)
        guard var s = unsafe search(b, from: 0) else {
            out.pieces.append(Piece(nameCode: fullReportCode, header: nil, text: 0..<b.count, ruleKind: .noHeader))
            unsafe finish(&out.pieces, b)
            return out
        }
        out.pieces.append(Piece(nameCode: preambleCode, header: nil, text: 0..<s.group.lowerBound, ruleKind: .preamble))
        let table = MimicSectionNames.fast
        while true {
            let group = s.group
            let idxStart = s.end
            let skip = unsafe PythonText.newline(in: b, from: idxStart) ?? idxStart
            let next = unsafe search(b, from: skip)
            let idxEnd = next?.start ?? b.count
            var piece = Piece(nameCode: 0, header: group, text: idxStart..<idxEnd, ruleKind: .exact)
            unsafe name(&piece, &out.extraNames, group, b, table)
            out.pieces.append(piece)
            guard let n = next else { break }
            s = n
        }
        unsafe finish(&out.pieces, b)
        return out
    }

    /// Names a header's piece: the exact table on the lower-cased bytes, else the substring and view-phrase stages.
    @inline(__always)
    static func name(_ piece: inout Piece, _ extra: inout [String], _ group: Range<Int>,
                     _ b: UnsafeBufferPointer<UInt8>, _ table: MimicSectionNames.FastTable) {
        var lo = group.lowerBound
        var hi = group.upperBound
        while unsafe lo < hi && b[lo] == 0x20 { lo += 1 }
        while unsafe hi > lo && b[hi - 1] == 0x20 { hi -= 1 }
        let n = hi - lo
        if n < 64 {
            var lower: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
            let done: Bool = unsafe withUnsafeMutableBytes(of: &lower) { raw in
                for k in 0..<n {
                    let c = unsafe b[lo + k]
                    unsafe raw[k] = (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c
                }
                let key = unsafe UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[0..<n])
                if let hit = unsafe table.lookup(key) {
                    piece.nameCode = hit
                    return true
                }
                // Substring stage, then view phrases, on the bytes (memmem), in the upstream order.
                for (k, (m, code)) in MimicSectionNames.mainBytes.enumerated() where unsafe contains(key, m) {
                    piece.nameCode = code
                    piece.ruleKind = .substring
                    piece.ruleIndex = UInt8(k)
                    return true
                }
                for (k, p) in MimicSectionNames.viewBytes.enumerated() where unsafe contains(key, p) {
                    piece.nameCode = findingsCode
                    piece.ruleKind = .viewPhrase
                    piece.ruleIndex = UInt8(k)
                    return true
                }
                return false
            }
            if done { return }
        }
        let (name, stage) = unsafe MimicSectionNames.normalize(headerName(lo..<hi, b))
        switch stage {
        case .exactTable: piece.ruleKind = .exact
        case .substring(let m):
            piece.ruleKind = .substring
            piece.ruleIndex = UInt8(MimicSectionNames.mainSections.firstIndex(of: m)!)
        case .viewPhrase(let p):
            piece.ruleKind = .viewPhrase
            piece.ruleIndex = UInt8(MimicSectionNames.viewPhrases.firstIndex(of: p)!)
        case .unmapped: piece.ruleKind = .unmapped
        }
        if let code = MimicSectionNames.vocabulary.firstIndex(of: name) {
            piece.nameCode = Int32(code)
        } else if let k = extra.firstIndex(of: name) {
            piece.nameCode = Int32(MimicSectionNames.vocabulary.count + k)
        } else {
            extra.append(name)
            piece.nameCode = Int32(MimicSectionNames.vocabulary.count + extra.count - 1)
        }
    }

    /// Whether `needle` occurs in `hay`.
    @inline(__always)
    static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        let m = needle.count
        guard m <= hay.count else { return false }
        return unsafe needle.withUnsafeBufferPointer { n in
            let first = unsafe n[0]
            var i = 0
            while i <= hay.count - m {
                if unsafe hay[i] == first {
                    var k = 1
                    while unsafe k < m && hay[i + k] == n[k] { k += 1 }
                    if k == m { return true }
                }
                i += 1
            }
            return false
        }
    }

    /// The lower-cased bytes of a stripped header as a string (ASCII by construction).
    static func headerName(_ r: Range<Int>, _ b: UnsafeBufferPointer<UInt8>) -> String {
        unsafe String(unsafeUninitializedCapacity: r.count) { dst in
            var k = 0
            for i in r {
                let c = unsafe b[i]
                unsafe dst[k] = (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c
                k += 1
            }
            return k
        }
    }

    /// Drops empty impression/findings sections and adds `last_paragraph` when neither is left.
    @inline(__always)
    static func finish(_ out: inout [Piece], _ b: UnsafeBufferPointer<UInt8>) {
        let imp = impressionCode
        let fnd = findingsCode
        var i = out.count - 1
        var kept = false
        while i >= 0 {
            let c = out[i].nameCode
            if c == imp || c == fnd {
                if unsafe PythonText.isBlank(out[i].text, in: b) { out.remove(at: i) } else { kept = true }
            }
            i -= 1
        }
        if !kept {
            let last = out[out.count - 1].text
            if let cut = unsafe paragraphBreak(b, last) {
                out[out.count - 1].text = last.lowerBound..<cut
                out.append(Piece(nameCode: lastParagraphCode, header: nil, text: (cut + 3)..<last.upperBound,
                                 ruleKind: .lastParagraph))
            }
        }
    }

    /// The first `\n \n` in `b[range]`.
    @inline(__always)
    static func paragraphBreak(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var i = range.lowerBound
        while i + 3 <= range.upperBound {
            guard let nl = unsafe PythonText.newline(in: b, from: i), nl + 3 <= range.upperBound else { return nil }
            if unsafe b[nl + 1] == 0x20 && b[nl + 2] == 0x0A { return nl }
            i = nl + 1
        }
        return nil
    }
}
