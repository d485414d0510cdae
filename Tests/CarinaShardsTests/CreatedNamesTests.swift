import CarinaTestSupport
import Foundation
import Testing

@testable import CarinaShards

#if os(Linux)
    import Glibc

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

        /// The names of the files created in the folder watched by `descriptor` since the watch began.
        static func createdNames(_ descriptor: Int32) -> [String] {
            var names = [String]()
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = unsafe buffer.withUnsafeMutableBytes { unsafe read(descriptor, $0.baseAddress!, $0.count) }
                guard n > 0 else { break }
                var offset = 0
                // struct inotify_event: int wd; uint32_t mask, cookie, len; char name[len] (NUL-padded).
                while offset + 16 <= n {
                    let length =
                        Int(buffer[offset + 12]) | Int(buffer[offset + 13]) << 8
                        | Int(buffer[offset + 14]) << 16 | Int(buffer[offset + 15]) << 24
                    let field = buffer[(offset + 16)..<(offset + 16 + length)]
                    names.append(String(decoding: field.prefix { $0 != 0 }, as: UTF8.self))
                    offset += 16 + length
                }
            }
            return names
        }

        @Test(arguments: [true, false])
        func everyCreatedFileHasANameResumeKnows(direct: Bool) throws {
            let out = try TemporaryDirectory("created-names")
            let watch = inotify_init1(Int32(IN_NONBLOCK))
            try #require(watch >= 0)
            defer { _ = close(watch) }
            try #require(inotify_add_watch(watch, out.path, UInt32(IN_CREATE)) >= 0)
            let columns = [ColumnSpec(name: "blob", encoding: "bytes"), ColumnSpec(name: "id", encoding: "int")]
            let writer = try MDSShardWriter(directory: out.path, columns: columns, sizeLimit: 1 << 16)
            writer.writesShardsDirectly = direct
            for i in 0..<40 {
                try writer.write(["blob": .bytes([UInt8](repeating: UInt8(i), count: 5_000)), "id": .int(Int64(i))])
            }
            try writer.finish()
            let names = Self.createdNames(watch)
            #expect(names.contains("shard.00002.mds.tmp"))
            #expect(names.contains("index.json.tmp"))
            for name in names { #expect(Self.isKnown(name), "the writer created \(name)") }
        }
    }
#endif
