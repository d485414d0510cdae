import CarinaCore
@testable import CarinaShards
import CarinaTestSupport
import Foundation
import Testing

/// The reader and the verifier on a folder Carina wrote from the golden record samples.
@Suite struct ReaderTests {
    /// Writes the record samples (3 shards, sha1 hashes) and returns the folder.
    static func writeRecords() throws -> (TemporaryDirectory, GoldenCase) {
        let golden = try GoldenCase("record-3shards")
        let out = try TemporaryDirectory("reader")
        let writer = try MDSShardWriter(directory: out.path, columns: golden.columns, sizeLimit: golden.sizeLimit, hashes: ["sha1"])
        for sample in golden.samples { try writer.write(sample) }
        try writer.finish()
        return (out, golden)
    }

    @Test func readsEverySampleBackAcrossShards() throws {
        let (out, golden) = try Self.writeRecords()
        let dataset = try MDSDataset(directory: out.path)
        #expect(dataset.count == 6)
        #expect(dataset.shardNames.count == 3)
        #expect(dataset.shardSampleRanges == [0..<2, 2..<4, 4..<6])
        #expect(dataset.columns.map(\.name) == golden.columns.map(\.name).sorted())
        for i in 0..<dataset.count {
            let sample = try dataset.sample(at: i)
            for (column, value) in golden.samples[i] { #expect(sameValue(sample[column]!, value), "sample \(i) \(column)") }
            let raw = try dataset.rawSample(at: i)
            #expect(raw["image"].map(Array.init) == golden.samples[i]["image"]?.bytesValue)
        }
        let labels = try #require(try dataset.sample(at: 0)["labels"]?.floatArrayValue)
        #expect(labels.count == 14)
        #expect(labels.contains { $0.isNaN })
    }

    @Test(arguments: [-1, 6, 100])
    func outOfRangeIndexThrows(_ index: Int) throws {
        let (out, _) = try Self.writeRecords()
        let error = #expect(throws: ShardError.self) { _ = try MDSDataset(directory: out.path).sample(at: index) }
        #expect(error?.code == .outOfRange)
    }

    @Test func flippedSampleBitIsCaughtByReaderUnderEachPolicy() throws {
        let (out, _) = try Self.writeRecords()
        let dataset = try MDSDataset(directory: out.path)
        let (shardIndex, local) = try dataset.locate(4)
        let shardPath = out.path + "/" + dataset.shardNames[shardIndex]
        let range = try dataset.shards[shardIndex].range(of: local)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: shardPath)))
        bytes[range.lowerBound + range.count / 2] ^= 0x04
        try Data(bytes).write(to: URL(fileURLWithPath: shardPath))

        let failing = try MDSDataset(directory: out.path, verify: .fail)
        let error = #expect(throws: ShardError.self) { _ = try failing.sample(at: 4) }
        #expect(error?.code == .checksumMismatch)
        #expect(error?.sample == 4)
        #expect(error?.shard == dataset.shardNames[shardIndex])
        #expect(try failing.sample(at: 3).count == 18)
        #expect(try MDSDataset(directory: out.path, verify: .skip).sampleIfIntact(at: 4) == nil)
        #expect(try MDSDataset(directory: out.path, verify: .off).rawSample(at: 4).bytes.count == range.count)
    }

    @Test func missingSidecarIsRefusedUnlessChecksAreOff() throws {
        let (out, _) = try Self.writeRecords()
        try FileManager.default.removeItem(atPath: out.path + "/shard.00001.mds.crc32c")
        let error = #expect(throws: ShardError.self) { _ = try MDSDataset(directory: out.path) }
        #expect(error?.code == .missingChecksums)
        #expect(try MDSDataset(directory: out.path, verify: .off).count == 6)
    }

    @Test func verifierFindsAFlippedBitAnywhereAndNamesTheSample() throws {
        let (out, _) = try Self.writeRecords()
        #expect(try ShardVerifier.verify(directory: out.path).isIntact)
        let dataset = try MDSDataset(directory: out.path)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(files.count == 7)
        var generator = SplitMix64(seed: 42)
        for file in files {
            let url = URL(fileURLWithPath: out.path).appendingPathComponent(file)
            let original = [UInt8](try Data(contentsOf: url))
            // Every byte of small files, a seeded sample of positions in shards; the first and last byte always.
            var positions = Set([0, original.count - 1])
            let tries = original.count <= 600 ? original.count : 150
            for k in 0..<tries { positions.insert(original.count <= 600 ? k : Int(generator.next() % UInt64(original.count))) }
            for position in positions.sorted() {
                var bytes = original
                bytes[position] ^= UInt8(1) << UInt8(generator.next() % 8)
                try Data(bytes).write(to: url)
                let report = try? ShardVerifier.verify(directory: out.path)
                // An unreadable index.json throws: also a detection.
                #expect(report.map { !$0.isIntact } ?? true, "flip at \(file)[\(position)] went unnoticed")
                if file.hasSuffix(".mds"), let report, let shardIndex = dataset.shardNames.firstIndex(of: file) {
                    let shard = dataset.shards[shardIndex]
                    if position >= shard.headEnd {
                        let local = try (0..<shard.entry.samples).first { try shard.range(of: $0).contains(position) }!
                        let global = dataset.starts[shardIndex] + local
                        #expect(report.problems.contains { $0.sample == global && $0.shard == file },
                                "flip at \(file)[\(position)] should name sample \(global)")
                    }
                }
            }
            try Data(original).write(to: url)
        }
        #expect(try ShardVerifier.verify(directory: out.path).isIntact)
    }
}

