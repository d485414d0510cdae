import Foundation

extension MDSDataset {
    /// One column of a sample whose bytes were read with ``rawSample(at:)``, decoded; nil when the dataset has no such
    /// column. Decoding only the columns a reader needs is what keeps the loader cheap.
    ///
    /// - Throws: ``ShardError`` (`malformed`) when the column's bytes do not decode.
    public func value(of column: String, in raw: MDSRawSample) throws(ShardError) -> ColumnValue? {
        guard let i = columns.firstIndex(where: { $0.name == column }) else { return nil }
        return try encodings[i].decode(raw.bytes[raw.ranges[i]], column: column)
    }

    /// One column of sample `index`, read in place in the mapped shard and decoded, without copying the rest of the
    /// sample or checking its CRC-32C: for scans over a small column of every sample (the split of each record).
    /// Nil when the dataset has no such column.
    ///
    /// - Throws: ``ShardError``: `outOfRange`, or `malformed` when the sample's size header or the value is broken.
    public func columnValue(_ column: String, at index: Int) throws(ShardError) -> ColumnValue? {
        guard let c = columns.firstIndex(where: { $0.name == column }) else { return nil }
        let (shard, span) = try columnSpan(c, at: index)
        switch span {
        case .bytes(let bytes):
            return try encodings[c].decode([UInt8](bytes)[...], column: column)
        case .shortHeader:
            throw ShardError(.malformed, "sample \(index) is shorter than its size header", shard: shard.entry.basename,
                             sample: index)
        case .overrun:
            throw ShardError(.malformed, "sample \(index): column sizes run past the sample's end",
                             shard: shard.entry.basename, sample: index)
        }
    }

    /// Where one column of a sample lies in its mapped shard, or why the sample's layout cannot say.
    enum ColumnSpan {
        /// The column's bytes, a slice of the mapped shard (not a copy).
        case bytes(Data)
        /// The sample is shorter than the size header of its variable-size columns.
        case shortHeader
        /// The column sizes run past the sample's end before the column.
        case overrun
    }

    /// The span of the column at `position` in sample `index`, found from the sample's size header in place.
    ///
    /// Only the header and the sizes of the columns before it are read, not the other columns' bytes.
    ///
    /// - Throws: ``ShardError`` `outOfRange`.
    func columnSpan(_ position: Int, at index: Int) throws(ShardError) -> (shard: MDSShard, span: ColumnSpan) {
        let (s, local) = try locate(index)
        let shard = shards[s]
        let range = try shard.range(of: local)
        let variable = encodings.filter { $0.fixedSize == nil }.count
        guard range.count >= 4 * variable else { return (shard, .shortHeader) }
        var cursor = range.lowerBound + 4 * variable
        var v = 0
        for (i, encoding) in encodings.enumerated() {
            let size: Int
            if let fixed = encoding.fixedSize {
                size = fixed
            } else {
                size = Int(shard.data.getLittleEndianUInt32(at: range.lowerBound + 4 * v))
                v += 1
            }
            guard cursor + size <= range.upperBound else { return (shard, .overrun) }
            if i == position {
                let start = shard.data.startIndex + cursor
                return (shard, .bytes(shard.data[start..<(start + size)]))
            }
            cursor += size
        }
        return (shard, .overrun)
    }
}
