/// The per-shard hash algorithms of `index.json` (`hashes` option of `streaming.MDSWriter`) that Carina computes
/// itself: `md5`, `sha1`, `sha256` (as `hashlib`) and `xxh32`, `xxh64` (as the `xxhash` package), each as the
/// lowercase hex digest Python's `hexdigest()` returns.
public enum ShardHash: String, Sendable, CaseIterable, Comparable {
    case md5, sha1, sha256, xxh32, xxh64

    /// The hex digest of `data`.
    public func hexDigest<C: RandomAccessCollection>(_ data: C) -> String where C.Element == UInt8, C.Index == Int {
        let digest: [UInt8]
        switch self {
        case .md5: digest = MD5.hash(data)
        case .sha1: digest = SHA1.hash(data)
        case .sha256: digest = SHA256.hash(data)
        case .xxh32: digest = bigEndianBytes(UInt64(XXHash.hash32(data)), count: 4)
        case .xxh64: digest = bigEndianBytes(XXHash.hash64(data), count: 8)
        }
        return digest.map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }

    public static func < (a: ShardHash, b: ShardHash) -> Bool { a.rawValue < b.rawValue }

    private func bigEndianBytes(_ v: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: v >> UInt64(8 * (count - 1 - $0))) }
    }
}
