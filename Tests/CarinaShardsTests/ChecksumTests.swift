@testable import CarinaShards
import Testing

@Suite struct ChecksumTests {
    @Test func crc32cCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // RFC 3720 (iSCSI) B.4 vectors: 32 zero bytes, 32 0xFF bytes, 0...31.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }

    @Test(arguments: [0, 1, 7, 8, 9, 63, 64, 65, 1000])
    func crc32cSlicingMatchesBytewiseLoopAndComposes(_ length: Int) {
        let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var naive: UInt32 = 0xFFFF_FFFF
        for byte in data {
            naive ^= UInt32(byte)
            for _ in 0..<8 { naive = naive & 1 != 0 ? 0x82F6_3B78 ^ (naive >> 1) : naive >> 1 }
        }
        #expect(CRC32C.checksum(data) == ~naive)
        let cut = length / 3
        #expect(CRC32C.update(CRC32C.checksum(data[..<cut]), data[cut...]) == CRC32C.checksum(data))
    }

    @Test func hashDigestsMatchKnownVectors() {
        let abc = Array("abc".utf8)
        #expect(ShardHash.md5.hexDigest(abc) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(ShardHash.sha1.hexDigest(abc) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(ShardHash.sha256.hexDigest(abc) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ShardHash.xxh32.hexDigest([UInt8]()) == "02cc5d05")
        #expect(ShardHash.xxh64.hexDigest([UInt8]()) == "ef46db3751d8e999")
    }

    @Test func sidecarRoundTripsAndDetectsItsOwnCorruption() throws {
        let sidecar = CRCSidecar(headCRC: 0xDEAD_BEEF, sampleCRCs: [1, 2, 0xFFFF_FFFF])
        var bytes = sidecar.encoded()
        #expect(bytes.count == 24 + 12)
        #expect(try CRCSidecar(decoding: bytes, name: "x") == sidecar)
        bytes[21] ^= 0x10
        let error = #expect(throws: ShardError.self) { _ = try CRCSidecar(decoding: bytes, name: "x") }
        #expect(error?.code == .checksumMismatch)
    }
}

@Suite struct JSONValueTests {
    @Test func floatsPrintAsPythonRepr() {
        let values: [Double] = [1e16, 1e15, 123456789012345678.0, 0.0001, 1e-05, 2.5e-08, -0.0, 100.0, 1.5, 0.1, 1.0 / 3.0,
                                5e-324, 1.7976931348623157e308, .nan, -.infinity, 12345.678, 1e22, 9007199254740993.0]
        let text = JSONValue.array(values.map { .double($0) }).pythonText()
        // json.dumps of the same list in CPython 3.11.
        #expect(text == "[1e+16, 1000000000000000.0, 1.2345678901234568e+17, 0.0001, 1e-05, 2.5e-08, -0.0, 100.0, 1.5, "
            + "0.1, 0.3333333333333333, 5e-324, 1.7976931348623157e+308, NaN, -Infinity, 12345.678, 1e+22, 9007199254740992.0]")
    }

    @Test func stringsAndKeysMatchPythonJsonDumpsSortKeys() {
        let value = JSONValue.object([
            ("b", .int(1)),
            ("a", .array([.string("é\n\"q\"\\"), .null, .bool(true), .bool(false), .string("😀\u{01}\u{7f}")])),
            ("Z", .object([])), ("é", .array([])), ("e\u{301}", .int(0)),
        ])
        #expect(value.pythonText(sortKeys: true) == #"{"Z": {}, "a": ["\u00e9\n\"q\"\\", null, true, false, "\ud83d\ude00\u0001\u007f"], "b": 1, "e\u0301": 0, "\u00e9": []}"#)
    }

    @Test func halfFloatsRoundAsNumpy() {
        let inputs: [Float] = [1.0, 65504.0, 1e-7, 6.1e-5, 0.333333, 70000.0, -2.5, 5.96e-8, 3e-8]
        let expected: [UInt16] = [0x3c00, 0x7bff, 0x2, 0x3ff, 0x3555, 0x7c00, 0xc100, 0x1, 0x1]
        #expect(inputs.map(HalfFloat.bits(from:)) == expected)
        #expect(HalfFloat.float(from: 0x3555) == Float(0.33325195))
        #expect(HalfFloat.float(from: 0x1) == Float(5.9604645e-08))
    }
}

@Suite struct JSONRoundTripTests {
    @Test func parsedGoldenJSONColumnsReserialiseToPythonsBytes() throws {
        // Every json column of the golden inputs was written by Python's json.dumps; objects there keep insertion
        // order, so compare after sorting keys on both sides.
        for name in ["record-3shards", "encodings-default"] {
            for sample in try GoldenCase(name).samples {
                for case .json(let text) in sample.values {
                    let value = try #require(JSONValue(parsing: text), "\(text)")
                    let reparsed = try #require(JSONValue(parsing: value.pythonText()))
                    #expect(reparsed == value)
                }
            }
        }
    }
}
