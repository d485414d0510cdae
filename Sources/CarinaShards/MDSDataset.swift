import Foundation

/// Random access to the samples of an MDS v2 dataset folder (written by Carina or by `streaming.MDSWriter`),
/// across all its shards, with Carina's per-sample CRC-32C checks.
///
/// Shards are memory-mapped; a sample read copies only that sample's bytes. The type is immutable and `Sendable`:
/// many threads may read at once.
///
/// ```swift
/// let dataset = try MDSDataset(directory: "out/")
/// let first = try dataset.sample(at: 0)          // ["dicom_id": .string(...), "image": .bytes(...), ...]
/// ```
public final class MDSDataset: Sendable {
    /// The dataset folder.
    public let directory: String
    /// The parsed `index.json`.
    public let index: MDSIndex
    /// The columns, sorted by name.
    public let columns: [ColumnSpec]
    /// The CRC policy the dataset was opened with.
    public let policy: CRCPolicy
    let shards: [MDSShard]
    /// The global index of each shard's first sample, plus the total at the end.
    let starts: [Int]
    let encodings: [MDSEncoding]

    /// The number of samples in all shards.
    public var count: Int { starts.last ?? 0 }

    /// Opens a dataset folder.
    ///
    /// - Parameters:
    ///   - directory: the folder holding `index.json`.
    ///   - verify: the CRC policy; `.fail` and `.skip` require Carina's sidecars.
    /// - Throws: ``ShardError`` when the index or a shard is missing or malformed, the shards disagree on columns,
    ///   or (`missingChecksums`) a sidecar is missing under a checking policy.
    public init(directory: String, verify: CRCPolicy = .fail) throws(ShardError) {
        self.directory = directory
        policy = verify
        index = try MDSIndex(directory: directory)
        // A dataset with no samples has no shards, hence no columns.
        let first = index.shards.first
        columns = first?.columns ?? []
        var parsed = [MDSEncoding]()
        for spec in columns { parsed.append(try MDSEncoding(spec.encoding, column: spec.name)) }
        encodings = parsed
        var opened = [MDSShard]()
        var starts = [0]
        for entry in index.shards {
            guard entry.columns == columns else {
                throw ShardError(.malformed, "\(directory): shard \(entry.basename) has other columns than \(first?.basename ?? "")",
                                 shard: entry.basename)
            }
            opened.append(try MDSShard(entry: entry, directory: directory, policy: verify))
            starts.append(starts.last! + entry.samples)
        }
        shards = opened
        self.starts = starts
    }

