/// Splits report text into RadGraph-style tokens.
///
/// A token is a run of letters, digits, `_` and non-ASCII characters (so `___` and `XXXX` stay whole), which may
/// hold a hyphen or apostrophe between two word characters (`air-space`, `patient's`) or a point or comma between
/// two digits (`2.5`, `1,000`); every other non-space character is a token of its own. Never fails: any byte
/// sequence gives a token list (invalid UTF-8 is repaired by `String`).
///
/// - Complexity: O(n) in the length of the text.
enum Tokenizer {
    /// The tokens of `text`.
    static func tokenize(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var utf8 = Array(text.utf8)
        if utf8.isEmpty { return tokens }
        utf8.append(0x20)
        tokens.reserveCapacity(utf8.count / 5)
        var i = 0
        var newlines = 0
        let n = utf8.count - 1
        while i < n {
            let b = utf8[i]
            if b == 0x0A {
                newlines += 1
                i += 1
                continue
            }
            if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C || b == 0 {
                i += 1
                continue
            }
            let start = i
            if isWordByte(b) {
                i += 1
                while i < n {
                    let c = utf8[i]
                    if isWordByte(c) {
                        i += 1
                    } else if (c == 0x2D || c == 0x27) && isWordByte(utf8[i + 1]) && isWordByte(utf8[i - 1]) {
                        i += 1
                    } else if (c == 0x2E || c == 0x2C) && isDigit(utf8[i - 1]) && isDigit(utf8[i + 1]) {
                        i += 1
                    } else {
                        break
                    }
                }
            } else {
                i += 1
            }
            var token = makeToken(utf8[start..<i], afterBlankLine: newlines >= 2)
            token.utf8Start = Int32(start)
            token.utf8End = Int32(i)
            tokens.append(token)
            newlines = 0
        }
        return tokens
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    @inline(__always) static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || isDigit(b) || b == 0x5F || b >= 0x80
    }

    /// The normalized form of a word: ASCII lower-case, hyphens removed.
    static func normalize(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes where b != 0x2D {
            out.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
        }
        return out
    }

    static func makeToken(_ bytes: ArraySlice<UInt8>, afterBlankLine: Bool) -> Token {
        let text = String(decoding: bytes, as: UTF8.self)
        let isPunctuation = bytes.count == 1 && !isWordByte(bytes[bytes.startIndex])
        if isPunctuation {
            return Token(text: text, norm: text, singular1: "", singular2: "", isPunctuation: true,
                         afterBlankLine: afterBlankLine)
        }
        let norm = normalize(bytes)
        let (s1, s2) = singulars(norm)
        return Token(text: text, norm: String(decoding: norm, as: UTF8.self), singular1: s1, singular2: s2,
                     isPunctuation: false, afterBlankLine: afterBlankLine)
    }

    /// Singular candidates of a normalized word: `-ies` → `-y`; `-es` → `-e` and `-`; `-s` → `-`. Words of
    /// three letters or fewer and words ending in `ss`, `us` or `is` have none.
    static func singulars(_ w: [UInt8]) -> (String, String) {
        let c = w.count
        guard c > 3, w[c - 1] == 0x73 else { return ("", "") }
        let p = w[c - 2]
        // -ss (mass), -us (hilus), -is (atelectasis) are not plurals.
        if p == 0x73 || p == 0x75 || p == 0x69 { return ("", "") }
        func text(_ k: Int, _ tail: [UInt8] = []) -> String { String(decoding: w[0..<k] + tail, as: UTF8.self) }
        if p == 0x65 {
            if c > 4 && w[c - 3] == 0x69 { return (text(c - 3, [0x79]), text(c - 1)) }
            return (text(c - 1), text(c - 2))
        }
        return (text(c - 1), "")
    }
}
