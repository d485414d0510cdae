import CarinaCore
import Foundation

/// Writes an MDS v2 dataset folder byte-identical to `streaming.MDSWriter` (mosaicml-streaming 0.13) for the same
/// samples and options, plus Carina's CRC-32C sidecars, crash-safely and resumably.
///
/// Shard file layout (little-endian), as `MDSWriter.encode_joint_shard`:
///
/// | offset | width | field |
/// | --- | --- | --- |
/// | 0 | 4 | sample count N |
/// | 4 | 4·(N+1) | absolute byte offsets of each sample's start, then of the end of the file |
/// | 8+4N | C | the writer configuration, `json.dumps(config, sort_keys=True)` (see ``MDSShardEntry``) |
/// | 8+4N+C | … | the samples: per sample one uint32 size per variable-size column, then each column's bytes, columns in name order |
///
/// Rollover is `MDSWriter`'s: a sample goes into a new shard when the current one's size (`8 + C + Σ(sample+4)`)
/// plus this sample's `size + 4` would exceed `size_limit` (so a single oversized sample gets a shard of its own,
/// and an oversized first sample leaves an empty `shard.00000.mds`, as `streaming` does).
///
/// Memory: the open shard's samples wait in a spool file in the folder (``ShardSpool``), not in memory; at the flush
/// the head is written and the spool copied after it, past the page cache where the file system allows
/// (``DirectShardWrite``), so the writer holds one encoded sample, the offset table and a 1 MiB buffer, whatever the
/// size limit.
///
/// Crash safety: every shard, sidecar and progress file is written under `<name>.tmp`, flushed, and renamed; after
/// each shard the progress file `carina.progress.json` (an index of the completed shards) is replaced; `index.json`
/// is written last and the progress file then removed. Opening the folder again with `resume: true` keeps every
/// shard the progress file lists, drops the rest, and reports ``durableSampleCount``: the caller skips that many
/// samples and writes the rest, and the folder ends byte-identical to an uninterrupted run.
///
/// ```swift
/// let writer = try MDSShardWriter(directory: out, columns: columns, resume: true)
/// for sample in samples.dropFirst(writer.durableSampleCount) { try writer.write(sample) }
/// try writer.finish()
/// ```
public final class MDSShardWriter {
    /// The progress file's name inside the dataset folder.
    public static let progressFileName = "carina.progress.json"

    /// The dataset folder.
    public let directory: String
    /// The columns, sorted by name (code point order, as Python's `sorted`).
    public let columns: [ColumnSpec]
    /// The shard size limit in bytes (`nil`: one shard).
    public let sizeLimit: Int?
    /// The `index.json` hash algorithms, sorted.
    public let hashes: [ShardHash]

    private let encodings: [MDSEncoding]
    private let configBytes: [UInt8]
    var entries: [MDSShardEntry] = []
    var sidecarCRCs: [UInt32] = []
    /// The samples of the open shard, on disk until the shard is written.
    let spool: ShardSpool
    /// The sample being encoded (reused, so its capacity is allocated once).
    private var encoded: [UInt8] = []
    var sampleSizes: [Int] = []
    var shardSize: Int
    var finished = false

    /// Refuse a sample that does not fit in a shard of `sizeLimit` on its own (``ShardError/Code/sampleTooLarge``,
    /// naming its size) instead of giving it a shard of its own beyond the limit as `MDSWriter` does. The writer is
    /// unchanged by a refused sample, so the caller can go on with the next.
    public var refusesOversizedSamples = false
    /// What the `sampleTooLarge` error tells the caller to do (a command names its own options).
    public var oversizedSampleAdvice = "raise the shard size or make the sample smaller"

    /// Whether shards are written past the page cache where the file system allows it (``DirectShardWrite``); the
    /// bytes are the same either way.
    var writesShardsDirectly = true

    /// Called at each step of writing a file (for crash tests).
    var onStep: ((String) -> Void)?

    /// Samples already on disk from an earlier, interrupted run (0 for a fresh folder); skip this many.
    public internal(set) var durableSampleCount: Int = 0

    /// Samples in completed shards plus those waiting for the current shard.
    public var sampleCount: Int { entries.reduce(0) { $0 + $1.samples } + sampleSizes.count }

