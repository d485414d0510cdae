import Foundation

/// Python's universal-newline reading (`open(path, 'r')`): `\r\n` and a lone `\r` both become `\n`.
///
/// The MIT-LCP script reads each report in text mode, so its parser never sees `\r`. Carina translates the same way
/// and keeps, for every byte of the translated text, its offset in the raw text so that section ranges still point
/// into the raw report.
struct NewlineTranslation {
    /// The translated bytes.
    let bytes: [UInt8]
    /// `rawOffset[i]` is the raw offset of translated byte `i`; one extra entry for the end.
    let rawOffset: [Int]

    /// Translates `raw`, or returns `nil` when it holds no `\r` (then offsets are the identity).
    static func translate(_ raw: UnsafeBufferPointer<UInt8>) -> NewlineTranslation? {
        guard let base = raw.baseAddress, unsafe memchr(base, 0x0D, raw.count) != nil else { return nil }
        var out: [UInt8] = []
        var offsets: [Int] = []
        out.reserveCapacity(raw.count)
        offsets.reserveCapacity(raw.count + 1)
        var i = 0
        while i < raw.count {
            let c = unsafe raw[i]
            if c == 0x0D {
                out.append(0x0A)
                offsets.append(i)
                unsafe i += (i + 1 < raw.count && raw[i + 1] == 0x0A) ? 2 : 1
            } else {
                out.append(c)
                offsets.append(i)
                i += 1
            }
        }
        offsets.append(raw.count)
        return NewlineTranslation(bytes: out, rawOffset: offsets)
    }

    /// Maps a translated range to the raw report.
    func raw(_ r: Range<Int>) -> Range<Int> {
        rawOffset[r.lowerBound]..<rawOffset[r.upperBound]
    }
}
