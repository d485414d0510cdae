/// Splits section text into sentences, with UTF-8 byte ranges and the rule behind every boundary.
///
/// Boundaries, in the order they are tested:
/// - `paragraph`: a blank line;
/// - `list-item`: a line, or a sentence, that starts with a list marker (`1.`, `2)`, `-`, `*`, `•`); the marker is
///   left out of the sentence;
/// - `terminal-punctuation`: `.`, `?` or `!` followed by whitespace, unless the word before it is an abbreviation
///   (`Dr.`, `e.g.`, `vs.`, `approx.`, …) or the next word starts in lower case; decimals (`3.5`) never split
///   because no whitespace follows their point;
/// - `end-of-section`: the end of the text.
public enum SentenceSplitter {
    /// Words that end in a point without ending a sentence (compared in lower case, without the point).
    public static let abbreviations: Set<String> = [
        "dr", "mr", "mrs", "ms", "vs", "e.g", "i.e", "approx", "fig", "cf", "incl", "resp", "st", "sr", "jr", "al",
        "no", "nos", "pt", "pts", "min", "max", "ca", "mg", "ml", "cc", "hr", "hrs", "wk", "wks", "yr", "yrs",
        "dept", "ref", "lt", "rt", "a.m", "p.m", "b.i.d", "t.i.d", "q.d",
    ]

    /// The sentences of `text`; ranges are UTF-8 offsets into `text`.
    public static func sentences(in text: String) -> [Sentence] {
        var text = text
        text.makeContiguousUTF8()
        return unsafe text.utf8.withContiguousStorageIfAvailable { unsafe sentences($0, 0..<$0.count, map: { $0 }) }!
    }

    @inline(__always)
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// The length of a list marker and the space after it at `i` (`1. `, `12) `, `- `, `* `, `• `), or 0.
    static func listMarker(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ hi: Int) -> Int {
        var j = i
        if unsafe j < hi && (b[j] == 0x2D || b[j] == 0x2A) {
            j += 1
        } else if unsafe j + 2 < hi && b[j] == 0xE2 && b[j + 1] == 0x80 && b[j + 2] == 0xA2 {
            j += 3
        } else {
            while unsafe j < hi && isDigit(b[j]) && j - i < 2 { j += 1 }
            guard j > i, j < hi, unsafe b[j] == 0x2E || b[j] == 0x29 else { return 0 }
            j += 1
        }
        guard j < hi, unsafe isSpace(b[j]) else { return 0 }
        while unsafe j < hi && (b[j] == 0x20 || b[j] == 0x09) { j += 1 }
        return j - i
    }

    /// Whether the word ending just before the point at `dot` is an abbreviation.
    static func isAbbreviation(_ b: UnsafeBufferPointer<UInt8>, dot: Int, from lo: Int) -> Bool {
        var s = dot
        while unsafe s > lo && !isSpace(b[s - 1]) && b[s - 1] != 0x28 { s -= 1 }
        let len = dot - s
        guard len > 0, len <= 8 else { return false }
        var w = ""
        for k in s..<dot { unsafe w.unicodeScalars.append(Unicode.Scalar((b[k] >= 0x41 && b[k] <= 0x5A) ? b[k] | 0x20 : b[k])) }
        if abbreviations.contains(w) { return true }
        // Single capital initials ("A. Smith") are not sentence ends.
        return unsafe len == 1 && b[s] >= 0x41 && b[s] <= 0x5A && dot - lo > 1
    }

    /// Sentences of `b[range]`, their ranges passed through `map` (translated → raw offsets).
    static func sentences(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>,
                          map: (Range<Int>) -> Range<Int>) -> [Sentence] {
        var out: [Sentence] = []
        let hi = range.upperBound
        var i = range.lowerBound
        var start: Int? = nil
        var atLineStart = true

        func emit(_ end: Int, _ rule: String) {
            guard let s = start else { return }
            var e = end
            while unsafe e > s && isSpace(b[e - 1]) { e -= 1 }
            if e > s {
                unsafe out.append(Sentence(text: CleanText.normalize(b, s..<e), range: map(s..<e), rule: rule))
            }
            start = nil
        }

        while i < hi {
            let c = unsafe b[i]
            if c == 0x0A {
                // A blank line ends the sentence.
                var j = i + 1
                while unsafe j < hi && (b[j] == 0x20 || b[j] == 0x09 || b[j] == 0x0D) { j += 1 }
                if unsafe j < hi && b[j] == 0x0A { emit(i, "paragraph") }
                atLineStart = true
                i += 1
                continue
            }
            if isSpace(c) { i += 1; continue }
            if start == nil || atLineStart {
                let m = unsafe listMarker(b, i, hi)
                if m > 0 {
                    if start != nil { emit(i, "list-item") }
                    i += m
                    atLineStart = false
                    continue
                }
                if start == nil { start = i }
            }
            atLineStart = false
            if c == 0x2E || c == 0x3F || c == 0x21 {
                var j = i + 1
                while unsafe j < hi && (b[j] == 0x2E || b[j] == 0x3F || b[j] == 0x21 || b[j] == 0x29 || b[j] == 0x22) {
                    j += 1
                }
                if j >= hi { i = j; break }
                if unsafe isSpace(b[j]) {
                    var k = j
                    while unsafe k < hi && isSpace(b[k]) { k += 1 }
                    let nextLower = unsafe k < hi && b[k] >= 0x61 && b[k] <= 0x7A
                    if unsafe !nextLower && !(c == 0x2E && isAbbreviation(b, dot: i, from: start ?? i)) {
                        emit(j, "terminal-punctuation")
                        i = j
                        continue
                    }
                }
                i = j
                continue
            }
            i += 1
        }
        emit(hi, "end-of-section")
        return out
    }
}
