/// xxHash32 and xxHash64 with seed 0, as the `xxhash` Python package's `xxh32`/`xxh64` compute them.
enum XXHash {
    private static let p32: (UInt32, UInt32, UInt32, UInt32, UInt32) = (2_654_435_761, 2_246_822_519, 3_266_489_917, 668_265_263, 374_761_393)
    private static let p64: (UInt64, UInt64, UInt64, UInt64, UInt64) = (
        11_400_714_785_074_694_791, 14_029_467_366_897_019_727, 1_609_587_929_392_839_161,
        9_650_029_242_287_828_579, 2_870_177_450_012_600_261
    )

    static func hash32<C: RandomAccessCollection>(_ data: C) -> UInt32 where C.Element == UInt8, C.Index == Int {
        let (p1, p2, p3, p4, p5) = p32
        var i = data.startIndex
        let end = data.endIndex
        var h: UInt32
        func word(_ at: Int) -> UInt32 { data.getLittleEndianUInt32(at: at) }
        if data.count >= 16 {
            var v1 = p1 &+ p2, v2 = p2, v3: UInt32 = 0, v4 = 0 &- p1
            func round(_ acc: UInt32, _ input: UInt32) -> UInt32 { (acc &+ input &* p2).rotl(13) &* p1 }
            while end - i >= 16 {
                v1 = round(v1, word(i)); v2 = round(v2, word(i + 4)); v3 = round(v3, word(i + 8)); v4 = round(v4, word(i + 12))
                i += 16
            }
            h = v1.rotl(1) &+ v2.rotl(7) &+ v3.rotl(12) &+ v4.rotl(18)
        } else {
            h = p5
        }
        h = h &+ UInt32(truncatingIfNeeded: data.count)
        while end - i >= 4 {
            h = (h &+ word(i) &* p3).rotl(17) &* p4
            i += 4
        }
        while i < end {
            h = (h &+ UInt32(data[i]) &* p5).rotl(11) &* p1
            i += 1
        }
        h ^= h >> 15; h = h &* p2; h ^= h >> 13; h = h &* p3; h ^= h >> 16
        return h
    }

    static func hash64<C: RandomAccessCollection>(_ data: C) -> UInt64 where C.Element == UInt8, C.Index == Int {
        let (p1, p2, p3, p4, p5) = p64
        func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { x << r | x >> (64 - r) }
        func round(_ acc: UInt64, _ input: UInt64) -> UInt64 { rotl(acc &+ input &* p2, 31) &* p1 }
        func merge(_ acc: UInt64, _ val: UInt64) -> UInt64 { (acc ^ round(0, val)) &* p1 &+ p4 }
        var i = data.startIndex
        let end = data.endIndex
        func word64(_ at: Int) -> UInt64 { data.getLittleEndianUInt64(at: at, width: 8) }
        var h: UInt64
        if data.count >= 32 {
            var v1 = p1 &+ p2, v2 = p2, v3: UInt64 = 0, v4 = 0 &- p1
            while end - i >= 32 {
                v1 = round(v1, word64(i)); v2 = round(v2, word64(i + 8)); v3 = round(v3, word64(i + 16)); v4 = round(v4, word64(i + 24))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4)
        } else {
            h = p5
        }
        h = h &+ UInt64(data.count)
        while end - i >= 8 {
            h ^= round(0, word64(i))
            h = rotl(h, 27) &* p1 &+ p4
            i += 8
        }
        if end - i >= 4 {
            h ^= UInt64(data.getLittleEndianUInt32(at: i)) &* p1
            h = rotl(h, 23) &* p2 &+ p3
            i += 4
        }
        while i < end {
            h ^= UInt64(data[i]) &* p5
            h = rotl(h, 11) &* p1
            i += 1
        }
        h ^= h >> 33; h = h &* p2; h ^= h >> 29; h = h &* p3; h ^= h >> 32
        return h
    }
}
