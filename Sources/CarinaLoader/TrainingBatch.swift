/// One batch as the trainer consumes it: contiguous Float32 images, the two texts as fixed-length token ids with
/// masks, and, when asked for (``BatchFields``), the word map, the graph's entity spans and relations, and labels.
///
/// Layouts (row-major; B = `batchSize`, S = `imageSize`, T = `textLength`, K = `conceptCount`, N = `maxEntities`,
/// E = `maxRelations`, L = 14):
/// - `images`: `(B, 1, S, S)`, normalized intensities.
/// - `impressionIDs`, `findingsIDs`: `(B, T)` WordPiece ids, `[CLS] … [SEP]` then `[PAD]`. A record without that
///   section has `[PAD]` everywhere (no `[CLS] [SEP]` pretending to be text) and `…Present` 0.
/// - `impressionMask`, `findingsMask`: `(B, T)`, 1 for real tokens and 0 for padding.
/// - `impressionPresent`, `findingsPresent`: `(B)`, 1 when the record has that section.
/// - `impressionWordIndex`, `findingsWordIndex` (`.words`): `(B, T)`, the index of the whole word each piece belongs
///   to, -1 for `[CLS]`, `[SEP]` and `[PAD]`: pieces of one word share an index, so a position starts a word when its
///   index differs from the one before. With `maskTokenID`, what whole-word masking needs.
/// - entity spans (`.graph`), each `(B, N)`: `entityText` (0 the impression sequence, 1 the findings sequence),
///   `entityStart` / `entityEnd` (token positions in that sequence, end exclusive), `entityKind` (0 anatomy,
///   1 observation, 2 device), `entityCertainty` (0 present, 1 uncertain, 2 absent), `entityConcept` (position in
///   `training-concepts.txt`, -1 if none); `entityMask` 1 for a real entity. Entities that lie outside both sequences
///   or were cut off by truncation are left out.
/// - `relations` (`.graph`): `(B, E, 3)` as `(head, tail, type)`, head and tail indexing the sample's entity slots,
///   type 0 `located_at`, 1 `modify`, 2 `suggestive_of`; `relationMask` `(B, E)`.
/// - `labels`, `labelMask` (`.labels`): `(B, L)` CheXpert labels under the loader's ``UncertainLabelPolicy``; a
///   mask of 0 means the label is ignored (blank, or uncertain under `ignore`).
/// - `concepts`: `(B, K)` multi-hot entity concepts present in the report's graph.
/// - `targetImages` (``LoaderOptions/targetScale`` above 1): `(B, 1, R·S, R·S)`, R = `targetScale`, the same crop and
///   intensity jitter as `images` rendered at R× the resolution from the record (MRM's reconstruction target).
/// Fields not asked for are empty (and N, E are 0).
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

    public var impressionPresent: [Float]
    public var findingsPresent: [Float]
    public var impressionWordIndex: [Int32] = []
    public var findingsWordIndex: [Int32] = []
    /// The vocabulary's special tokens.
    public var clsTokenID: Int32 = 2
    public var sepTokenID: Int32 = 3
    public var padTokenID: Int32 = 0
    public var maskTokenID: Int32 = 4

    public var maxEntities = 0
    public var entityText: [Int32] = []
    public var entityStart: [Int32] = []
    public var entityEnd: [Int32] = []
    public var entityKind: [Int32] = []
    public var entityCertainty: [Int32] = []
    public var entityConcept: [Int32] = []
    public var entityMask: [Float] = []
    public var maxRelations = 0
    public var relations: [Int32] = []
    public var relationMask: [Float] = []

    public static let labelCount = 14
    public var labels: [Float] = []
    public var labelMask: [Float] = []
    /// Side of the target images over `imageSize` (1: no target images).
    public var targetScale = 1
    public var targetImages: [Float] = []

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
        func present(_ mask: [Float]) -> [Float] {
            (0..<batchSize).map { i in mask[(i * textLength)..<((i + 1) * textLength)].contains { $0 != 0 } ? 1 : 0 }
        }
        impressionPresent = present(impressionMask)
        findingsPresent = present(findingsMask)
    }
}

/// The optional parts of a batch a loader decodes: only what the chosen objectives read.
public struct BatchFields: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The word index of every token (whole-word masking, pooling pieces into words).
    public static let words = BatchFields(rawValue: 1)
    /// Entity spans and relation triples.
    public static let graph = BatchFields(rawValue: 2)
    /// CheXpert labels with their mask.
    public static let labels = BatchFields(rawValue: 4)
    public static let all: BatchFields = [.words, .graph, .labels]
}

/// How uncertain CheXpert labels (-1) become training targets, under the names the field uses (CheXpert's U-Ones,
/// U-Zeros, U-Ignore). Blank labels are always ignored (mask 0).
public enum UncertainLabelPolicy: String, Sendable, CaseIterable {
    case ones, zeros, ignore

    /// The target and mask of one stored label value.
    public func target(_ value: Float) -> (value: Float, mask: Float) {
        if value.isNaN { return (0, 0) }
        if value == -1 {
            switch self {
            case .ones: return (1, 1)
            case .zeros: return (0, 1)
            case .ignore: return (0, 0)
            }
        }
        return (value > 0 ? 1 : 0, 1)
    }
}
