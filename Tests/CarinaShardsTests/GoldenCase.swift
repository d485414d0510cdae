import CarinaShards
import Foundation

/// One committed golden case: the inputs `Scripts/shards-golden.py` fed to `streaming.MDSWriter`, and the folder
/// it wrote.
struct GoldenCase: CustomStringConvertible {
    let name: String
    let columns: [ColumnSpec]
    let sizeLimit: Int?
    let hashes: [String]
    let samples: [[String: ColumnValue]]

    var description: String { name }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/mds")

    static let names = ["record-3shards", "record-nolimit", "encodings-hashed", "encodings-default", "oversize-first"]

    /// The folder `streaming.MDSWriter` wrote.
    var expectedDirectory: String { GoldenCase.root.appendingPathComponent(name).appendingPathComponent("expected").path }

    init(_ name: String) throws {
        self.name = name
        let url = GoldenCase.root.appendingPathComponent(name).appendingPathComponent("inputs.json")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let columnMap = root["columns"] as! [String: String]
        columns = columnMap.map { ColumnSpec(name: $0.key, encoding: $0.value) }
        sizeLimit = root["size_limit"] as? Int
        hashes = root["hashes"] as! [String]
        samples = (root["samples"] as! [[String: Any]]).map { sample in
            sample.mapValues { GoldenCase.value($0 as! [String: Any]) }
        }
    }

    private static func value(_ typed: [String: Any]) -> ColumnValue {
        let (kind, payload) = typed.first!
        switch kind {
        case "str": return .string(payload as! String)
        case "b64": return .bytes([UInt8](Data(base64Encoded: payload as! String)!))
        case "int":
            let text = payload as! String
            if let v = Int64(text) { return .int(v) }
            return .uint(UInt64(text)!)
        case "f32bits": return .float32(Float(bitPattern: UInt32(littleEndianHex: payload as! String)))
        case "f64bits": return .float64(Double(bitPattern: UInt64(littleEndianHex: payload as! String)))
        case "json": return .json(payload as! String)
        case "ndarray":
            let nd = payload as! [String: Any]
            let dtype = NDArrayDType(rawValue: nd["dtype"] as! String)!
            let data = [UInt8](Data(base64Encoded: nd["b64"] as! String)!)
            return .ndarray(NDArrayValue(dtype: dtype, shape: nd["shape"] as! [Int], data: data))
        default: fatalError("unknown typed value \(kind)")
        }
    }
}

extension FixedWidthInteger {
    /// Parses hex of little-endian bytes (`struct.pack('<f', x).hex()`).
    init(littleEndianHex hex: String) {
        var v = Self.zero
        let bytes = stride(from: 0, to: hex.count, by: 2).map { i -> UInt8 in
            let start = hex.index(hex.startIndex, offsetBy: i)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
        for (i, b) in bytes.enumerated() { v |= Self(b) << (8 * i) }
        self = v
    }
}

/// The files of a folder, name → bytes.
func folderContents(_ path: String) throws -> [String: [UInt8]] {
    var out = [String: [UInt8]]()
    for name in try FileManager.default.contentsOfDirectory(atPath: path) {
        out[name] = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path).appendingPathComponent(name)))
    }
    return out
}
