/// FNV-1a 64-bit over UTF-8 bytes: a hash that is the same on every machine and run, unlike `Hasher`.
public enum StableHash {
    public static func fnv1a(_ text: String, salt: String = "") -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in salt.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return hash
    }
}
