/// The block walk shared by MD5, SHA-1 and SHA-256: 64-byte blocks, a `0x80` pad byte, zeros, then the message's bit
/// length as 8 bytes (big-endian for SHA, little-endian for MD5).
enum MerkleDamgard {
    /// One 64-byte block.
    struct Block {
        var bytes: [UInt8]
        func bigEndianWord(_ i: Int) -> UInt32 {
            UInt32(bytes[4 * i]) << 24 | UInt32(bytes[4 * i + 1]) << 16 | UInt32(bytes[4 * i + 2]) << 8 | UInt32(bytes[4 * i + 3])
        }
        func littleEndianWord(_ i: Int) -> UInt32 {
            UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16 | UInt32(bytes[4 * i + 3]) << 24
        }
    }

    static func blocks<C: RandomAccessCollection>(_ data: C, bigEndianLength: Bool, _ body: (Block) -> Void)
    where C.Element == UInt8, C.Index == Int {
        var block = Block(bytes: [UInt8](repeating: 0, count: 64))
        var start = data.startIndex
        while data.endIndex - start >= 64 {
            for i in 0..<64 { block.bytes[i] = data[start + i] }
            body(block)
            start += 64
        }
        var tail = Array(data[start...])
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        let bits = UInt64(data.count) &* 8
        for i in 0..<8 {
            let shift = bigEndianLength ? UInt64(8 * (7 - i)) : UInt64(8 * i)
            tail.append(UInt8(truncatingIfNeeded: bits >> shift))
        }
        for offset in stride(from: 0, to: tail.count, by: 64) {
            block.bytes = Array(tail[offset..<offset + 64])
            body(block)
        }
    }
}

extension UInt32 {
    @inline(__always) func rotl(_ n: UInt32) -> UInt32 { self << n | self >> (32 - n) }
    @inline(__always) func rotr(_ n: UInt32) -> UInt32 { self >> n | self << (32 - n) }
    var bigEndianBytes: [UInt8] { [UInt8(self >> 24), UInt8(truncatingIfNeeded: self >> 16), UInt8(truncatingIfNeeded: self >> 8), UInt8(truncatingIfNeeded: self)] }
}
