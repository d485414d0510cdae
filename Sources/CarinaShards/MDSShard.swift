import CarinaCore
import Foundation

/// One MDS shard file, memory-mapped, with its sample offset table and (when checked) its CRC-32C sidecar.
final class MDSShard: Sendable {
    let entry: MDSShardEntry
    let path: String
    let data: Data
    let sidecar: CRCSidecar?
    /// Offset of the first sample (the end of the head: count, offset table, config JSON).
    let headEnd: Int

    /// Maps a shard and checks its head against its index entry.
    init(entry: MDSShardEntry, directory: String, policy: CRCPolicy) throws(ShardError) {
        self.entry = entry
        path = (directory as NSString).appendingPathComponent(entry.basename)
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw ShardError(.io, "cannot open shard \(path): \(FileErrorText.reason(error))", shard: entry.basename)
        }
        func bad(_ why: String) -> ShardError { ShardError(.malformed, "shard \(entry.basename): \(why)", shard: entry.basename) }
        guard data.count == entry.bytes else { throw bad("\(data.count) bytes on disk but index.json says \(entry.bytes)") }
        guard data.count >= 8 else { throw bad("too short for an MDS shard") }
        let count = Int(data.getLittleEndianUInt32(at: 0))
        guard count == entry.samples else { throw bad("holds \(count) samples but index.json says \(entry.samples)") }
        guard data.count >= 4 * (count + 2) else { throw bad("offset table runs past the end of the file") }
        headEnd = Int(data.getLittleEndianUInt32(at: 4))
        let last = Int(data.getLittleEndianUInt32(at: 4 + 4 * count))
        guard headEnd >= 4 * (count + 2), headEnd <= data.count, last == data.count else {
            throw bad("offset table does not span the file (first \(headEnd), last \(last), size \(data.count))")
        }
        if policy == .off {
            sidecar = nil
        } else {
            let sidecarPath = path + CRCSidecar.suffix
            guard FileManager.default.fileExists(atPath: sidecarPath) else {
                throw ShardError(.missingChecksums, "shard \(entry.basename) has no CRC32C sidecar (\(sidecarPath)); the "
                    + "shard was not written by Carina, or the sidecar was removed", shard: entry.basename)
            }
            let loaded = try CRCSidecar(decoding: DurableFile.read(sidecarPath), name: sidecarPath)
            guard loaded.sampleCRCs.count == count else {
                throw ShardError(.malformed, "\(sidecarPath) lists \(loaded.sampleCRCs.count) samples, the shard holds \(count)",
                                 shard: entry.basename)
            }
            sidecar = loaded
        }
    }

    /// The byte range of local sample `i`.
    func range(of i: Int) throws(ShardError) -> Range<Int> {
        let start = Int(data.getLittleEndianUInt32(at: 4 + 4 * i))
        let end = Int(data.getLittleEndianUInt32(at: 8 + 4 * i))
        guard headEnd <= start, start <= end, end <= data.count else {
            throw ShardError(.malformed, "shard \(entry.basename): sample \(i) has offsets \(start)..<\(end) outside the file",
                             shard: entry.basename)
        }
        return start..<end
    }

    /// Whether the head (count, offsets, config) matches the sidecar's CRC.
    var headIsIntact: Bool {
        guard let sidecar else { return true }
        return CRC32C.checksum([UInt8](data[0..<headEnd])) == sidecar.headCRC
    }
}

extension Data {
    /// The little-endian `UInt32` at `offset` from the start (the caller checks bounds).
    func getLittleEndianUInt32(at offset: Int) -> UInt32 {
        let b = startIndex + offset
        return UInt32(self[b]) | UInt32(self[b + 1]) << 8 | UInt32(self[b + 2]) << 16 | UInt32(self[b + 3]) << 24
    }
}
