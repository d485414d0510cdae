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
    /// One section as byte ranges of the (newline-translated) text.
    public struct RawSection: Sendable, Equatable {
        /// The normalised name.
        public var name: String
        /// The header's capture group (`FINDINGS`, `  PA AND LATERAL`), when the section came from a header.
        public var header: Range<Int>?
        /// The section text, unstripped, exactly as Python slices it.
        public var text: Range<Int>
        /// The rule that produced the section and its name.
        public var rule: String
    }

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
    static func search(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Match? {
        let n = b.count
        var i = from
        while i + 4 <= n {
            // Find the next newline.
            guard let nl = PythonText.newline(in: b, from: i) else { return nil }
            i = nl
            if i + 4 > n { return nil }
            if b[i + 1] == 0x20 {
                var j = i + 2
                while j < n && isHeaderByte(b[j]) { j += 1 }
                // The class has no colon, so the greedy run is the only candidate.
                if j > i + 2 && j + 1 < n && b[j] == 0x3A {
                    let w = PythonText.spaceLength(at: j + 1, in: b)
                    if w > 0 { return Match(start: i, group: (i + 2)..<j, end: j + 1 + w) }
                }
            }
            i += 1
        }
        return nil
    }

    /// Splits `b` (already newline-translated) into sections as `section_text` does.
    public static func sections(_ b: UnsafeBufferPointer<UInt8>) -> [RawSection] {
        var out: [RawSection] = []
        guard var s = search(b, from: 0) else {
            out.append(RawSection(name: "full report", header: nil, text: 0..<b.count, rule: "mimic:no-header"))
            return finish(out, b)
        }
        out.append(RawSection(name: "preamble", header: nil, text: 0..<s.group.lowerBound, rule: "mimic:preamble"))
        while true {
            let group = s.group
            let idxStart = s.end
            let skip = PythonText.newline(in: b, from: idxStart) ?? idxStart
            let next = search(b, from: skip)
            let idxEnd = next?.start ?? b.count
            let (name, stage) = MimicSectionNames.normalise(headerName(group, b))
            out.append(RawSection(name: name, header: group, text: idxStart..<idxEnd,
                                  rule: MimicSectionNames.rule(stage)))
            guard let n = next else { break }
            s = n
        }
        return finish(out, b)
    }

    /// `s.lower().strip()` of a header capture group (ASCII by construction).
    static func headerName(_ group: Range<Int>, _ b: UnsafeBufferPointer<UInt8>) -> String {
        var lo = group.lowerBound
        var hi = group.upperBound
        while lo < hi && b[lo] == 0x20 { lo += 1 }
        while hi > lo && b[hi - 1] == 0x20 { hi -= 1 }
        return String(unsafeUninitializedCapacity: hi - lo) { dst in
            var k = 0
            for i in lo..<hi {
                let c = b[i]
                dst[k] = (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c
                k += 1
            }
            return k
        }
    }

    static let paragraphBreak: [UInt8] = [0x0A, 0x20, 0x0A]

    /// Drops empty impression/findings sections and adds `last_paragraph` when neither is left.
    static func finish(_ sections: [RawSection], _ b: UnsafeBufferPointer<UInt8>) -> [RawSection] {
        var out = sections
        var i = out.count - 1
        while i >= 0 {
            let name = out[i].name
            if (name == "impression" || name == "findings") && PythonText.isBlank(out[i].text, in: b) {
                out.remove(at: i)
            }
            i -= 1
        }
        if !out.contains(where: { $0.name == "impression" || $0.name == "findings" }) {
            let last = out[out.count - 1].text
            if let cut = PythonText.find(paragraphBreak, in: b, last) {
                out[out.count - 1].text = last.lowerBound..<cut
                out.append(RawSection(name: "last_paragraph", header: nil, text: (cut + 3)..<last.upperBound,
                                      rule: "mimic:last-paragraph"))
            }
        }
        return out
    }
}
