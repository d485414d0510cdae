import CCRC32C

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF), computed with the
/// SSE4.2 `crc32` instruction where the processor has it, else with slicing-by-8 tables in software.
///
/// Check value: `CRC32C.checksum(Array("123456789".utf8)) == 0xE3069283`.
public enum CRC32C {
    /// Eight 256-entry tables, flat: entries `256k ..< 256(k+1)` advance a byte k positions further (k = 0 is the
    /// classic byte table).
    private static let table: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? 0x82F6_3B78 ^ (c >> 1) : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 { t[256 * k + i] = (t[256 * (k - 1) + i] >> 8) ^ t[Int(t[256 * (k - 1) + i] & 0xFF)] }
        }
        return t
    }()

    /// The CRC-32C of `data`.
    ///
    /// - Complexity: O(n), eight bytes per step.
    public static func checksum<C: RandomAccessCollection>(_ data: C) -> UInt32 where C.Element == UInt8, C.Index == Int {
        update(0, data)
    }

    /// The CRC-32C of a byte array (the fast path: contiguous storage, no generic dispatch).
    public static func checksum(_ data: [UInt8]) -> UInt32 { update(0, data[...]) }

    /// Continues a CRC-32C over contiguous bytes.
    public static func update(_ crc: UInt32, _ data: ArraySlice<UInt8>) -> UInt32 {
        unsafe data.withUnsafeBufferPointer { buffer in unsafe update(crc, buffer) }
    }

    /// Whether the SSE4.2 instruction is used (checked once).
    static let hardware = carina_crc32c_hardware_available() != 0

    /// Continues a CRC-32C over bytes in memory; the pointer does not escape.
    static func update(_ crc: UInt32, _ buffer: UnsafeBufferPointer<UInt8>) -> UInt32 {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return crc }
        if hardware { return unsafe carina_crc32c_update_hw(crc, base, buffer.count) }
        return unsafe updateSoftware(crc, buffer)
    }

    /// The slicing-by-8 software CRC-32C (also the reference the hardware path is tested against).
    static func updateSoftware(_ crc: UInt32, _ buffer: UnsafeBufferPointer<UInt8>) -> UInt32 {
        unsafe table.withUnsafeBufferPointer { t in
            var c = ~crc
            var i = 0
            let end = buffer.count
            while end - i >= 8 {
                let lo = c ^ (UInt32(unsafe buffer[i]) | UInt32(unsafe buffer[i + 1]) << 8 | UInt32(unsafe buffer[i + 2]) << 16
                    | UInt32(unsafe buffer[i + 3]) << 24)
                c = unsafe t[1792 + Int(lo & 0xFF)] ^ t[1536 + Int((lo >> 8) & 0xFF)] ^ t[1280 + Int((lo >> 16) & 0xFF)]
                    ^ t[1024 + Int(lo >> 24)] ^ t[768 + Int(buffer[i + 4])] ^ t[512 + Int(buffer[i + 5])]
                    ^ t[256 + Int(buffer[i + 6])] ^ t[Int(buffer[i + 7])]
                i += 8
            }
            while i < end {
                c = unsafe t[Int((c ^ UInt32(buffer[i])) & 0xFF)] ^ (c >> 8)
                i += 1
            }
            return ~c
        }
    }

    /// Continues a CRC-32C: `update(checksum(a), b) == checksum(a + b)`.
    public static func update<C: RandomAccessCollection>(_ crc: UInt32, _ data: C) -> UInt32
    where C.Element == UInt8, C.Index == Int {
        if let result = data.withContiguousStorageIfAvailable({ buffer in unsafe update(crc, buffer) }) { return result }
        // Collections without contiguous storage: one byte at a time.
        var c = ~crc
        for byte in data { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return ~c
    }
}
