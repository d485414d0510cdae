@testable import CarinaExport
import CarinaImage
@testable import CarinaRecord
@testable import CarinaShards
import CarinaTestSupport
import Foundation
import Testing

@Suite struct PNGAndNPYTests {
    static let folder = GoldenCase.root.deletingLastPathComponent().appendingPathComponent("png16")

    @Test(arguments: ["level0.png", "level6.png", "level9.png"])
    func sixteenBitPNGDecodesToPillowsPixels(_ file: String) throws {
        let png = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent(file)))
        let expected = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("pixels.u16le")))
        let decoded = try PNGCodec.decode(png)
        #expect(decoded.width == 120 && decoded.height == 96 && decoded.bitDepth == 16)
        #expect(decoded.pixels == stride(from: 0, to: expected.count, by: 2).map { UInt16(expected[$0]) | UInt16(expected[$0 + 1]) << 8 })
    }

    @Test func corruptPNGIsOneClearError() throws {
        var png = [UInt8](try Data(contentsOf: Self.folder.appendingPathComponent("level9.png")))
        png[png.count / 2] ^= 0xFF
        #expect(throws: (any Error).self) { _ = try PNGCodec.decode(png) }
        #expect(throws: (any Error).self) { _ = try PNGCodec.decode(Array(png.prefix(40))) }
    }

    @Test func npyHeaderIsNumpys() {
        let npy = NPYFile.encode(NDArrayValue(uint16: [1, 2, 3, 4, 5, 6], shape: [2, 3]))
        // numpy.save of np.arange(1, 7, dtype='<u2').reshape(2, 3): 128-byte header (format 1.0, 64-byte aligned).
        #expect(npy.count == 128 + 12)
        let header = String(decoding: npy[10..<128], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<u2', 'fortran_order': False, 'shape': (2, 3), }"))
        #expect(header.hasSuffix(" \n"))
        #expect(Array(npy[128...]) == [1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0])
        let vector = NPYFile.encode(NDArrayValue(float32: [1, 2]))
        #expect(String(decoding: vector[10..<64], as: UTF8.self).contains("'shape': (2,)"))
    }
}

@Suite struct ExportTests {
    /// Members of a ustar archive (name, data), read back.
    static func readTar(_ path: String) throws -> [(String, [UInt8])] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var out = [(String, [UInt8])]()
        var offset = 0
        while offset + 512 <= bytes.count, bytes[offset] != 0 {
            let header = bytes[offset..<(offset + 512)]
            let name = String(decoding: header.prefix(100).prefix { $0 != 0 }, as: UTF8.self)
            let size = Int(String(decoding: header[(offset + 124)..<(offset + 135)], as: UTF8.self), radix: 8)!
            #expect(String(decoding: header[(offset + 257)..<(offset + 262)], as: UTF8.self) == "ustar")
            out.append((name, Array(bytes[(offset + 512)..<(offset + 512 + size)])))
            offset += 512 + (size + 511) / 512 * 512
        }
        #expect(bytes.count == offset + 1024)
        return out
    }

    @Test func exportWritesAdjacentMembersNpyForSixteenBitAndAWidsIndex() throws {
        let (folder, golden) = try ReaderTests.writeRecords()
        let dataset = try MDSDataset(directory: folder.path)
        let out = try TemporaryDirectory("wds")
        let summary = try WebDatasetExport.export(dataset, to: out.path)
        #expect(summary.samples == 6)
        #expect(summary.tars == ["shard-000000.tar", "shard-000001.tar", "shard-000002.tar"])
        var members = [(String, [UInt8])]()
        for tar in summary.tars { members += try Self.readTar(out.path + "/" + tar) }
        #expect(members.count == 6 * 18)
        // Members of one record are adjacent and share the key.
        for (i, sample) in golden.samples.enumerated() {
            let key = sample["dicom_id"]!.stringValue!
            let group = members[(18 * i)..<(18 * i + 18)]
            #expect(group.allSatisfy { $0.0.hasPrefix(key + ".") })
            let format = sample["image_format"]!.stringValue!
            if format == "png16" {
                let npy = try #require(group.first { $0.0 == key + ".npy" })
                let pixels = try PNGCodec.decode(sample["image"]!.bytesValue!).pixels
                #expect(Array(npy.1.suffix(pixels.count * 2)) == NDArrayValue(uint16: pixels, shape: [32, 32]).data)
            } else {
                #expect(group.first { $0.0 == key + ".png" }?.1 == sample["image"]!.bytesValue)
            }
            #expect(group.first { $0.0 == key + ".report.txt" }?.1 == Array(sample["report"]!.stringValue!.utf8))
            #expect(group.first { $0.0 == key + ".labels.npy" } != nil)
        }
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out.path + "/index.wids.json"))) as! [String: Any]
        #expect(index["__kind__"] as? String == "wids-shard-index-v1")
        #expect((index["shardlist"] as! [[String: Any]]).map { $0["nsamples"] as! Int }.reduce(0, +) == 6)
        // Deterministic: a second export gives the same bytes.
        let again = try TemporaryDirectory("wds2")
        try WebDatasetExport.export(dataset, to: again.path)
        #expect(try folderContents(out.path) == folderContents(again.path))
    }
}

