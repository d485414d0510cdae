import Testing
@testable import CarinaShards

@Suite struct CRC32CHardwareTests {
    /// The SSE4.2 path and the software tables agree on every length around the 8-byte step, around the three-stream
    /// blocks (3 × 256 and 3 × 8192 bytes) and on large buffers.
    @Test func hardwareEqualsSoftware() {
        var state: UInt64 = 0x1234_5678
        var bytes = [UInt8](repeating: 0, count: 200_000)
        for i in bytes.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[i] = UInt8(truncatingIfNeeded: state >> 33)
        }
        for length in Array(0...40) + [767, 768, 769, 4095, 4096, 4097, 24_575, 24_576, 24_576 + 768 + 13, 70_000, 200_000] {
            let slice = Array(bytes[0..<length])
            let software = unsafe slice.withUnsafeBufferPointer { unsafe CRC32C.updateSoftware(0, $0) }
            #expect(CRC32C.checksum(slice) == software, "length \(length)")
        }
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }
}
