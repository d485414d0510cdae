/// Carina's text normalization for clean mode.
///
/// - Whitespace: a run holding a blank line becomes one `\n` (a paragraph break); any other run (the 79-column
///   wrap of MIMIC reports, the one leading space of each line) becomes one space; the ends are trimmed.
/// - De-identification marks: MIMIC's `___` (three or more underscores) and IU's `XXXX` (four or more capital X,
///   not inside a longer capitalised word) both become `___`.
public enum CleanText {
    /// The canonical de-identification mark.
    public static let deidMark = "___"

    /// Normalizes a piece of report text.
    public static func normalize(_ s: String) -> String {
        var s = s
        s.makeContiguousUTF8()
        return unsafe s.utf8.withContiguousStorageIfAvailable { unsafe normalize($0, 0..<$0.count) }!
    }

    @inline(__always)
    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

    /// Normalizes `b[range]` (the result is never longer than the input, so it is written in place).
    static func normalize(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> String {
        if range.isEmpty { return "" }
        return unsafe String(unsafeUninitializedCapacity: range.count) { out in
            var n = 0
            var i = range.lowerBound
            let hi = range.upperBound
            var pendingSpace = false
            var pendingBreak = false
            @inline(__always) func put(_ c: UInt8) { unsafe out[n] = c; n += 1 }
            while i < hi {
                let c = unsafe b[i]
                if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C {
                    // Whitespace run: a paragraph break when it holds two line ends.
                    var newlines = 0
                    while i < hi {
                        let d = unsafe b[i]
                        if d == 0x0A {
                            newlines += 1
                        } else if d == 0x0D {
                            if unsafe !(i + 1 < hi && b[i + 1] == 0x0A) { newlines += 1 }
                        } else if !(d == 0x20 || d == 0x09 || d == 0x0B || d == 0x0C) {
                            break
                        }
                        i += 1
                    }
                    if newlines >= 2 { pendingBreak = true } else { pendingSpace = true }
                    continue
                }
                if n > 0 {
                    if pendingBreak { put(0x0A) } else if pendingSpace { put(0x20) }
                }
                pendingBreak = false
                pendingSpace = false
                if unsafe c == 0x5F || (c == 0x58 && (i == range.lowerBound || !isLetter(b[i - 1]))) {
                    var j = i
                    while unsafe j < hi && b[j] == c { j += 1 }
                    let mark = unsafe c == 0x5F ? j - i >= 3 : (j - i >= 4 && (j == hi || !isLetter(b[j])))
                    if mark {
                        put(0x5F); put(0x5F); put(0x5F)
                    } else {
                        for k in i..<j { unsafe put(b[k]) }
                    }
                    i = j
                    continue
                }
                put(c)
                i += 1
            }
            return n
        }
    }
}