@Suite struct MergeAndStatsTests {
    @Test func mergeJoinsPartsWithoutCopyingAndReadsBack() throws {
        let golden = try GoldenCase("record-3shards")
        let root = try TemporaryDirectory("merge")
        for (p, range) in [(0, 0..<4), (1, 4..<6)] {
            let writer = try MDSShardWriter(directory: root.path + "/part\(p)", columns: golden.columns, sizeLimit: golden.sizeLimit)
            for sample in golden.samples[range] { try writer.write(sample) }
            try writer.finish()
        }
        let merged = try ShardMerge.merge(parts: [root.path + "/part0", root.path + "/part1"], into: root.path)
        #expect(merged.shards.first?.basename == "part0/shard.00000.mds")
        #expect(merged.sampleCount == 6)
        let dataset = try MDSDataset(directory: root.path)
        for i in 0..<6 { #expect(try dataset.sample(at: i)["dicom_id"] == golden.samples[i]["dicom_id"]) }
        #expect(try ShardVerifier.verify(directory: root.path).isIntact)
        // No shard bytes in the merged folder itself.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == ["index.json", "part0", "part1"])

        let outside = try TemporaryDirectory("merge-outside")
        let error = #expect(throws: ShardError.self) { try ShardMerge.merge(parts: [root.path + "/part0"], into: outside.path) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func mergeRefusesDifferentSchemas() throws {
        let root = try TemporaryDirectory("merge-schema")
        for (p, encoding) in [(0, "str"), (1, "bytes")] {
            let writer = try MDSShardWriter(directory: root.path + "/p\(p)", columns: [ColumnSpec(name: "a", encoding: encoding)])
            try writer.write(["a": .bytes([1])])
            try writer.finish()
        }
        let error = #expect(throws: ShardError.self) { try ShardMerge.merge(parts: [root.path + "/p0", root.path + "/p1"], into: root.path) }
        #expect(error?.code == .malformed)
    }

    @Test func statsCountViewsSplitsSectionsAndLabels() throws {
        let (folder, golden) = try ReaderTests.writeRecords()
        let stats = try ShardStats(dataset: MDSDataset(directory: folder.path))
        #expect(stats.samples == 6 && stats.shards == 3)
        #expect(stats.byColumnValue["view"] == ["PA": 2, "AP": 2, "LATERAL": 2])
        #expect(stats.byColumnValue["split"] == ["train": 2, "validate": 2, "test": 2])
        #expect(stats.byColumnValue["image_format"] == ["png8": 3, "png16": 3])
        // Sample 2 has an empty findings section.
        #expect(stats.sections == ["findings": 5, "impression": 6])
        #expect(stats.nonEmpty["findings"] == 5)
        var expected = [ShardStats.LabelCounts](repeating: .init(), count: 14)
        for sample in golden.samples {
            for (k, v) in sample["labels"]!.floatArrayValue!.enumerated() {
                if v.isNaN { expected[k].blank += 1 } else if v == 1 { expected[k].positive += 1 }
                else if v == -1 { expected[k].uncertain += 1 } else { expected[k].negative += 1 }
            }
        }
        #expect(stats.labels == expected)
        #expect(stats.columnBytes["image"] == golden.samples.map { $0["image"]!.bytesValue!.count }.reduce(0, +))
    }
}

/// A merged two-part record dataset and its WebDataset export, kept in `$CARINA_INTEROP_DIR` when set so
/// `Scripts/interop-check.sh $CARINA_INTEROP_DIR/merged --wds $CARINA_INTEROP_DIR/wds` can read them with Python.
@Suite struct InteropFolderTests {
    @Test func mergedDatasetAndExportAreIntact() throws {
        let golden = try GoldenCase("record-3shards")
        let scratch = try TemporaryDirectory("interop")
        let root = ProcessInfo.processInfo.environment["CARINA_INTEROP_DIR"] ?? scratch.path
        let merged = root + "/merged"
        try? FileManager.default.removeItem(atPath: root + "/merged")
        try? FileManager.default.removeItem(atPath: root + "/wds")
        for (p, range) in [(0, 0..<3), (1, 3..<6)] {
            let writer = try MDSShardWriter(directory: merged + "/part\(p)", columns: golden.columns, sizeLimit: golden.sizeLimit,
                                            hashes: ["sha1", "xxh64"])
            for sample in golden.samples[range] { try writer.write(sample) }
            try writer.finish()
        }
        try ShardMerge.merge(parts: [merged + "/part0", merged + "/part1"], into: merged)
        #expect(try ShardVerifier.verify(directory: merged).isIntact)
        let summary = try WebDatasetExport.export(MDSDataset(directory: merged), to: root + "/wds")
        #expect(summary.samples == 6)
    }
}
