import CarinaTestSupport
import Foundation
import Testing

@testable import CarinaShards

#if os(Linux)
    /// Every file the writer creates in a dataset folder carries a name a resumed writer recognises (a shard, a sidecar,
    /// the index, the progress file, the spool, or one of these with `.tmp`), so a kill at any moment leaves nothing a
    /// resume would not clean up. Watched with inotify, which sees files that exist only for an instant.
    @Suite struct CreatedNamesTests {
        static func isKnown(_ name: String) -> Bool {
            let base = name.hasSuffix(".tmp") ? String(name.dropLast(4)) : name
            if name == ShardSpool.fileName || base == MDSIndex.fileName || base == MDSShardWriter.progressFileName {
                return true
            }
            return base.hasPrefix("shard.") && (base.hasSuffix(".mds") || base.hasSuffix(".mds" + CRCSidecar.suffix))
        }

        @Test(arguments: [true, false])
        func everyCreatedFileHasANameResumeKnows(direct: Bool) throws {
            let out = try TemporaryDirectory("created-names")
            let watch = try CreatedFileWatch(out.path)
            let columns = [ColumnSpec(name: "blob", encoding: "bytes"), ColumnSpec(name: "id", encoding: "int")]
            let writer = try MDSShardWriter(directory: out.path, columns: columns, sizeLimit: 1 << 16)
            writer.writesShardsDirectly = direct
            for i in 0..<40 {
                try writer.write(["blob": .bytes([UInt8](repeating: UInt8(i), count: 5_000)), "id": .int(Int64(i))])
            }
            try writer.finish()
            let names = watch.names()
            #expect(names.contains("shard.00002.mds.tmp"))
            #expect(names.contains("index.json.tmp"))
            for name in names { #expect(Self.isKnown(name), "the writer created \(name)") }
        }
    }
#endif
