import CarinaShards
import Testing
@testable import CarinaLoader

@Suite struct WhiteLevelTests {
    @Test func sixteenBitSamplesUseTheirDeclaredRawRange() {
        let twelveBit: [String: ColumnValue] = ["meta": .json(#"{"bitsStored": 12, "rawValueRange": [0, 4095]}"#)]
        #expect(WhiteLevel.of(twelveBit, bitDepth: 16) == 4095)
        // No meta, no range, or a range beyond 16 bits: the full scale of the bit depth.
        #expect(WhiteLevel.of([:], bitDepth: 16) == 65535)
        #expect(WhiteLevel.of(["meta": .json(#"{"bitsStored": 12}"#)], bitDepth: 16) == 65535)
        #expect(WhiteLevel.of(["meta": .json(#"{"rawValueRange": [0, 70000]}"#)], bitDepth: 16) == 65535)
        #expect(WhiteLevel.of(["meta": .json("not json")], bitDepth: 16) == 65535)
        // 8-bit images are always scaled by 255.
        #expect(WhiteLevel.of(twelveBit, bitDepth: 8) == 255)
    }
}
