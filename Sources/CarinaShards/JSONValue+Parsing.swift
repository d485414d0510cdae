import Foundation

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
