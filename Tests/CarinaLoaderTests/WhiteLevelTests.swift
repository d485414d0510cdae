import CarinaRecord
import CarinaShards
import Testing

@Suite struct WhiteLevelTests {
    @Test func sixteenBitSamplesUseTheirDeclaredRawRange() {
        // carina-record/1: the range is read from `meta`.
        let twelveBit = RecordReader(["meta": .json(#"{"bitsStored": 12, "rawValueRange": [0, 4095]}"#)])
        #expect(twelveBit.whiteLevel(bitDepth: 16) == 4095)
        // No meta, no range, or a range beyond 16 bits: the full scale of the bit depth.
        #expect(RecordReader([:]).whiteLevel(bitDepth: 16) == 65535)
        #expect(RecordReader(["meta": .json(#"{"bitsStored": 12}"#)]).whiteLevel(bitDepth: 16) == 65535)
        #expect(RecordReader(["meta": .json(#"{"rawValueRange": [0, 70000]}"#)]).whiteLevel(bitDepth: 16) == 65535)
        #expect(RecordReader(["meta": .json("not json")]).whiteLevel(bitDepth: 16) == 65535)
        // 8-bit images are always scaled by 255.
        #expect(twelveBit.whiteLevel(bitDepth: 8) == 255)
    }

    @Test func version2RecordsUseTheirRawRangeColumn() {
        var data: [UInt8] = []
        for v: UInt32 in [0, 1023] { data += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), 0, 0] }
        let record = RecordReader(["raw_range": .ndarray(NDArrayValue(dtype: .int32, shape: [2], data: data)),
                                   "meta": .json(#"{"rawValueRange": [0, 4095]}"#)])
        #expect(record.whiteLevel(bitDepth: 16) == 1023)
    }
}