    /// Opens a dataset folder for writing.
    ///
    /// - Parameters:
    ///   - directory: the output folder (created if missing).
    ///   - columns: column names and MDS encodings, in any order.
    ///   - sizeLimit: shard size limit in bytes, below 2³²; `nil` or 0 writes one shard (`size_limit: null`).
    ///   - hashes: `index.json` hash algorithms (`md5`, `sha1`, `sha256`, `xxh32`, `xxh64`), sorted as
    ///     `streaming` requires; none by default, as `MDSWriter`.
    ///   - resume: continue a folder whose earlier run was interrupted (see ``durableSampleCount``). Without it, a
    ///     folder already holding a dataset or a partial run is refused.
    /// - Throws: ``ShardError`` for bad columns or options (`invalidArgument`), a folder that holds another or a
    ///   differently configured dataset (`conflict`), or file errors (`io`).
    public init(directory: String, columns: [ColumnSpec], sizeLimit: Int? = 1 << 26, hashes: [String] = [],
                resume: Bool = false) throws(ShardError) {
        self.directory = directory
        spool = ShardSpool(directory: directory)
        guard !columns.isEmpty else { throw ShardError(.invalidArgument, "an MDS dataset needs at least one column") }
        let sorted = columns.sorted { codePointPrecedes($0.name, $1.name) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.name == b.name {
            throw ShardError(.invalidArgument, "column `\(a.name)` is given twice")
        }
        self.columns = sorted
        var parsed = [MDSEncoding]()
        for spec in sorted { parsed.append(try MDSEncoding(spec.encoding, column: spec.name)) }
        encodings = parsed
        let limit = sizeLimit == 0 ? nil : sizeLimit
        if let limit, limit < 0 || limit >= 1 << 32 {
            throw ShardError(.invalidArgument, "size limit \(limit) must be in 1..<2^32 (shard offsets are uint32)")
        }
        self.sizeLimit = limit
        var algorithms = [ShardHash]()
        for name in hashes {
            guard let algorithm = ShardHash(rawValue: name) else {
                throw ShardError(.invalidArgument, "hash `\(name)` is not supported; use md5, sha1, sha256, xxh32 or xxh64")
            }
            algorithms.append(algorithm)
        }
        guard hashes == hashes.sorted() else {
            throw ShardError(.invalidArgument, "hashes must be given in sorted order, as streaming requires: \(hashes.sorted())")
        }
        self.hashes = algorithms
        configBytes = Array(MDSShardEntry.configJSON(columns: sorted, sizeLimit: limit, hashAlgorithms: hashes,
                                                     compression: nil).pythonText(sortKeys: true).utf8)
        shardSize = 8 + configBytes.count
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ShardError(.io, "cannot create \(directory): \(FileErrorText.reason(error))")
        }
        try openExisting(resume: resume)
    }

    /// Encodes one sample and appends it to the open shard's spool, first writing out the shard if the sample does
    /// not fit in it.
    ///
    /// - Parameter sample: a value for every column, keyed by column name.
    /// - Throws: ``ShardError`` (`invalidArgument`) for a missing, unknown or ill-typed column; (`io`) when a
    ///   shard cannot be written; (`conflict`) after ``finish()``.
    public func write(_ sample: [String: ColumnValue]) throws(ShardError) {
        if sample.count != columns.count {
            if let unknown = sample.keys.sorted().first(where: { key in !columns.contains { $0.name == key } }) {
                throw ShardError(.invalidArgument, "sample \(sampleCount) has column `\(unknown)`, which the dataset does not declare")
            }
        }
        // The size header first (patched below), then the columns.
        encoded.removeAll(keepingCapacity: true)
        let variableCount = encodings.count { $0.fixedSize == nil }
        encoded.append(contentsOf: repeatElement(0, count: 4 * variableCount))
        var variable = 0
        for (spec, encoding) in zip(columns, encodings) {
            guard let value = sample[spec.name] else {
                throw ShardError(.invalidArgument, "sample \(sampleCount) lacks column `\(spec.name)`")
            }
            let columnStart = encoded.count
            try encoding.encode(value, column: spec.name, into: &encoded)
            let size = encoded.count - columnStart
            if let fixed = encoding.fixedSize {
                guard size == fixed else {
                    throw ShardError(.invalidArgument, "sample \(sampleCount) column `\(spec.name)`: encoded to \(size) bytes, expected \(fixed)")
                }
            } else {
                guard size < 1 << 32 else {
                    throw ShardError(.invalidArgument, "sample \(sampleCount) column `\(spec.name)` is 4 GiB or more")
                }
                for k in 0..<4 { encoded[4 * variable + k] = UInt8(truncatingIfNeeded: size >> (8 * k)) }
                variable += 1
            }
        }
        let encodedSize = encoded.count
        if refusesOversizedSamples, let sizeLimit, 8 + configBytes.count + encodedSize + 4 > sizeLimit {
            throw ShardError(.sampleTooLarge, "a sample of \(encodedSize) bytes does not fit in a shard of the "
                + "\(sizeLimit)-byte limit; \(oversizedSampleAdvice)", sample: sampleCount)
        }
        // Checked after the size, so that a finished folder's run again refuses an oversized record as the first run did.
        guard !finished else {
            throw ShardError(.conflict, "\(directory): the dataset is finished (index.json written); nothing more can be added")
        }
        // MDSWriter: `if size_limit and size_limit < new_shard_size + len(sample) + 4: flush`. The only empty flush
        // it can make is before the first sample; a resumed writer starts after a flush and must not repeat it.
        if let sizeLimit, sizeLimit < shardSize + encodedSize + 4, !sampleSizes.isEmpty || entries.isEmpty {
            try flushShard()
        }
        try spool.append(encoded)
        sidecarCRCs.append(CRC32C.update(0, encoded))
        sampleSizes.append(encodedSize)
        shardSize += encodedSize + 4
    }

