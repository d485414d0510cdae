/// Turns the bytes of a report file into text, the way each mode needs.
public enum ReportText {
    /// Decodes a report file's bytes as UTF-8.
    ///
    /// Mimic mode accepts exactly what Python's `open(path, 'r')` (UTF-8) accepts: any valid UTF-8, control
    /// characters included. Clean mode also refuses binary data (NUL or other C0 controls besides tab, newline,
    /// carriage return, form feed and vertical tab).
    /// - Throws: `ReportError` `.notUTF8` with the offset of the first bad byte, or `.binary`.
    public static func decode(_ bytes: [UInt8], mode: SectionMode, path: String? = nil) throws(ReportError) -> String {
        if let bad = firstInvalidUTF8(bytes) {
            throw ReportError(.notUTF8, "not UTF-8 text: invalid byte 0x\(String(bytes[bad], radix: 16, uppercase: true)) "
                + "at offset \(bad); MIMIC-CXR reports are ASCII and IU XML is UTF-8 — check that this is a report "
                + "file", path: path)
        }
        if mode == .clean, let c = bytes.firstIndex(where: { $0 < 0x20 && !(0x09...0x0D).contains($0) }) {
            throw ReportError(.binary, "binary data: control byte 0x\(String(bytes[c], radix: 16, uppercase: true)) "
                + "at offset \(c); a report is text", path: path)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The offset of the first byte that breaks UTF-8 (overlongs, surrogates and values past U+10FFFF included),
    /// or `nil` when all of it is valid.
    public static func firstInvalidUTF8(_ b: [UInt8]) -> Int? {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            var need = 0
            var lo: UInt8 = 0x80
            var hi: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE, 0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return i
            }
            if i + need >= n { return i }
            if b[i + 1] < lo || b[i + 1] > hi { return i }
            var k = 2
            while k <= need {
                if b[i + k] & 0xC0 != 0x80 { return i }
                k += 1
            }
            i += need + 1
        }
        return nil
    }
}
