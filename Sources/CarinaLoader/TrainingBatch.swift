/// One batch as the trainer consumes it: contiguous Float32 images and fixed-length token ids with masks.
///
/// Layouts (row-major):
/// - `images`: `(B, 1, S, S)` with `S = imageSize`, normalised intensities.
/// - `impressionIDs`, `findingsIDs`: `(B, T)` WordPiece ids, `T = textLength`, `[CLS] … [SEP]` then `[PAD]` (id 0).
/// - `impressionMask`, `findingsMask`: `(B, T)`, 1 for real tokens and 0 for padding.
/// - `concepts`: `(B, K)` multi-hot entity concepts present in the report's graph, `K = conceptCount`.
public struct TrainingBatch: Sendable {
    public var batchSize: Int
    public var imageSize: Int
    public var textLength: Int
    public var conceptCount: Int
    public var images: [Float]
    public var impressionIDs: [Int32]
    public var impressionMask: [Float]
    public var findingsIDs: [Int32]
    public var findingsMask: [Float]
    public var concepts: [Float]
    /// Record keys (`dicom_id`) of the batch's samples, in order.
    public var keys: [String]

    public init(
        batchSize: Int, imageSize: Int, textLength: Int, conceptCount: Int,
        images: [Float], impressionIDs: [Int32], impressionMask: [Float],
        findingsIDs: [Int32], findingsMask: [Float], concepts: [Float], keys: [String]
    ) {
        precondition(images.count == batchSize * imageSize * imageSize, "images must be (B, 1, S, S)")
        precondition(impressionIDs.count == batchSize * textLength && findingsIDs.count == batchSize * textLength,
                     "token ids must be (B, T)")
        precondition(impressionMask.count == impressionIDs.count && findingsMask.count == findingsIDs.count,
                     "masks must match their ids")
        precondition(concepts.count == batchSize * conceptCount, "concepts must be (B, K)")
        self.batchSize = batchSize
        self.imageSize = imageSize
        self.textLength = textLength
        self.conceptCount = conceptCount
        self.images = images
        self.impressionIDs = impressionIDs
        self.impressionMask = impressionMask
        self.findingsIDs = findingsIDs
        self.findingsMask = findingsMask
        self.concepts = concepts
        self.keys = keys
    }
}
