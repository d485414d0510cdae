import Foundation

/// An MDS v2 `index.json`: `{"shards": [<MDSShardEntry>...], "version": 2}`, written as Python's
/// `json.dump(obj, f, sort_keys=True)` writes it (no trailing newline).
public struct MDSIndex: Sendable, Equatable {
    /// The index file's name inside a dataset folder.
    public static let fileName = "index.json"

    /// The shards, in global sample order.
    public var shards: [MDSShardEntry]

    public init(shards: [MDSShardEntry]) { self.shards = shards }

    /// The total number of samples.
    public var sampleCount: Int { shards.reduce(0) { $0 + $1.samples } }

    /// The file's exact bytes.
    public func encoded() -> [UInt8] {
        Array(JSONValue.object([("shards", .array(shards.map(\.json))), ("version", .int(2))]).pythonText(sortKeys: true).utf8)
    }

    /// Reads `index.json` from a folder.
    ///
    /// - Throws: ``ShardError`` (`io`) when the file is missing, (`malformed`) when it is not an MDS v2 index.
    public init(directory: String) throws(ShardError) {
        let path = (directory as NSString).appendingPathComponent(MDSIndex.fileName)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ShardError(.io, "\(path) is missing: \(directory) is not a finished MDS dataset folder")
        }
        try self.init(decoding: DurableFile.read(path), name: path)
    }

    /// Parses index bytes; `name` is used in error messages.
    public init(decoding bytes: [UInt8], name: String) throws(ShardError) {
        func bad(_ why: String) -> ShardError { ShardError(.malformed, "\(name): \(why)") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            throw bad("not valid JSON (\(error.localizedDescription))")
        }
        guard let root = object as? [String: Any], let shardList = root["shards"] as? [Any] else {
            throw bad("expected an object with a `shards` list")
        }
        guard (root["version"] as? Int) == 2 else { throw bad("only MDS index version 2 is supported") }
        var shards = [MDSShardEntry]()
        for (i, item) in shardList.enumerated() {
            guard let s = item as? [String: Any] else { throw bad("shard \(i) is not an object") }
            guard (s["format"] as? String) == "mds" else {
                throw bad("shard \(i) has format `\(s["format"] ?? "none")`; Carina reads only `mds` shards")
            }
            if let compression = s["compression"] as? String {
                throw bad("shard \(i) is compressed (`\(compression)`); Carina reads only uncompressed shards")
            }
            guard let names = s["column_names"] as? [String], let encodings = s["column_encodings"] as? [String],
                names.count == encodings.count, !names.isEmpty
            else { throw bad("shard \(i) lacks matching `column_names` and `column_encodings`") }
            guard let raw = s["raw_data"] as? [String: Any], let basename = raw["basename"] as? String,
                let byteCount = raw["bytes"] as? Int, let samples = s["samples"] as? Int, samples >= 0
            else { throw bad("shard \(i) lacks `raw_data.basename`, `raw_data.bytes` or `samples`") }
            guard !basename.hasPrefix("/"), !basename.split(separator: "/").contains("..") else {
                throw bad("shard \(i) basename `\(basename)` leaves the dataset folder")
            }
            let digests = (raw["hashes"] as? [String: String] ?? [:]).sorted { codePointPrecedes($0.key, $1.key) }
            shards.append(MDSShardEntry(
                basename: basename, bytes: byteCount, samples: samples, hashes: digests.map { ($0.key, $0.value) },
                columns: zip(names, encodings).map { ColumnSpec(name: $0, encoding: $1) },
                sizeLimit: s["size_limit"] as? Int, hashAlgorithms: s["hashes"] as? [String] ?? []))
        }
        self.shards = shards
    }
}
