import Foundation

extension MDSDataset {
    /// The bytes of one column of sample `index`, read in place from the mapped shard (only the sample's size header
    /// and the column's bytes are touched, not the whole sample), as text.
    ///
    /// - Throws: ``ShardError`` `invalidArgument` for an unknown column, `malformed` when the sizes run past the
    ///   sample, `outOfRange`.
    public func columnText(_ column: String, at index: Int) throws(ShardError) -> String {
        guard let position = columns.firstIndex(where: { $0.name == column }) else {
            throw ShardError(.invalidArgument, "\(directory) has no column `\(column)`")
        }
        let (shard, span) = try columnSpan(position, at: index)
        if case .bytes(let bytes) = span { return String(decoding: bytes, as: UTF8.self) }
        throw ShardError(.malformed, "sample \(index) (shard \(shard.entry.basename)): column sizes run past the sample's end",
                         shard: shard.entry.basename, sample: index)
    }
}

/// The record id column Carina checks for duplicates: `dicom_id` (one record per image).
public enum DuplicateKeys {
    public static let column = "dicom_id"

    /// The first id that two samples share, with both samples' global indices, or nil when the ids are unique (or
    /// the dataset has no id column).
    public static func firstDuplicate(in dataset: MDSDataset) throws(ShardError) -> (id: String, first: Int, second: Int)? {
        guard dataset.columns.contains(where: { $0.name == column }) else { return nil }
        var seen: [String: Int] = [:]
        seen.reserveCapacity(dataset.count)
        for index in 0..<dataset.count {
            let id = try dataset.columnText(column, at: index)
            if let earlier = seen.updateValue(index, forKey: id) { return (id, earlier, index) }
        }
        return nil
    }
}
