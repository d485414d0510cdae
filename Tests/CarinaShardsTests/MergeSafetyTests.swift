import Foundation
import Testing
import CarinaTestSupport
@testable import CarinaShards

/// `shards merge` never makes a dataset with one record twice or records of different encodings, and `verify` finds
/// a duplicated id.
@Suite struct MergeSafetyTests {
    static func part(_ root: String, _ name: String, _ samples: ArraySlice<[String: ColumnValue]>,
                     _ golden: GoldenCase, format: String? = "png16") throws {
        let writer = try MDSShardWriter(directory: root + "/" + name, columns: golden.columns, sizeLimit: golden.sizeLimit)
        for var sample in samples {
            if let format { sample["image_format"] = .string(format) }
            try writer.write(sample)
        }
        try writer.finish()
    }

    @Test func overlappingPartsAreRefusedNamingTheId() throws {
        let golden = try GoldenCase("record-3shards")
        let root = try TemporaryDirectory("merge")
        try Self.part(root.path, "part0", golden.samples[0..<4], golden)
        try Self.part(root.path, "part1", golden.samples[3..<6], golden)
        let error = try #require(throws: ShardError.self) {
            try ShardMerge.merge(parts: [root.path + "/part0", root.path + "/part1"], into: root.path)
        }
        #expect(error.message.contains("is in \(root.path)/part0 (sample 3) and in \(root.path)/part1 (sample 0)"), "\(error.message)")
        #expect(!FileManager.default.fileExists(atPath: root.file("index.json")))
    }

    @Test func partsOfOtherImageEncodingsAreRefused() throws {
        let golden = try GoldenCase("record-3shards")
        #expect(golden.columns.contains { $0.name == "image_format" })
        let root = try TemporaryDirectory("merge")
        try Self.part(root.path, "part0", golden.samples[0..<3], golden, format: "png16")
        try Self.part(root.path, "part1", golden.samples[3..<6], golden, format: "png8")
        let error = try #require(throws: ShardError.self) {
            try ShardMerge.merge(parts: [root.path + "/part0", root.path + "/part1"], into: root.path)
        }
        #expect(error.message.contains("holds png8 images"), "\(error.message)")
    }

    @Test func partsIngestedWithOtherOptionsAreRefused() throws {
        let golden = try GoldenCase("record-3shards")
        let root = try TemporaryDirectory("merge")
        try Self.part(root.path, "part0", golden.samples[0..<3], golden)
        try Self.part(root.path, "part1", golden.samples[3..<6], golden)
        for (part, transform, partition) in [("part0", "raw", "0/2"), ("part1", "window", "1/2")] {
            try Data("option\ttransform\t\(transform)\noption\tpartition\t\(partition)\n".utf8)
                .write(to: URL(fileURLWithPath: root.path + "/\(part)/carina.fingerprint.tsv"))
        }
        let error = try #require(throws: ShardError.self) {
            try ShardMerge.merge(parts: [root.path + "/part0", root.path + "/part1"], into: root.path)
        }
        #expect(error.message.contains("--transform window"), "\(error.message)")
        // The same options (partitions differ, as they must) merge.
        try Data("option\ttransform\traw\noption\tpartition\t1/2\n".utf8)
            .write(to: URL(fileURLWithPath: root.path + "/part1/carina.fingerprint.tsv"))
        #expect(try ShardMerge.merge(parts: [root.path + "/part0", root.path + "/part1"], into: root.path).sampleCount == 6)
    }

    @Test func verifyFindsADuplicatedId() throws {
        let golden = try GoldenCase("record-3shards")
        let root = try TemporaryDirectory("dup")
        let writer = try MDSShardWriter(directory: root.path, columns: golden.columns, sizeLimit: golden.sizeLimit)
        for sample in golden.samples + [golden.samples[1]] { try writer.write(sample) }
        try writer.finish()
        let report = try ShardVerifier.verify(directory: root.path)
        #expect(!report.isIntact)
        #expect(report.problems.contains { $0.message.contains("is in sample 1 and in sample \(golden.samples.count)") },
                "\(report.problems)")
    }

    @Test func columnTextReadsTheIdInPlace() throws {
        let golden = try GoldenCase("record-3shards")
        let dataset = try MDSDataset(directory: golden.expectedDirectory, verify: .off)
        for i in 0..<dataset.count {
            #expect(try ColumnValue.string(dataset.columnText("dicom_id", at: i)) == dataset.sample(at: i)["dicom_id"])
        }
    }
}
