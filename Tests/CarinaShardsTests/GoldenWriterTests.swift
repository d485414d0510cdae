import CarinaShards
import CarinaTestSupport
import Foundation
import Testing

/// Carina's writer against the bytes `streaming.MDSWriter` wrote for the same samples (Scripts/shards-golden.py).
@Suite struct GoldenWriterTests {
    @Test(arguments: GoldenCase.names)
    func writerMatchesStreamingByteForByte(_ name: String) throws {
        let golden = try GoldenCase(name)
        let out = try TemporaryDirectory("golden")
        let writer = try MDSShardWriter(directory: out.path, columns: golden.columns, sizeLimit: golden.sizeLimit,
                                        hashes: golden.hashes)
        for sample in golden.samples { try writer.write(sample) }
        try writer.finish()

        let expected = try folderContents(golden.expectedDirectory)
        let written = try folderContents(out.path)
        #expect(expected.count >= 2)
        for (file, bytes) in expected {
            let mine = try #require(written[file], "Carina did not write \(file)")
            #expect(mine == bytes, "\(name)/\(file) differs from streaming.MDSWriter's")
        }
        // Besides streaming's files, only one CRC32C sidecar per shard.
        let extra = Set(written.keys).subtracting(expected.keys)
        let shards = expected.keys.filter { $0.hasSuffix(".mds") }
        #expect(extra == Set(shards.map { $0 + ".crc32c" }))
    }

    @Test(arguments: GoldenCase.names)
    func readerDecodesStreamingsFolder(_ name: String) throws {
        let golden = try GoldenCase(name)
        let dataset = try MDSDataset(directory: golden.expectedDirectory, verify: .off)
        #expect(dataset.count == golden.samples.count)
        for (i, expected) in golden.samples.enumerated() {
            let sample = try dataset.sample(at: i)
            #expect(Set(sample.keys) == Set(expected.keys))
            for (column, value) in expected {
                #expect(sameValue(sample[column]!, value), "sample \(i) column \(column)")
            }
        }
    }

    @Test func recordCaseSpansSeveralShards() throws {
        let index = try MDSIndex(directory: GoldenCase("record-3shards").expectedDirectory)
        #expect(index.shards.count == 3)
        #expect(index.shards.map(\.samples).reduce(0, +) == 6)
    }

    @Test func oversizedFirstSampleLeavesAnEmptyFirstShardAsStreamingDoes() throws {
        let index = try MDSIndex(directory: GoldenCase("oversize-first").expectedDirectory)
        #expect(index.shards.first?.samples == 0)
    }
}

/// Value equality that compares floats by bits (NaN included) and treats a 1-D float32 array and the same
/// `.ndarray` as equal, since the reader returns the former.
func sameValue(_ a: ColumnValue, _ b: ColumnValue) -> Bool {
    switch (a, b) {
    case (.float32(let x), .float32(let y)): return x.bitPattern == y.bitPattern
    case (.float64(let x), .float64(let y)): return x.bitPattern == y.bitPattern
    case (.float32Array(let x), _):
        guard let y = b.floatArrayValue else { return false }
        return x.map(\.bitPattern) == y.map(\.bitPattern)
    case (.ndarray(let x), .ndarray(let y)): return x == y
    case (.int(let x), .uint(let y)), (.uint(let y), .int(let x)): return x >= 0 && UInt64(x) == y
    default: return a == b
    }
}
