@testable import CarinaShards
import CarinaTestSupport
import Foundation
import Testing

/// The open shard's samples wait in a spool file in the dataset folder, not in memory, and the file never outlives
/// the writer's work.
@Suite struct SpoolTests {
    static let columns = [ColumnSpec(name: "blob", encoding: "bytes"), ColumnSpec(name: "id", encoding: "int")]

    static func sample(_ i: Int, size: Int) -> [String: ColumnValue] {
        ["blob": .bytes((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }), "id": .int(Int64(i))]
    }

    @Test func theOpenShardIsSpooledToDiskAndTheSpoolIsGoneAfterFinish() throws {
        let out = try TemporaryDirectory("spool")
        let writer = try MDSShardWriter(directory: out.path, columns: Self.columns, sizeLimit: 1 << 20)
        let spoolPath = out.path + "/" + ShardSpool.fileName
        for i in 0..<3 { try writer.write(Self.sample(i, size: 100_000)) }
        // Three samples of 4 (size header) + 100,000 + 8 bytes each, all in the spool, none in a shard yet.
        let spooled = try FileManager.default.attributesOfItem(atPath: spoolPath)[.size] as? Int
        #expect(spooled == 3 * 100_012)
        #expect(!FileManager.default.fileExists(atPath: out.path + "/shard.00000.mds"))
        // The 11th sample no longer fits in 1 MiB: the first ten become shard 0 and the spool starts again.
        for i in 3..<11 { try writer.write(Self.sample(i, size: 100_000)) }
        #expect(FileManager.default.fileExists(atPath: out.path + "/shard.00000.mds"))
        #expect(try FileManager.default.attributesOfItem(atPath: spoolPath)[.size] as? Int == 100_012)
        try writer.finish()
        #expect(!FileManager.default.fileExists(atPath: spoolPath))
        let dataset = try MDSDataset(directory: out.path)
        #expect(dataset.count == 11)
        for i in [0, 9, 10] {
            let record = try dataset.sample(at: i)
            #expect(record["id"] == .int(Int64(i)))
            #expect(record["blob"] == Self.sample(i, size: 100_000)["blob"])
        }
    }

    @Test func aLeftoverSpoolMarksAnInterruptedRunAndResumeRemovesIt() throws {
        let out = try TemporaryDirectory("spool-left")
        do {
            let writer = try MDSShardWriter(directory: out.path, columns: Self.columns, sizeLimit: 1 << 20)
            for i in 0..<3 { try writer.write(Self.sample(i, size: 1000)) }
            // Abandoned without finish(), as a killed process leaves it.
        }
        #expect(FileManager.default.fileExists(atPath: out.path + "/" + ShardSpool.fileName))
        #expect(throws: ShardError.self) { _ = try MDSShardWriter(directory: out.path, columns: Self.columns, sizeLimit: 1 << 20) }
        let resumed = try MDSShardWriter(directory: out.path, columns: Self.columns, sizeLimit: 1 << 20, resume: true)
        #expect(resumed.durableSampleCount == 0)
        #expect(!FileManager.default.fileExists(atPath: out.path + "/" + ShardSpool.fileName))
        for i in 0..<3 { try resumed.write(Self.sample(i, size: 1000)) }
        try resumed.finish()
        #expect(try MDSDataset(directory: out.path).count == 3)
    }
}
