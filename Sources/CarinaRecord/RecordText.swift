import CarinaShards
import Foundation

/// Human-readable renderings of records for `carina shards ls` and `cat`.
public enum RecordText {
    typealias Column = RecordSchema.Column

    /// One line per record: index, ids, view, split, image format and size (the columns that exist).
    public static func line(_ raw: MDSRawSample, index: Int) -> String {
        func text(_ column: Column) -> String? { raw[column.rawValue].map { String(decoding: $0, as: UTF8.self) } }
        var parts = ["#\(index)"]
        if let id = text(.dicomID) { parts.append(id) }
        if let study = text(.studyID) { parts.append("study \(study)") }
        if let subject = text(.subjectID) { parts.append("subject \(subject)") }
        for column in [Column.view, .split, .imageFormat] { if let v = text(column), !v.isEmpty { parts.append(v) } }
        if let image = raw[Column.image.rawValue] { parts.append("image \(image.count) bytes") }
        parts.append("\(raw.bytes.count) bytes")
        return parts.joined(separator: "  ")
    }

    /// Every column of a record, one per paragraph: text as is, JSON pretty-printed (the RadGraph graph summarised),
    /// images summarised, labels by name; then the graph's entities with their sections, offsets and the text they
    /// cover, and its relations.
    public static func text(_ sample: [String: ColumnValue], columns: [ColumnSpec], index: Int) -> String {
        var out = "record \(index)\n"
        for spec in columns {
            guard let value = sample[spec.name] else { continue }
            let label = spec.name.padding(toLength: 13, withPad: " ", startingAt: 0) + " "
            let body: String
            switch value {
            case .string(let s): body = s.contains("\n") ? "\n" + indent(s) : s
            case .json(let s) where spec.name == Column.graph.rawValue:
                body = "RadGraph JSON, \(s.utf8.count) bytes (shards cat --json shows it whole)"
            case .json(let s) where spec.name == Column.entities.rawValue || spec.name == Column.relations.rawValue:
                body = "\(s.utf8.count) bytes, listed below"
            case .json(let s): body = "\n" + indent(pretty(s))
            case .int(let v): body = String(v)
            case .uint(let v): body = String(v)
            case .float32(let v): body = JSONValue.pythonRepr(v)
            case .float64(let v): body = JSONValue.pythonRepr(v)
            case .bytes(let b): body = describeBytes(b, encoding: spec.encoding)
            case .float32Array(let a) where spec.name == Column.labels.rawValue && a.count == RecordSchema.labelCount:
                body = zip(RecordSchema.labelNames, a).map { "\($0) \($1.isNaN ? "–" : JSONValue.pythonRepr($1))" }
                    .joined(separator: ", ")
            case .float32Array(let a):
                body = "float32[\(a.count)] " + a.prefix(16).map { JSONValue.pythonRepr($0) }.joined(separator: " ")
                    + (a.count > 16 ? " …" : "")
            case .ndarray(let a) where a.dtype == .int32 && a.data.count <= 64:
                body = "int32\(a.shape) " + stride(from: 0, to: a.data.count, by: 4).map { o in
                    String(Int32(bitPattern: UInt32(a.data[o]) | UInt32(a.data[o + 1]) << 8 | UInt32(a.data[o + 2]) << 16
                        | UInt32(a.data[o + 3]) << 24))
                }.joined(separator: " ")
            case .ndarray(let a): body = "\(a.dtype.rawValue)\(a.shape) (\(a.data.count) bytes)"
            }
            out += label + body + "\n"
        }
        out += graphText(RecordReader(sample))
        return out
    }

