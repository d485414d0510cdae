import CarinaShards
import Foundation

/// Typed access to the columns of one record, decoded or not: what the loader, the shard tools and the exports
/// read records through. Works on every column or on just the ones a reader decoded.
public struct RecordReader: Sendable {
    public let columns: [String: ColumnValue]

    public init(_ columns: [String: ColumnValue]) { self.columns = columns }

    public func value(_ column: RecordSchema.Column) -> ColumnValue? { columns[column.rawValue] }

    /// A text column's value; empty when absent.
    public func string(_ column: RecordSchema.Column) -> String { value(column)?.stringValue ?? "" }

    /// The image format; records without an `image_format` column are read as 16-bit PNG (Carina's default).
    public func imageFormat() throws(RecordError) -> RecordImageFormat {
        guard let name = value(.imageFormat)?.stringValue else { return .png16 }
        return try RecordImageFormat(column: name)
    }

    /// The declared range of the stored values: the `raw_range` column; for a `carina-record/1` record the
    /// `rawValueRange` its `meta` holds (16-bit images only); otherwise the bit depth's full range.
    public func rawRange(bitDepth: Int) -> (low: Int32, high: Int32) {
        let full = Int32((1 << bitDepth) - 1)
        if case .ndarray(let array)? = value(.rawRange), array.dtype == .int32, array.data.count == 8 {
            let d = array.data
            func int(_ o: Int) -> Int32 {
                Int32(bitPattern: UInt32(d[o]) | UInt32(d[o + 1]) << 8 | UInt32(d[o + 2]) << 16 | UInt32(d[o + 3]) << 24)
            }
            return (int(0), int(4))
        }
        guard bitDepth == 16, let meta = value(.meta)?.stringValue,
              let object = try? JSONSerialization.jsonObject(with: Data(meta.utf8)) as? [String: Any],
              let range = object["rawValueRange"] as? [NSNumber], range.count == 2 else { return (0, full) }
        let low = range[0].int32Value, high = range[1].int32Value
        return high >= 1 && high <= full && low < high ? (low, high) : (0, full)
    }

    /// The stored value the loader maps to white: the top of ``rawRange(bitDepth:)`` when it is a usable scale
    /// (1 up to the bit depth's maximum), else the bit depth's maximum.
    public func whiteLevel(bitDepth: Int) -> Float {
        let full = Float((1 << bitDepth) - 1)
        let high = Float(rawRange(bitDepth: bitDepth).high)
        return high >= 1 && high <= full ? high : full
    }

    /// The graph's entities; empty for a record without an `entities` column.
    public func entities() throws(RecordError) -> [RecordEntity] {
        guard let text = value(.entities)?.stringValue else { return [] }
        var out: [RecordEntity] = []
        for row in try IntRows.parse(Array(text.utf8), width: 9, column: "entities") { out.append(try RecordEntity(row: row)) }
        return out
    }

    /// The graph's relations; empty for a record without a `relations` column.
    public func relations() throws(RecordError) -> [RecordRelation] {
        guard let text = value(.relations)?.stringValue else { return [] }
        var out: [RecordRelation] = []
        for row in try IntRows.parse(Array(text.utf8), width: 3, column: "relations") { out.append(try RecordRelation(row: row)) }
        return out
    }
}
