/// A JSON value that serialises exactly as Python's `json.dumps` does, so `json` columns, `index.json` and the
/// shard headers come out byte-identical to what `streaming.MDSWriter` writes.
///
/// Python's defaults are kept: `", "` and `": "` separators, `ensure_ascii` (every non-ASCII character as a
/// lowercase `\uXXXX` escape, surrogate pairs above U+FFFF), `NaN`/`Infinity`/`-Infinity` for non-finite floats,
/// and floats in `repr` form (`1.0`, `1e-05`, `1e+16`). Object members keep their order unless `sortKeys` is set.
///
/// ```swift
/// let v: JSONValue = .object([("b", .int(1)), ("a", .array([.double(1e16), .null]))])
/// v.pythonText(sortKeys: true)  // {"a": [1e+16, null], "b": 1}
/// ```
public indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// The text Python's `json.dumps(value, sort_keys=sortKeys)` produces.
    public func pythonText(sortKeys: Bool = false) -> String {
        var out = ""
        write(to: &out, sortKeys: sortKeys)
        return out
    }

    private func write(to out: inout String, sortKeys: Bool) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += JSONValue.pythonRepr(d)
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.write(to: &out, sortKeys: sortKeys)
            }
            out += "]"
        case .object(let members):
            let ordered = sortKeys ? members.sorted { codePointPrecedes($0.0, $1.0) } : members
            out += "{"
            for (i, (key, value)) in ordered.enumerated() {
                if i > 0 { out += ", " }
                JSONValue.writeString(key, to: &out)
                out += ": "
                value.write(to: &out, sortKeys: sortKeys)
            }
            out += "}"
        }
    }

    private static let hex: [Character] = Array("0123456789abcdef")

    /// A JSON string literal with Python's `ensure_ascii` escaping.
    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                let v = scalar.value
                if v >= 0x20 && v < 0x7F {
                    out.unicodeScalars.append(scalar)
                } else if v < 0x10000 {
                    writeEscape(UInt16(v), to: &out)
                } else {
                    let u = v - 0x10000
                    writeEscape(UInt16(0xD800 + (u >> 10)), to: &out)
                    writeEscape(UInt16(0xDC00 + (u & 0x3FF)), to: &out)
                }
            }
        }
        out += "\""
    }

    private static func writeEscape(_ unit: UInt16, to out: inout String) {
        out += "\\u"
        for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int(unit >> UInt16(shift)) & 0xF]) }
    }

    /// Python's `repr(float)`: the shortest round-trip digits, in exponent form when the decimal exponent is below
    /// -4 or above 15.
    public static func pythonRepr(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description also prints the shortest round-trip digits; only the layout differs.
        return pythonLayout(d.magnitude.description, negative: d.sign == .minus)
    }

    /// The shortest digits that round-trip a `Float`, in Python's layout (as numpy prints a float32 scalar).
    public static func pythonRepr(_ f: Float) -> String {
        if f.isNaN { return "NaN" }
        if f.isInfinite { return f < 0 ? "-Infinity" : "Infinity" }
        if f == 0 { return f.sign == .minus ? "-0.0" : "0.0" }
        return pythonLayout(f.magnitude.description, negative: f.sign == .minus)
    }

    private static func pythonLayout(_ description: String, negative: Bool) -> String {
        var text = description
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = intPart + fracPart
        var decpt = intPart.count + exponent
        while digits.first == "0" && digits.count > 1 {
            digits.removeFirst()
            decpt -= 1
        }
        while digits.last == "0" && digits.count > 1 { digits.removeLast() }
        var out = negative ? "-" : ""
        if decpt <= -4 || decpt > 16 {
            out += String(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            let e = decpt - 1
            out += e < 0 ? "e-" : "e+"
            let magnitude = String(abs(e))
            out += magnitude.count < 2 ? "0" + magnitude : magnitude
        } else if decpt <= 0 {
            out += "0." + String(repeating: "0", count: -decpt) + digits
        } else if decpt >= digits.count {
            out += digits + String(repeating: "0", count: decpt - digits.count) + ".0"
        } else {
            let cut = digits.index(digits.startIndex, offsetBy: decpt)
            out += digits[..<cut] + "." + digits[cut...]
        }
        return out
    }
}

extension JSONValue {
    /// Indented text for people (two spaces, `": "`, non-ASCII kept), like Python's `json.dumps(v, indent=2,
    /// ensure_ascii=False)`.
    public func prettyText(indent level: Int = 0) -> String {
        let pad = String(repeating: "  ", count: level + 1), end = String(repeating: "  ", count: level)
        switch self {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { pad + $0.prettyText(indent: level + 1) }.joined(separator: ",\n") + "\n\(end)]"
        case .object(let members) where !members.isEmpty:
            return "{\n" + members.map { pad + JSONValue.string($0.0).prettyText() + ": " + $0.1.prettyText(indent: level + 1) }
                .joined(separator: ",\n") + "\n\(end)}"
        case .string(let s):
            var out = ""
            JSONValue.writeString(s, to: &out)
            // Undo the \u escapes of non-ASCII characters for reading.
            return unescapeNonASCII(out)
        default:
            return pythonText()
        }
    }

    private func unescapeNonASCII(_ literal: String) -> String {
        guard case .string(let s) = self, s.unicodeScalars.contains(where: { $0.value >= 0x7F }) else { return literal }
        var out = "\""
        for scalar in s.unicodeScalars {
            if scalar.value >= 0x7F { out.unicodeScalars.append(scalar) } else {
                var one = ""
                JSONValue.writeString(String(scalar), to: &one)
                out += one.dropFirst().dropLast()
            }
        }
        return out + "\""
    }
}

/// Whether `a` sorts before `b` by Unicode code points, as Python orders `str` (Swift's `<` uses canonical
/// equivalence instead).
func codePointPrecedes(_ a: String, _ b: String) -> Bool {
    a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
}

extension JSONValue: Equatable {
    /// Structural equality; object members compare in order, doubles by value (so `NaN != NaN`, as in IEEE 754).
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.double(let x), .double(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }
}
