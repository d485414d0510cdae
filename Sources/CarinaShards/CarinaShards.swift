/// MosaicML Streaming MDS v2 shards: writer, reader, index.json, CRC32C sidecar, merge and WebDataset export.
public enum CarinaShardsModule {
    /// The module's name, as it appears in error messages.
    public static let name = "CarinaShards"
}
