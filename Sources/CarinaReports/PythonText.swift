import Foundation

/// The pieces of Python 3 `str` behaviour that the MIT-LCP parser depends on, over UTF-8 bytes.
///
/// Python works in code points; Carina works in UTF-8 bytes and converts only where the parser's output depends on
/// code-point positions (the hard-coded `text[a:b]` overrides).
enum PythonText {
    /// Whether a code point is whitespace to Python (`str.isspace()`, which is also what `re`'s `\s` and
    /// `str.strip()` use for `str` patterns).
    @inline(__always)
    static func isSpace(_ c: UInt32) -> Bool {
        switch c {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Decodes the code point that starts at `i` in valid UTF-8; returns it and its length in bytes.
    @inline(__always)
    static func scalar(at i: Int, in b: UnsafeBufferPointer<UInt8>) -> (UInt32, Int) {
        let b0 = unsafe UInt32(b[i])
        if b0 < 0x80 { return (b0, 1) }
        if b0 < 0xE0 { return unsafe (((b0 & 0x1F) << 6) | (UInt32(b[i + 1]) & 0x3F), 2) }
        if b0 < 0xF0 {
            return unsafe (((b0 & 0x0F) << 12) | ((UInt32(b[i + 1]) & 0x3F) << 6) | (UInt32(b[i + 2]) & 0x3F), 3)
        }
        return unsafe (((b0 & 0x07) << 18) | ((UInt32(b[i + 1]) & 0x3F) << 12) | ((UInt32(b[i + 2]) & 0x3F) << 6)
            | (UInt32(b[i + 3]) & 0x3F), 4)
    }

    /// The byte length of the Python whitespace character starting at `i`, or 0 when there is none.
    @inline(__always)
    static func spaceLength(at i: Int, in b: UnsafeBufferPointer<UInt8>) -> Int {
        let c = unsafe b[i]
        if c < 0x80 { return isSpace(UInt32(c)) ? 1 : 0 }
        if c != 0xC2 && c != 0xE1 && c != 0xE2 && c != 0xE3 { return 0 }
        let (s, n) = unsafe scalar(at: i, in: b)
        return isSpace(s) ? n : 0
    }

    /// `str.strip()` of `b[range]`: the sub-range without leading and trailing Python whitespace.
    static func strip(_ range: Range<Int>, in b: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var lo = range.lowerBound
        var hi = range.upperBound
        while lo < hi {
            let n = unsafe spaceLength(at: lo, in: b)
            if n == 0 { break }
            lo += n
        }
        while hi > lo {
            var start = hi - 1
            while unsafe start > lo && b[start] & 0xC0 == 0x80 { start -= 1 }
            if unsafe spaceLength(at: start, in: b) == 0 { break }
            hi = start
        }
        return lo..<hi
    }

    /// Whether `b[range]` is empty after `str.strip()`.
    static func isBlank(_ range: Range<Int>, in b: UnsafeBufferPointer<UInt8>) -> Bool {
        unsafe strip(range, in: b).isEmpty
    }

    /// The byte offset of code point number `index` (clamped to the end), as Python slicing `text[index:]` sees it.
    static func byteOffset(ofCodePoint index: Int, in b: UnsafeBufferPointer<UInt8>) -> Int {
        var seen = 0
        var i = 0
        while i < b.count {
            if seen == index { return i }
            if unsafe b[i] & 0xC0 != 0x80 { seen += 1 }
            i += 1
            while unsafe i < b.count && b[i] & 0xC0 == 0x80 { i += 1 }
        }
        return b.count
    }

    /// The first occurrence of `needle` in `b[range]`.
    static func find(_ needle: [UInt8], in b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard !needle.isEmpty, range.count >= needle.count else { return nil }
        return unsafe needle.withUnsafeBufferPointer { n in
            unsafe firstMatch(n, in: b, from: range.lowerBound, last: range.upperBound - n.count)
        }
    }

    /// The first start `i` in `from...last` where the non-empty `needle` stands in `b`.
    ///
    /// A scan for the needle's first byte, then a byte-by-byte compare.
    @inline(__always)
    static func firstMatch(_ needle: UnsafeBufferPointer<UInt8>, in b: UnsafeBufferPointer<UInt8>, from: Int,
                           last: Int) -> Int? {
        let first = unsafe needle[0]
        var i = from
        outer: while i <= last {
            if unsafe b[i] == first {
                var k = 1
                while k < needle.count {
                    if unsafe b[i + k] != needle[k] { i += 1; continue outer }
                    k += 1
                }
                return i
            }
            i += 1
        }
        return nil
    }

    /// The first `\n` at or after `from`.
    @inline(__always)
    static func newline(in b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard from < b.count, let base = b.baseAddress,
              let p = unsafe memchr(base + from, 0x0A, b.count - from) else { return nil }
        return unsafe base.distance(to: p.assumingMemoryBound(to: UInt8.self))
    }
}

extension String {
    /// Whether `needle` occurs in the string, comparing UTF-8 bytes (what Python's `in` does for ASCII names;
    /// and far faster than Foundation's `contains`, which goes through `NSString` on Linux).
    @inline(__always)
    func containsBytes(_ needle: String) -> Bool {
        var hay = self
        var pin = needle
        return hay.withUTF8 { h in
            pin.withUTF8 { n in
                guard n.count <= h.count else { return false }
                if n.isEmpty { return true }
                return unsafe PythonText.firstMatch(n, in: h, from: 0, last: h.count - n.count) != nil
            }
        }
    }
}