    /// The entities (index, kind, certainty, concept, where they are and the text they cover) and the relations.
    static func graphText(_ record: RecordReader) -> String {
        guard record.value(.entities) != nil, let entities = try? record.entities(),
              let relations = try? record.relations() else { return "" }
        let sectionList: [(name: String, text: [Unicode.Scalar])] = {
            guard case .array(let items)? = JSONValue(parsing: record.string(.sections)) else { return [] }
            return items.map { item in
                guard case .object(let members) = item else { return ("?", []) }
                func field(_ key: String) -> String {
                    if case .string(let s)? = members.first(where: { $0.0 == key })?.1 { return s }
                    return ""
                }
                return (field("name"), Array(field("text").unicodeScalars))
            }
        }()
        let texts = [Array(record.string(.impression).unicodeScalars), Array(record.string(.findings).unicodeScalars)]
        func cut(_ text: [Unicode.Scalar], _ start: Int32, _ end: Int32) -> String? {
            guard start >= 0, start <= end, Int(end) <= text.count else { return nil }
            return String(String.UnicodeScalarView(text[Int(start)..<Int(end)]))
        }
        let kinds = ["anatomy", "observation", "device"], certainties = ["present", "uncertain", "absent"]
        var out = "entities      \(entities.count)\n"
        for (k, e) in entities.enumerated() {
            var line = "    #\(k) \(kinds[Int(e.kind.rawValue)]) \(certainties[Int(e.certainty.rawValue)])"
            line += e.concept >= 0 ? " concept \(e.concept)" : ""
            if e.section >= 0, Int(e.section) < sectionList.count {
                let section = sectionList[Int(e.section)]
                line += "  section \(e.section) \(section.name) [\(e.start)..<\(e.end)]"
                if let words = cut(section.text, e.start, e.end) { line += " \"\(words)\"" }
            } else {
                line += "  (not placed in a section)"
            }
            if let column = e.text {
                line += "  \(column == .impression ? "impression" : "findings") [\(e.textStart)..<\(e.textEnd)]"
                if cut(texts[Int(column.rawValue)], e.textStart, e.textEnd) == nil { line += " (out of range)" }
            }
            out += line + "\n"
        }
        out += "relations     \(relations.count)\n"
        for r in relations {
            out += "    #\(r.head) --\(r.kind.radGraphName)--> #\(r.tail)\n"
        }
        return out
    }

    /// A record as a JSON object (bytes as base64, arrays as lists, JSON columns embedded as parsed values when valid).
    public static func json(_ sample: [String: ColumnValue], columns: [ColumnSpec]) -> JSONValue {
        .object(columns.compactMap { spec in
            guard let value = sample[spec.name] else { return nil }
            let v: JSONValue
            switch value {
            case .string(let s): v = .string(s)
            case .json(let s): v = JSONValue(parsing: s) ?? .string(s)
            case .int(let i): v = .int(i)
            case .uint(let u): v = u <= UInt64(Int64.max) ? .int(Int64(u)) : .string(String(u))
            case .float32(let f): v = .double(Double(f))
            case .float64(let d): v = .double(d)
            case .bytes(let b): v = .string(Data(b).base64EncodedString())
            case .float32Array(let a): v = .array(a.map { .double(Double($0)) })
            case .ndarray(let a): v = .object([("dtype", .string(a.dtype.rawValue)), ("shape", .array(a.shape.map { .int(Int64($0)) })),
                                               ("base64", .string(Data(a.data).base64EncodedString()))])
            }
            return (spec.name, v)
        })
    }

    static func describeBytes(_ b: [UInt8], encoding: String) -> String {
        // A PNG's IHDR: width and height (big-endian) at 16 and 20, bit depth at 24, colour type at 25.
        if b.count >= 26, b[0] == 0x89, b[1] == 0x50, b[2] == 0x4E, b[3] == 0x47 {
            func be32(_ o: Int) -> Int { Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3]) }
            let colour = b[25] == 0 ? "gray" : "colour type \(b[25])"
            return "PNG \(be32(16))×\(be32(20)), \(b[24])-bit \(colour), \(b.count) bytes"
        }
        if b.count > 2, b[0] == 0xFF, b[1] == 0xD8 { return "JPEG, \(b.count) bytes" }
        return "\(encoding), \(b.count) bytes"
    }

    private static func indent(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
    }

    private static func pretty(_ json: String) -> String {
        JSONValue(parsing: json)?.prettyText() ?? json
    }
}
