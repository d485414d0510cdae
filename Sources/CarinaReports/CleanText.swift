/// Carina's text normalisation for clean mode.
///
/// - Whitespace: a run holding a blank line becomes one `\n` (a paragraph break); any other run (the 79-column
///   wrap of MIMIC reports, the one leading space of each line) becomes one space; the ends are trimmed.
/// - De-identification marks: MIMIC's `___` (three or more underscores) and IU's `XXXX` (four or more capital X,
///   not inside a longer capitalised word) both become `___`.
public enum CleanText {
    /// The canonical de-identification mark.
    public static let deidMark = "___"

    /// Normalises a piece of report text.
    public static func normalise(_ s: String) -> String {
        var s = s
        s.makeContiguousUTF8()
        return s.utf8.withContiguousStorageIfAvailable { normalise($0, 0..<$0.count) }!
    }

    @inline(__always)
    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

    /// Normalises `b[range]`.
    static func normalise(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var i = range.lowerBound
        let hi = range.upperBound
        var pendingSpace = false
        var pendingBreak = false
        while i < hi {
            let c = b[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C {
                // Whitespace run: a paragraph break when it holds two line ends.
                var newlines = 0
                while i < hi {
                    let d = b[i]
                    if d == 0x0A { newlines += 1 } else if d == 0x0D {
                        if !(i + 1 < hi && b[i + 1] == 0x0A) { newlines += 1 }
                    } else if !(d == 0x20 || d == 0x09 || d == 0x0B || d == 0x0C) { break }
                    i += 1
                }
                if newlines >= 2 { pendingBreak = true } else { pendingSpace = true }
                continue
            }
            if !out.isEmpty {
                if pendingBreak { out.append(0x0A) } else if pendingSpace { out.append(0x20) }
            }
            pendingBreak = false
            pendingSpace = false
            if c == 0x5F {
                var j = i
                while j < hi && b[j] == 0x5F { j += 1 }
                if j - i >= 3 { out += [0x5F, 0x5F, 0x5F]; i = j; continue }
                out += UnsafeBufferPointer(rebasing: b[i..<j])
                i = j
                continue
            }
            if c == 0x58 && (i == range.lowerBound || !isLetter(b[i - 1])) {
                var j = i
                while j < hi && b[j] == 0x58 { j += 1 }
                if j - i >= 4 && (j == hi || !isLetter(b[j])) {
                    out += [0x5F, 0x5F, 0x5F]
                    i = j
                    continue
                }
                out += UnsafeBufferPointer(rebasing: b[i..<j])
                i = j
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