    /// The shard holding global sample `index` and the sample's index within it.
    ///
    /// - Complexity: O(log shards).
    public func locate(_ index: Int) throws(ShardError) -> (shard: Int, local: Int) {
        guard index >= 0, index < count else {
            throw ShardError(.outOfRange, "sample \(index) is out of range: \(directory) holds \(count) samples", sample: index)
        }
        var lo = 0, hi = shards.count - 1  // count > 0, so at least one shard
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= index { lo = mid } else { hi = mid - 1 }
        }
        return (lo, index - starts[lo])
    }

    /// The global sample indices each shard holds, in order (for shard-wise shuffling and partitioning).
    public var shardSampleRanges: [Range<Int>] { zip(starts, starts.dropFirst()).map { $0..<$1 } }

    /// The basename (relative path) of each shard, in order.
    public var shardNames: [String] { index.shards.map(\.basename) }

    /// A sample's bytes, checked against its CRC-32C under `.fail`/`.skip`, with each column's range.
    ///
    /// - Throws: ``ShardError``: `outOfRange`, `checksumMismatch` (naming shard and sample), or `malformed`.
    public func rawSample(at index: Int) throws(ShardError) -> MDSRawSample {
        let (s, local) = try locate(index)
        let shard = shards[s]
        let range = try shard.range(of: local)
        let bytes = [UInt8](shard.data[range])
        if let sidecar = shard.sidecar, CRC32C.checksum(bytes) != sidecar.sampleCRCs[local] {
            throw ShardError(.checksumMismatch, "sample \(index) (shard \(shard.entry.basename), sample \(local) in the shard) "
                + "does not match its CRC32C: the shard is corrupt; re-write it", shard: shard.entry.basename, sample: index)
        }
        return try split(bytes, shard: shard, local: local, global: index)
    }

    /// A sample's columns, decoded (see ``MDSEncoding`` for which ``ColumnValue`` case each encoding gives).
    ///
    /// - Throws: as ``rawSample(at:)``, and `malformed` when a column's bytes do not decode.
    public func sample(at index: Int) throws(ShardError) -> [String: ColumnValue] {
        let raw = try rawSample(at: index)
        var out = [String: ColumnValue](minimumCapacity: columns.count)
        for (i, spec) in columns.enumerated() {
            do {
                out[spec.name] = try encodings[i].decode(raw.bytes[raw.ranges[i]], column: spec.name)
            } catch {
                throw ShardError(.malformed, "sample \(index): \(error.message)", shard: shardOf(index), sample: index)
            }
        }
        return out
    }

    /// The decoded sample, or `nil` when it fails its CRC-32C under the `.skip` policy.
    public func sampleIfIntact(at index: Int) throws(ShardError) -> [String: ColumnValue]? {
        do {
            return try sample(at: index)
        } catch where error.code == .checksumMismatch && policy == .skip {
            return nil
        }
    }

    /// The column encoding for a column name.
    public func encoding(of column: String) -> MDSEncoding? {
        columns.firstIndex { $0.name == column }.map { encodings[$0] }
    }

    private func shardOf(_ index: Int) -> String? {
        (try? locate(index)).map { self.index.shards[$0.shard].basename }
    }

    /// Cuts a sample into columns using the size header of its variable-size columns.
    private func split(_ bytes: [UInt8], shard: MDSShard, local: Int, global: Int) throws(ShardError) -> MDSRawSample {
        let variable = encodings.filter { $0.fixedSize == nil }.count
        func bad(_ why: String) -> ShardError {
            ShardError(.malformed, "sample \(global) (shard \(shard.entry.basename), sample \(local)): \(why)",
                       shard: shard.entry.basename, sample: global)
        }
        guard bytes.count >= 4 * variable else { throw bad("shorter than its size header") }
        var cursor = 4 * variable
        var v = 0
        var ranges = [Range<Int>]()
        ranges.reserveCapacity(encodings.count)
        for encoding in encodings {
            let size: Int
            if let fixed = encoding.fixedSize {
                size = fixed
            } else {
                size = Int(bytes.getLittleEndianUInt32(at: 4 * v))
                v += 1
            }
            guard cursor + size <= bytes.count else { throw bad("column sizes run past the sample's end") }
            ranges.append(cursor..<(cursor + size))
            cursor += size
        }
        guard cursor == bytes.count else { throw bad("\(bytes.count - cursor) bytes after the last column") }
        return MDSRawSample(bytes: bytes, columns: columns, ranges: ranges)
    }
}

extension MDSDataset {
    /// Reads sample `index` in place in the memory-mapped shard, without copying or decoding it: its CRC-32C is
    /// computed over the mapped bytes, and compared with the sidecar's when the dataset was opened with a checking
    /// policy (so every byte is read either way). Returns the sample's size in bytes.
    ///
    /// This is the floor of any reader: the shard bytes streamed out of the page cache once.
    ///
    /// - Throws: ``ShardError``: `outOfRange`, or `checksumMismatch` naming the shard and sample.
    public func checkSampleInPlace(at index: Int) throws(ShardError) -> Int {
        let (s, local) = try locate(index)
        let shard = shards[s]
        let range = try shard.range(of: local)
        let crc = unsafe shard.data.withUnsafeBytes { raw in
            unsafe CRC32C.update(0, UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[range]))
        }
        guard let sidecar = shard.sidecar else { return range.count }
        guard crc == sidecar.sampleCRCs[local] else {
            throw ShardError(.checksumMismatch, "sample \(index) (shard \(shard.entry.basename), sample \(local) in the shard) "
                + "does not match its CRC32C: the shard is corrupt; re-write it", shard: shard.entry.basename, sample: index)
        }
        return range.count
    }
}
