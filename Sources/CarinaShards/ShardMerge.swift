import Foundation

/// Joins several MDS dataset folders into one `index.json` without copying shard bytes: the merged index lists every
/// part's shards, in argument order, by their path relative to the output folder (`part0/shard.00000.mds`), which
/// `StreamingDataset(local=…)` and ``MDSDataset`` resolve like any basename. CRC-32C sidecars stay beside their shards.
public enum ShardMerge {
    /// Merges `parts` into `output` and returns the merged index.
    ///
    /// - Parameters:
    ///   - parts: finished dataset folders (each with `index.json`), inside `output` (at any depth), all with the
    ///     same columns.
    ///   - output: the merged dataset folder; its `index.json` is written crash-safely (temporary name, rename).
    /// - Throws: ``ShardError``: `invalidArgument` when a part lies outside `output` or is given twice, `malformed`
    ///   when parts disagree on columns or a part is not a finished dataset, `conflict` when `output` already has
    ///   shards of its own.
    @discardableResult
    public static func merge(parts: [String], into output: String) throws(ShardError) -> MDSIndex {
        guard !parts.isEmpty else { throw ShardError(.invalidArgument, "give at least one dataset folder to merge") }
        let root = URL(fileURLWithPath: output).standardizedFileURL.resolvingSymlinksInPath().path
        var seen = Set<String>()
        var shards = [MDSShardEntry]()
        var columns: [ColumnSpec]?
        for part in parts {
            let resolved = URL(fileURLWithPath: part).standardizedFileURL.resolvingSymlinksInPath().path
            guard resolved.hasPrefix(root + "/") else {
                throw ShardError(.invalidArgument, "\(part) is not inside \(output): merge does not copy shard bytes, so "
                    + "each part must lie under the output folder (e.g. --out DIR with parts DIR/part0, DIR/part1)")
            }
            guard seen.insert(resolved).inserted else { throw ShardError(.invalidArgument, "\(part) is given twice") }
            let relative = String(resolved.dropFirst(root.count + 1))
            let index = try MDSIndex(directory: part)
            for entry in index.shards {
                if let columns, columns != entry.columns {
                    throw ShardError(.malformed, "\(part)/\(entry.basename) has other columns than the first part; "
                        + "only datasets with the same record schema can be merged", shard: entry.basename)
                }
                columns = entry.columns
                var moved = entry
                moved.basename = relative + "/" + entry.basename
                shards.append(moved)
            }
        }
        let fm = FileManager.default
        let own = ((try? fm.contentsOfDirectory(atPath: output)) ?? []).filter { $0.hasPrefix("shard.") && $0.hasSuffix(".mds") }
        guard own.isEmpty else {
            throw ShardError(.conflict, "\(output) holds shards of its own (\(own[0])); merge into a folder that only "
                + "contains the parts")
        }
        let merged = MDSIndex(shards: shards)
        try DurableFile.write([merged.encoded()], to: (output as NSString).appendingPathComponent(MDSIndex.fileName))
        return merged
    }
}
