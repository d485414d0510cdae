import Foundation

/// Human-readable renderings of records for `carina shards ls` and `cat`.
public enum RecordText {
    /// One line per record: index, ids, view, split, image format and size (the columns that exist).
    public static func line(_ raw: MDSRawSample, index: Int) -> String {
        func text(_ column: String) -> String? { raw[column].map { String(decoding: $0, as: UTF8.self) } }
        var parts = ["#\(index)"]
        if let id = text("dicom_id") { parts.append(id) }
        if let study = text("study_id") { parts.append("study \(study)") }
        if let subject = text("subject_id") { parts.append("subject \(subject)") }
        for column in ["view", "split", "image_format"] { if let v = text(column), !v.isEmpty { parts.append(v) } }
        if let image = raw["image"] { parts.append("image \(image.count) bytes") }
        parts.append("\(raw.bytes.count) bytes")
        return parts.joined(separator: "  ")
    }

    /// Every column of a record, one per paragraph: text as is, JSON pretty-printed, images summarised, labels by name.
    public static func text(_ sample: [String: ColumnValue], columns: [ColumnSpec], index: Int) -> String {
        var out = "record \(index)\n"
        for spec in columns {
            guard let value = sample[spec.name] else { continue }
            let label = spec.name.padding(toLength: 13, withPad: " ", startingAt: 0) + " "
            let body: String
            switch value {
            case .string(let s): body = s.contains("\n") ? "\n" + indent(s) : s
            case .json(let s): body = "\n" + indent(pretty(s))
            case .int(let v): body = String(v)
            case .uint(let v): body = String(v)
            case .float32(let v): body = JSONValue.pythonRepr(v)
            case .float64(let v): body = JSONValue.pythonRepr(v)
            case .bytes(let b): body = describeBytes(b, encoding: spec.encoding)
            case .float32Array(let a) where spec.name == "labels" && a.count == ShardStats.labelNames.count:
                body = zip(ShardStats.labelNames, a).map { "\($0) \($1.isNaN ? "–" : JSONValue.pythonRepr($1))" }
                    .joined(separator: ", ")
            case .float32Array(let a):
                body = "float32[\(a.count)] " + a.prefix(16).map { JSONValue.pythonRepr($0) }.joined(separator: " ")
                    + (a.count > 16 ? " …" : "")
            case .ndarray(let a): body = "\(a.dtype.rawValue)\(a.shape) (\(a.data.count) bytes)"
            }
            out += label + body + "\n"
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
        if let h = PNGGrey.header(b) {
            return "PNG \(h.width)×\(h.height), \(h.bitDepth)-bit \(h.colorType == 0 ? "grey" : "colour type \(h.colorType)"), \(b.count) bytes"
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

extension JSONValue: Decodable {
    /// Parses JSON text into a value (object members sorted by key); `nil` when it is not valid JSON.
    public init?(parsing text: String) {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        self = value
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let b = try? container.decode(Bool.self) { self = .bool(b) }
        else if let i = try? container.decode(Int64.self) { self = .int(i) }
        else if let d = try? container.decode(Double.self) { self = .double(d) }
        else if let s = try? container.decode(String.self) { self = .string(s) }
        else if let a = try? container.decode([JSONValue].self) { self = .array(a) }
        else {
            let d = try container.decode([String: JSONValue].self)
            self = .object(d.sorted { codePointPrecedes($0.key, $1.key) }.map { ($0.key, $0.value) })
        }
    }
}
