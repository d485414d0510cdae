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
        try checkParts(parts)
        let merged = MDSIndex(shards: shards)
        try DurableFile.write([merged.encoded()], to: (output as NSString).appendingPathComponent(MDSIndex.fileName))
        return merged
    }

    /// The options of a Carina ingest that must agree across parts (all of `carina.fingerprint.tsv`'s option lines
    /// but the partition and the shard size).
    static let fingerprintFile = "carina.fingerprint.tsv"

    /// Refuses parts ingested with different record-shaping options (image encoding, size, transform, …: from each
    /// part's `carina.fingerprint.tsv`, and the set of `image_format` values of its records) and parts that share a
    /// record id.
    static func checkParts(_ parts: [String]) throws(ShardError) {
        var reference: (part: String, options: [String: String])?
        var format: (part: String, value: String)?
        for part in parts {
            let path = (part as NSString).appendingPathComponent(fingerprintFile)
            if let data = FileManager.default.contents(atPath: path) {
                var options: [String: String] = [:]
                for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                    let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
                    if fields.count == 3, fields[0] == "option", fields[1] != "partition", fields[1] != "shard-size" {
                        options[String(fields[1])] = String(fields[2])
                    }
                }
                if let reference {
                    for name in Set(reference.options.keys).union(options.keys).sorted()
                    where reference.options[name] != options[name] {
                        throw ShardError(.conflict, "\(part) was ingested with --\(name) \(options[name] ?? "(none)"), "
                            + "\(reference.part) with \(reference.options[name] ?? "(none)"); parts made with different options "
                            + "cannot be merged: ingest them again with the same options")
                    }
                } else {
                    reference = (part, options)
                }
            }
            let dataset = try MDSDataset(directory: part, verify: .off)
            if dataset.count > 0, dataset.columns.contains(where: { $0.name == "image_format" }) {
                var values = Set<String>()
                for index in 0..<dataset.count { values.insert(try dataset.columnText("image_format", at: index)) }
                let value = values.sorted().joined(separator: ",")
                if let format, format.value != value {
                    throw ShardError(.conflict, "\(part) holds \(value) images, \(format.part) \(format.value); parts made "
                        + "with different image encodings cannot be merged: ingest them again with the same --image")
                }
                format = format ?? (part, value)
            }
        }
        // One record per image: an id in two parts (overlapping partitions, a part given under two names) is refused.
        var owner: [String: (part: String, sample: Int)] = [:]
        for part in parts {
            let dataset = try MDSDataset(directory: part, verify: .off)
            guard dataset.columns.contains(where: { $0.name == DuplicateKeys.column }) else { continue }
            for index in 0..<dataset.count {
                let id = try dataset.columnText(DuplicateKeys.column, at: index)
                if let earlier = owner.updateValue((part, index), forKey: id) {
                    throw ShardError(.conflict, "\(DuplicateKeys.column) \(id) is in \(earlier.part) (sample \(earlier.sample)) "
                        + "and in \(part) (sample \(index)): the parts overlap; merge parts of disjoint --partition i/N only")
                }
            }
        }
    }
}
