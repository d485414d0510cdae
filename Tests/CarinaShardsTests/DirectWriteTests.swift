import CarinaTestSupport
import Foundation
import Testing

@testable import CarinaShards

/// Shards written past the page cache (``DirectShardWrite``) hold the same bytes as shards written through it, whatever
/// their length against the 4 KiB blocks and 1 MiB chunks the direct path writes in.
@Suite struct DirectWriteTests {
    static let columns = [ColumnSpec(name: "blob", encoding: "bytes"), ColumnSpec(name: "id", encoding: "int")]

    static func sample(_ i: Int, size: Int) -> [String: ColumnValue] {
        ["blob": .bytes((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i &* 13) }), "id": .int(Int64(i))]
    }

    /// Every file of a dataset folder, by name.
    static func files(_ directory: String) throws -> [String: Data] {
        var files = [String: Data]()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
        }
        return files
    }

    /// Writes `count` samples of `size` bytes with shards of `sizeLimit`, directly or not, and returns the folder's files.
    static func write(count: Int, size: Int, sizeLimit: Int, direct: Bool) throws -> [String: Data] {
        let out = try TemporaryDirectory(direct ? "direct" : "buffered")
        let writer = try MDSShardWriter(directory: out.path, columns: columns, sizeLimit: sizeLimit)
        writer.writesShardsDirectly = direct
        for i in 0..<count { try writer.write(sample(i, size: size)) }
        try writer.finish()
        return try files(out.path)
    }

    @Test(arguments: [
        (count: 1, size: 10, sizeLimit: 1 << 26),  // one shard shorter than a block
        (count: 3, size: 4096 - 60, sizeLimit: 1 << 26),  // ends near a block boundary
        (count: 5, size: 700_001, sizeLimit: 1 << 26),  // several 1 MiB chunks and a short tail
        (count: 40, size: 50_000, sizeLimit: 300_000),  // many shards, each flushed as the next sample arrives
        (count: 300_000, size: 1, sizeLimit: 1 << 26),  // an offset table longer than a chunk
    ])
    func directAndBufferedShardsAreByteIdentical(count: Int, size: Int, sizeLimit: Int) throws {
        let direct = try Self.write(count: count, size: size, sizeLimit: sizeLimit, direct: true)
        let buffered = try Self.write(count: count, size: size, sizeLimit: sizeLimit, direct: false)
        #expect(direct.keys.sorted() == buffered.keys.sorted())
        #expect(direct.keys.contains("shard.00000.mds"))
        for (name, bytes) in buffered { #expect(direct[name] == bytes, "\(name) differs") }
    }

    @Test func theDirectPathWritesTheHeadThenTheSpoolAndCutsThePadding() throws {
        let out = try TemporaryDirectory("direct-unit")
        let spool = ShardSpool(directory: out.path)
        defer { spool.remove() }
        let head: [UInt8] = Array(repeating: 0xAB, count: 4_000) + [1, 2, 3]
        let body = (0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try spool.append(body)
        let path = out.path + "/shard.tmp"
        var steps = [String]()
        let written = try DirectShardWrite.write([head], then: spool, to: path, name: "shard") { steps.append($0) }
        // A file system without direct I/O leaves the write to the buffered path; the ones tests run on here have it.
        guard written else { return }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(head + body))
        #expect(steps == ["shard: partial"])
    }
}
