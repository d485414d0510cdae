/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF), computed with
/// slicing-by-8 tables in software.
///
/// Check value: `CRC32C.checksum(Array("123456789".utf8)) == 0xE3069283`.
public enum CRC32C {
    /// Eight 256-entry tables: `tables[0]` is the classic byte table, `tables[k]` advances a byte k positions further.
    private static let tables: [[UInt32]] = {
        var t = [[UInt32]](repeating: [UInt32](repeating: 0, count: 256), count: 8)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? 0x82F6_3B78 ^ (c >> 1) : c >> 1 }
            t[0][i] = c
        }
        for i in 0..<256 {
            for k in 1..<8 { t[k][i] = (t[k - 1][i] >> 8) ^ t[0][Int(t[k - 1][i] & 0xFF)] }
        }
        return t
    }()

    /// The CRC-32C of `data`.
    ///
    /// - Complexity: O(n), eight bytes per step.
    public static func checksum<C: RandomAccessCollection>(_ data: C) -> UInt32 where C.Element == UInt8, C.Index == Int {
        update(0, data)
    }

    /// Continues a CRC-32C: `update(checksum(a), b) == checksum(a + b)`.
    public static func update<C: RandomAccessCollection>(_ crc: UInt32, _ data: C) -> UInt32
    where C.Element == UInt8, C.Index == Int {
        let t0 = tables[0], t1 = tables[1], t2 = tables[2], t3 = tables[3]
        let t4 = tables[4], t5 = tables[5], t6 = tables[6], t7 = tables[7]
        var c = ~crc
        var i = data.startIndex
        let end = data.endIndex
        while end - i >= 8 {
            let lo = c ^ (UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24)
            c = t7[Int(lo & 0xFF)] ^ t6[Int((lo >> 8) & 0xFF)] ^ t5[Int((lo >> 16) & 0xFF)] ^ t4[Int(lo >> 24)]
                ^ t3[Int(data[i + 4])] ^ t2[Int(data[i + 5])] ^ t1[Int(data[i + 6])] ^ t0[Int(data[i + 7])]
            i += 8
        }
        while i < end {
            c = t0[Int((c ^ UInt32(data[i])) & 0xFF)] ^ (c >> 8)
            i += 1
        }
        return ~c
    }
}
