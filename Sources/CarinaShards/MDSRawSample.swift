/// One sample's undecoded bytes and where each column lies in them.
public struct MDSRawSample: Sendable {
    /// The sample's bytes as stored (size header, then columns).
    public let bytes: [UInt8]
    /// The columns, sorted by name, parallel to ``ranges``.
    public let columns: [ColumnSpec]
    /// Each column's byte range in ``bytes``.
    public let ranges: [Range<Int>]

    /// The encoded bytes of a column, or `nil` when the dataset has no such column.
    public subscript(column: String) -> ArraySlice<UInt8>? {
        guard let i = columns.firstIndex(where: { $0.name == column }) else { return nil }
        return bytes[ranges[i]]
    }
}
