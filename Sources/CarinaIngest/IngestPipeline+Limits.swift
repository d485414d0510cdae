import CarinaShards

extension IngestPipeline {
    /// Writes one record; a record larger than a shard may hold is not written and its reason is returned, so that
    /// the image fails alone and the shard limit is kept.
    static func write(_ record: [String: ColumnValue], to writer: MDSShardWriter) throws(ShardError) -> String? {
        do {
            try writer.write(record)
            return nil
        } catch {
            guard error.code == .sampleTooLarge else { throw error }
            return "its record is too large: \(error.message.replacingOccurrences(of: "raise the shard size or make the sample smaller", with: "raise --shard-size or lower --size"))"
        }
    }
}
