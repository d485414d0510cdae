/// Little-endian integer access on byte arrays: `append…` grows the array, `get…` reads without moving anything.
extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        for _ in 0..<(T.bitWidth / 8) {
            append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    @inline(__always)
    mutating func appendUTF8(_ text: String) {
        append(contentsOf: text.utf8)
    }
}

extension RandomAccessCollection where Element == UInt8, Index == Int {
    /// The little-endian `UInt32` at `offset` (the caller checks bounds).
    @inline(__always)
    func getLittleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16
            | UInt32(self[offset + 3]) << 24
    }

    /// The little-endian unsigned integer of `width` bytes at `offset` (the caller checks bounds).
    @inline(__always)
    func getLittleEndianUInt64(at offset: Int, width: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in stride(from: width - 1, through: 0, by: -1) { v = v << 8 | UInt64(self[offset + i]) }
        return v
    }
}
