/// One shard's entry in `index.json`: what `streaming`'s `JointWriter.flush_shard` records for an MDS shard.
///
/// Serialised (keys sorted, as `json.dump(..., sort_keys=True)`):
/// `{"column_encodings": [...], "column_names": [...], "column_sizes": [...], "compression": null,
/// "format": "mds", "hashes": [...], "raw_data": {"basename": ..., "bytes": ..., "hashes": {...}},
/// "samples": N, "size_limit": L, "version": 2, "zip_data": null}`.
public struct MDSShardEntry: Sendable, Equatable {
    /// The shard file's path relative to the index's folder (a basename, or `part0/shard.00000.mds` after merge).
    public var basename: String
    /// The shard file's size in bytes.
    public var bytes: Int
    /// The number of samples in the shard.
    public var samples: Int
    /// Hex digests of the shard file, by algorithm name, in `index.json` order (sorted).
    public var hashes: [(String, String)]
    /// The columns (sorted by name, as written).
    public var columns: [ColumnSpec]
    /// The `size_limit` the shard was written with (`nil` when unlimited).
    public var sizeLimit: Int?
    /// The hash algorithms the writer was configured with.
    public var hashAlgorithms: [String]
    /// The `compression` option; Carina writes and reads only uncompressed shards (`nil`).
    public var compression: String?

    public init(basename: String, bytes: Int, samples: Int, hashes: [(String, String)], columns: [ColumnSpec],
                sizeLimit: Int?, hashAlgorithms: [String], compression: String? = nil) {
        self.basename = basename
        self.bytes = bytes
        self.samples = samples
        self.hashes = hashes
        self.columns = columns
        self.sizeLimit = sizeLimit
        self.hashAlgorithms = hashAlgorithms
        self.compression = compression
    }

    public static func == (a: MDSShardEntry, b: MDSShardEntry) -> Bool {
        a.basename == b.basename && a.bytes == b.bytes && a.samples == b.samples
            && a.hashes.map { "\($0.0)=\($0.1)" } == b.hashes.map { "\($0.0)=\($0.1)" } && a.columns == b.columns
            && a.sizeLimit == b.sizeLimit && a.hashAlgorithms == b.hashAlgorithms && a.compression == b.compression
    }

    /// The writer configuration object that `MDSWriter.get_config()` returns and that each shard embeds.
    static func configJSON(columns: [ColumnSpec], sizeLimit: Int?, hashAlgorithms: [String], compression: String?) -> JSONValue {
        .object([
            ("column_encodings", .array(columns.map { .string($0.encoding) })),
            ("column_names", .array(columns.map { .string($0.name) })),
            ("column_sizes", .array(columns.map { spec in
                (try? MDSEncoding(spec.encoding, column: spec.name).fixedSize).flatMap { $0.map { .int(Int64($0)) } } ?? .null
            })),
            ("compression", compression.map { .string($0) } ?? .null),
            ("format", .string("mds")),
            ("hashes", .array(hashAlgorithms.map { .string($0) })),
            ("size_limit", sizeLimit.map { .int(Int64($0)) } ?? .null),
            ("version", .int(2)),
        ])
    }

    /// The entry as a JSON object, ready for `index.json`.
    public var json: JSONValue {
        guard case .object(var members) = MDSShardEntry.configJSON(
            columns: columns, sizeLimit: sizeLimit, hashAlgorithms: hashAlgorithms, compression: compression)
        else { preconditionFailure("configJSON returns an object") }
        members.append(("raw_data", .object([
            ("basename", .string(basename)), ("bytes", .int(Int64(bytes))),
            ("hashes", .object(hashes.map { ($0.0, .string($0.1)) })),
        ])))
        members.append(("samples", .int(Int64(samples))))
        members.append(("zip_data", .null))
        return .object(members)
    }
}
