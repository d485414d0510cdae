import CarinaShards

extension IngestPipeline {
    /// Writes one record; a record larger than a shard may hold is not written and its reason is returned, so that
    /// the image fails alone and the shard limit is kept.
    static func write(_ record: [String: ColumnValue], to writer: MDSShardWriter) throws(ShardError) -> ImageProblem? {
        writer.oversizedSampleAdvice = "raise --shard-size or lower --size"
        do {
            try writer.write(record)
            return nil
        } catch {
            guard error.code == .sampleTooLarge else { throw error }
            return ImageProblem(.recordTooLarge, "its record is too large: \(error.message)", underlying: error)
        }
    }
}