@Suite struct EmptyAndBadInputTests {
    @Test func aDatasetWithNoSamplesHasAnEmptyIndexAndReadsAsEmpty() throws {
        let out = try TemporaryDirectory("empty")
        let writer = try MDSShardWriter(directory: out.path, columns: [ColumnSpec(name: "a", encoding: "str")])
        try writer.finish()
        // streaming.MDSWriter writes the same for no samples.
        #expect(try String(contentsOfFile: out.file("index.json"), encoding: .utf8) == #"{"shards": [], "version": 2}"#)
        #expect(try MDSDataset(directory: out.path).count == 0)
    }

    @Test func badColumnsAndValuesAreOneClearError() throws {
        let out = try TemporaryDirectory("bad")
        #expect(throws: ShardError.self) { _ = try MDSShardWriter(directory: out.path, columns: [ColumnSpec(name: "a", encoding: "png16")]) }
        #expect(throws: ShardError.self) { _ = try MDSShardWriter(directory: out.path, columns: [ColumnSpec(name: "a", encoding: "ndarray:float32:0")]) }
        #expect(throws: ShardError.self) { _ = try MDSShardWriter(directory: out.path, columns: [ColumnSpec(name: "a", encoding: "str")], hashes: ["xxh64", "sha1"]) }
        #expect(throws: ShardError.self) { _ = try MDSShardWriter(directory: out.path, columns: [ColumnSpec(name: "a", encoding: "str")], sizeLimit: 1 << 32) }
        let writer = try MDSShardWriter(directory: out.path, columns: [
            ColumnSpec(name: "labels", encoding: "ndarray:float32:14"), ColumnSpec(name: "n", encoding: "uint8"),
            ColumnSpec(name: "s", encoding: "str"),
        ])
        let good: [String: ColumnValue] = ["labels": .float32Array(Array(repeating: 0, count: 14)), "n": .int(3), "s": .string("x")]
        var wrongShape = good
        wrongShape["labels"] = .float32Array([1, 2])
        var outOfRange = good
        outOfRange["n"] = .int(256)
        var wrongType = good
        wrongType["s"] = .int(1)
        var missing = good
        missing["s"] = nil
        var extra = good
        extra["t"] = .string("?")
        for (bad, column) in [(wrongShape, "labels"), (outOfRange, "n"), (wrongType, "s"), (missing, "s"), (extra, "t")] {
            let error = #expect(throws: ShardError.self) { try writer.write(bad) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("`\(column)`") == true, "\(error?.message ?? "")")
        }
        // A rejected sample leaves nothing behind: the next good one is sample 0.
        try writer.write(good)
        try writer.finish()
        let dataset = try MDSDataset(directory: out.path)
        #expect(dataset.count == 1)
        #expect(try dataset.sample(at: 0)["n"] == .uint(3))
    }
}
