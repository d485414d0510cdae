/// The streaming loader: shard reading, shuffling, partitioning, resumption, decoding, tokenising and batching.
public enum CarinaLoaderModule {
    /// The module's name, as it appears in error messages.
    public static let name = "CarinaLoader"
}
