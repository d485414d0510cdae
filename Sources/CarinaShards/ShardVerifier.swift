import Foundation

/// Checks everything that can be checked in an MDS dataset folder: `index.json` is canonical, each shard's size,
/// sample count and embedded configuration agree with its entry, every `index.json` hash, and every CRC-32C of the
/// sidecars (head and each sample). A flipped bit anywhere in the folder's files is reported, naming the file and,
/// inside a shard, the sample.
public enum ShardVerifier {
    /// The outcome of ``verify(directory:)``.
    public struct Report: Sendable {
        /// Every problem found, in folder order; empty when the folder is intact.
        public var problems: [ShardError] = []
        /// Shards checked.
        public var shards = 0
        /// Samples whose CRC-32C was checked.
        public var samples = 0
        /// Shard bytes read.
        public var bytes = 0
        /// Whether nothing was wrong.
        public var isIntact: Bool { problems.isEmpty }
    }

    /// Verifies a dataset folder.
    ///
    /// - Parameter requireSidecars: report shards without a CRC-32C sidecar (true for Carina's folders).
    /// - Throws: ``ShardError`` only when `index.json` is unreadable; every other problem goes into the report.
    /// - Complexity: reads every byte of every shard once.
    public static func verify(directory: String, requireSidecars: Bool = true) throws(ShardError) -> Report {
        var report = Report()
        let indexPath = (directory as NSString).appendingPathComponent(MDSIndex.fileName)
        let indexBytes = try DurableFile.read(indexPath)
        let index = try MDSIndex(decoding: indexBytes, name: indexPath)
        if index.encoded() != indexBytes {
            report.problems.append(ShardError(.malformed, "\(indexPath): not byte-identical to its canonical form "
                + "(json.dump sort_keys) — it was edited or is corrupt"))
        }
        var global = 0
        for entry in index.shards {
            defer { global += entry.samples }
            report.shards += 1
            let policy: CRCPolicy = requireSidecars
                || FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(entry.basename + CRCSidecar.suffix))
                ? .fail : .off
            let shard: MDSShard
            do {
                shard = try MDSShard(entry: entry, directory: directory, policy: policy)
            } catch {
                report.problems.append(error)
                continue
            }
            report.bytes += shard.data.count
            check(shard, global: global, into: &report)
        }
        // One record per id: a duplicated `dicom_id` (say, from a merge of overlapping parts) is a problem too.
        if report.isIntact, let dataset = try? MDSDataset(directory: directory, verify: .off),
           let duplicate = try DuplicateKeys.firstDuplicate(in: dataset) {
            report.problems.append(ShardError(.conflict, "\(DuplicateKeys.column) \(duplicate.id) is in sample \(duplicate.first) "
                + "and in sample \(duplicate.second): the dataset holds a record twice; rebuild it (or merge disjoint parts only)",
                sample: duplicate.second))
        }
        return report
    }

    private static func check(_ shard: MDSShard, global: Int, into report: inout Report) {
        let entry = shard.entry
        let name = entry.basename
        let config = Array(MDSShardEntry.configJSON(columns: entry.columns, sizeLimit: entry.sizeLimit,
                                                    hashAlgorithms: entry.hashAlgorithms, compression: entry.compression)
            .pythonText(sortKeys: true).utf8)
        let configStart = 4 * (entry.samples + 2)
        if shard.headEnd - configStart != config.count || [UInt8](shard.data[configStart..<shard.headEnd]) != config {
            report.problems.append(ShardError(.malformed, "shard \(name): its embedded configuration disagrees with "
                + "index.json (columns, size_limit or hashes)", shard: name))
        }
        if !entry.hashes.isEmpty {
            let whole = [UInt8](shard.data)
            for (algorithm, digest) in entry.hashes {
                guard let hash = ShardHash(rawValue: algorithm) else {
                    report.problems.append(ShardError(.invalidArgument, "shard \(name): hash `\(algorithm)` cannot be checked by Carina", shard: name))
                    continue
                }
                if hash.hexDigest(whole) != digest {
                    report.problems.append(ShardError(.checksumMismatch, "shard \(name): \(algorithm) does not match index.json", shard: name))
                }
            }
        }
        guard let sidecar = shard.sidecar else { return }
        if !shard.headIsIntact {
            report.problems.append(ShardError(.checksumMismatch, "shard \(name): its head (sample count, offset table, "
                + "configuration) does not match its CRC32C", shard: name))
        }
        for local in 0..<entry.samples {
            report.samples += 1
            let range: Range<Int>
            do {
                range = try shard.range(of: local)
            } catch {
                report.problems.append(ShardError(.malformed, "\(error.message) (sample \(global + local))", shard: name, sample: global + local))
                continue
            }
            if CRC32C.checksum([UInt8](shard.data[range])) != sidecar.sampleCRCs[local] {
                report.problems.append(ShardError(.checksumMismatch, "shard \(name), sample \(local) (global \(global + local)): "
                    + "bytes do not match the CRC32C", shard: name, sample: global + local))
            }
        }
    }
}
