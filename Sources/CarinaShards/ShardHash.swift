import CCrypto
import CXXHash

/// The per-shard hash algorithms of `index.json` (`hashes` option of `streaming.MDSWriter`) that Carina computes:
/// `md5`, `sha1`, `sha256` (as `hashlib`, through OpenSSL's libcrypto) and `xxh32`, `xxh64` (as the `xxhash`
/// package, through the reference xxHash library), each as the lowercase hex digest Python's `hexdigest()` returns.
public enum ShardHash: String, Sendable, CaseIterable, Comparable {
    case md5, sha1, sha256, xxh32, xxh64

    /// The hex digest of `data`.
    public func hexDigest<C: RandomAccessCollection>(_ data: C) -> String where C.Element == UInt8, C.Index == Int {
        var digest = data.withContiguousStorageIfAvailable { unsafe self.digest(of: $0) }
        if digest == nil { digest = unsafe Array(data).withUnsafeBufferPointer { unsafe self.digest(of: $0) } }
        return digest!.map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }

    public static func < (a: ShardHash, b: ShardHash) -> Bool { a.rawValue < b.rawValue }

    /// The digest's bytes (`EVP_Digest` for the message digests; `XXH32`/`XXH64` with seed 0, big-endian as
    /// `hexdigest()` writes them).
    private func digest(of buffer: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        // A non-nil pointer for an empty input, which both libraries accept with a length of 0.
        var empty: UInt8 = 0
        return unsafe withUnsafeMutablePointer(to: &empty) { fallback in
            let base = unsafe UnsafeRawPointer(buffer.baseAddress ?? UnsafePointer(fallback))
            switch self {
            case .md5, .sha1, .sha256:
                let algorithm = unsafe self == .md5 ? EVP_md5() : self == .sha1 ? EVP_sha1() : EVP_sha256()
                var out = [UInt8](repeating: 0, count: 64)  // EVP_MAX_MD_SIZE
                var length: UInt32 = 0
                let ok = unsafe out.withUnsafeMutableBufferPointer { o in
                    unsafe EVP_Digest(base, buffer.count, o.baseAddress, &length, algorithm, nil)
                }
                precondition(ok == 1, "libcrypto's EVP_Digest failed for \(rawValue)")
                return Array(out.prefix(Int(length)))
            case .xxh32:
                return bigEndianBytes(UInt64(unsafe XXH32(base, buffer.count, 0)), count: 4)
            case .xxh64:
                return bigEndianBytes(UInt64(unsafe XXH64(base, buffer.count, 0)), count: 8)
            }
        }
    }

    private func bigEndianBytes(_ v: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: v >> UInt64(8 * (count - 1 - $0))) }
    }
}
