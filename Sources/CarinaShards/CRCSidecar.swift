/// Carina's per-shard checksum sidecar: a CRC-32C for every sample of one MDS shard, beside it as
/// `<shard basename>.crc32c` (e.g. `shard.00000.mds.crc32c`).
///
/// `streaming` ignores the file. Byte layout (little-endian):
///
/// | offset | width | field |
/// | --- | --- | --- |
/// | 0 | 8 | magic `CARCRC32` (ASCII) |
/// | 8 | 4 | format version, ``version`` (1) |
/// | 12 | 4 | sample count N (equals the shard's own count) |
/// | 16 | 4 | CRC-32C of the shard's head: bytes `0 ..< offsets[0]` (count, offset table, config JSON) |
/// | 20 | 4·N | CRC-32C of each sample's bytes `offsets[i] ..< offsets[i+1]` |
/// | 20+4N | 4 | CRC-32C of every byte before it (guards the sidecar itself) |
public struct CRCSidecar: Sendable, Equatable {
    /// The layout version written at offset 8.
    public static let version: UInt32 = 1
    /// The 8-byte magic at offset 0.
    static let magic: [UInt8] = Array("CARCRC32".utf8)
    /// The file name suffix appended to a shard's basename.
    public static let suffix = ".crc32c"

    /// CRC-32C of the shard's head (count, offset table, config JSON).
    public var headCRC: UInt32
    /// CRC-32C of each sample's bytes.
    public var sampleCRCs: [UInt32]

    public init(headCRC: UInt32, sampleCRCs: [UInt32]) {
        self.headCRC = headCRC
        self.sampleCRCs = sampleCRCs
    }

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        var out = CRCSidecar.magic
        out.reserveCapacity(24 + 4 * sampleCRCs.count)
        out.appendLittleEndian(CRCSidecar.version)
        out.appendLittleEndian(UInt32(sampleCRCs.count))
        out.appendLittleEndian(headCRC)
        for crc in sampleCRCs { out.appendLittleEndian(crc) }
        out.appendLittleEndian(CRC32C.checksum(out))
        return out
    }

    /// Parses a sidecar file.
    ///
    /// - Parameter name: the file's name, for error messages.
    /// - Throws: ``ShardError`` (`malformed`) on a wrong magic, version or size, or (`checksumMismatch`) when the
    ///   sidecar's own trailing CRC does not match.
    public init(decoding bytes: [UInt8], name: String) throws(ShardError) {
        guard bytes.count >= 24, Array(bytes[0..<8]) == CRCSidecar.magic else {
            throw ShardError(.malformed, "\(name): not a Carina CRC32C sidecar (bad magic or too short)")
        }
        let version = bytes.getLittleEndianUInt32(at: 8)
        guard version == CRCSidecar.version else {
            throw ShardError(.malformed, "\(name): sidecar version \(version) is not supported (expected \(CRCSidecar.version))")
        }
        let count = Int(bytes.getLittleEndianUInt32(at: 12))
        guard bytes.count == 24 + 4 * count else {
            throw ShardError(.malformed, "\(name): \(bytes.count) bytes but \(count) samples need \(24 + 4 * count)")
        }
        let stored = bytes.getLittleEndianUInt32(at: bytes.count - 4)
        guard CRC32C.checksum(bytes[0..<(bytes.count - 4)]) == stored else {
            throw ShardError(.checksumMismatch, "\(name): the sidecar itself is corrupt (its trailing CRC does not match)")
        }
        headCRC = bytes.getLittleEndianUInt32(at: 16)
        sampleCRCs = (0..<count).map { bytes.getLittleEndianUInt32(at: 20 + 4 * $0) }
    }
}