    /// Writes the last shard and `index.json`, then removes the progress file.
    ///
    /// - Throws: ``ShardError`` (`io`) when a file cannot be written.
    public func finish() throws(ShardError) {
        if !finished {
            if !sampleSizes.isEmpty { try flushShard() }
            try DurableFile.write([MDSIndex(shards: entries).encoded()], to: path(MDSIndex.fileName), step: onStep)
            finished = true
        }
        spool.remove()
        try? FileManager.default.removeItem(atPath: path(MDSShardWriter.progressFileName))
        onStep?("progress removed")
    }

    /// Adopts the shards an earlier run completed.
    func restore(entries listed: [MDSShardEntry], finished complete: Bool) {
        entries = listed
        finished = complete
        durableSampleCount = listed.reduce(0) { $0 + $1.samples }
    }

    // MARK: - Shards

    private func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    static func shardName(_ index: Int) -> String {
        let digits = String(index)
        return "shard." + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".mds"
    }

    private func flushShard() throws(ShardError) {
        let count = sampleSizes.count
        var head = [UInt8]()
        head.reserveCapacity(8 + 4 * count + configBytes.count)
        head.appendLittleEndian(UInt32(count))
        var offset = 4 + 4 * (count + 1) + configBytes.count
        head.appendLittleEndian(UInt32(offset))
        for size in sampleSizes {
            offset += size
            head.appendLittleEndian(UInt32(truncatingIfNeeded: offset))
        }
        head.append(contentsOf: configBytes)
        let basename = MDSShardWriter.shardName(entries.count)
        try DurableFile.write([head], then: spool, to: path(basename), direct: writesShardsDirectly, step: onStep)
        let bytes = head.count + spool.count
        let digests = hashes.isEmpty ? [] : try Self.digests(of: path(basename), hashes)
        let sidecar = CRCSidecar(headCRC: CRC32C.checksum(head), sampleCRCs: sidecarCRCs)
        try DurableFile.write([sidecar.encoded()], to: path(basename + CRCSidecar.suffix), step: onStep)
        entries.append(MDSShardEntry(
            basename: basename, bytes: bytes, samples: count, hashes: digests, columns: columns,
            sizeLimit: sizeLimit, hashAlgorithms: hashes.map(\.rawValue)))
        try DurableFile.write([MDSIndex(shards: entries).encoded()], to: path(MDSShardWriter.progressFileName), step: onStep)
        spool.reset()
        sampleSizes.removeAll(keepingCapacity: true)
        sidecarCRCs.removeAll(keepingCapacity: true)
        shardSize = 8 + configBytes.count
    }

    /// The `index.json` digests of a written shard, hashed from the file mapped into memory (the hashes are
    /// computed over the whole file at once, as `MDSWriter` does).
    private static func digests(of path: String, _ hashes: [ShardHash]) throws(ShardError) -> [(String, String)] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw ShardError(.io, "cannot read back \(path) to hash it: \(FileErrorText.reason(error))")
        }
        return unsafe data.withUnsafeBytes { raw in
            let bytes = unsafe raw.bindMemory(to: UInt8.self)
            return hashes.map { ($0.rawValue, $0.hexDigest(unsafe bytes)) }
        }
    }
}
