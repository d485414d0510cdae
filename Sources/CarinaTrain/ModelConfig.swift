import CarinaCore
import Foundation

/// The shape of a carina dual encoder: a ViT image encoder and a transformer text encoder sharing width, depth, heads
/// and MLP size, with projections to a joint space and an entity head (ARCHITECTURE.md: `CarinaTrain`).
public struct ModelConfig: Codable, Sendable, Equatable {
    public var name: String
    /// Square input image side `S` (grayscale, `1×S×S`).
    public var imageSize: Int
    /// Patch side `p`; `S` must be a multiple of it.
    public var patchSize: Int
    public var width: Int
    public var depth: Int
    public var heads: Int
    public var mlp: Int
    public var vocabSize: Int
    /// Token length `T` of both the impression and the findings.
    public var textLength: Int
    /// Joint embedding size `E`.
    public var projection: Int
    /// Entity concepts `K` predicted by the graph head.
    public var concepts: Int
    /// Temperature τ of the local token↔context InfoNCE (MGCA: 0.1).
    public var localTemperature: Float
    /// Initial temperature of the global InfoNCE; the learnable logit scale starts at `log(1/τ)`.
    public var initialTemperature: Float
    /// Upper clamp of the global logit scale `exp(s)`.
    public var maxLogitScale: Float
    /// Prototypes `K` of MGCA's disease-level alignment (a bias-free `prototype.weight (K, E)` after every other
    /// parameter); nil (absent from the JSON) for a model without them, as every configuration before it.
    public var prototypes: Int?
    /// Hidden width of MGCA's 2-layer projection heads (`Linear → ReLU → Linear`, MGCA's BatchNorms left out) for
    /// all four heads; nil (absent from the JSON): Carina's linear heads.
    public var projectionHidden: Int?
    /// The norms of the 2-layer heads: `batch` puts MGCA's BatchNorms back (`BatchNorm1d(H)` after the first layer,
    /// `BatchNorm1d(E, affine=False)` after the second; their running statistics are kept as buffers after every
    /// parameter); nil (absent from the JSON) or `none`: no norms. Needs `projectionHidden`.
    public var projectionNorm: ProjectionNorm?
    /// The light decoder of masked image modelling (MRM/MAE): its own width, depth, heads and MLP size; nil (absent
    /// from the JSON): no decoder. Its parameters (`mim.*`) follow every other parameter.
    public var maskedImageDecoder: DecoderShape?
    /// MRM's higher-resolution reconstruction target: the decoder predicts, for each masked patch, the `(R·p)²`
    /// pixels of the same patch of the image at `R×` the input resolution (the batch's `targetImages`), so
    /// `mim.pred` has `R²·p²` outputs; nil (absent from the JSON) or 1: the input image's own patches.
    public var maskedImageTargetScale: Int?

    /// The target scale `R` of masked image modelling (1 without a higher-resolution target).
    public var targetScale: Int { maskedImageTargetScale ?? 1 }

    /// Masked report modelling's head (`mlm.bias (V)`, `mlm.cond (C, C)`, after the decoder); nil or false (absent
    /// from the JSON): none.
    public var maskedReportHead: Bool?

    /// CGA's relation-type table (`cga.relation (3, E)`, after every other parameter); nil or false (absent from the
    /// JSON): none. `carina train` sets it when a CGA edge or readout stage is on.
    public var graphAlignment: Bool?

    /// The normalization inside the 2-layer projection heads.
    public enum ProjectionNorm: String, Codable, Sendable, Equatable, CaseIterable {
        case none
        /// MGCA's BatchNorms (Wang et al. 2022, `GlobalEmbedding`/`LocalEmbedding`).
        case batch
    }

    /// HybridMED's impression decoder (see `ImpressionDecoder`): its own width, depth, heads and MLP size; nil (absent
    /// from the JSON): none, and no generation objective. Its parameters (`gen.*`) follow every other parameter.
    public var impressionDecoder: DecoderShape?

    /// A transformer stack's shape other than the encoders'.
    public struct DecoderShape: Codable, Sendable, Equatable {
        public var width: Int, depth: Int, heads: Int, mlp: Int
        public init(width: Int, depth: Int, heads: Int, mlp: Int) {
            self.width = width
            self.depth = depth
            self.heads = heads
            self.mlp = mlp
        }
    }

    /// The decoder as a configuration of `TransformerStack` (only width, depth, heads and MLP differ).
    var decoderConfig: ModelConfig? {
        guard let d = maskedImageDecoder else { return nil }
        var c = self
        c.width = d.width
        c.depth = d.depth
        c.heads = d.heads
        c.mlp = d.mlp
        return c
    }

    public init(name: String, imageSize: Int, patchSize: Int, width: Int, depth: Int, heads: Int, mlp: Int,
                vocabSize: Int, textLength: Int, projection: Int, concepts: Int, localTemperature: Float = 0.1,
                initialTemperature: Float = 0.07, maxLogitScale: Float = 100, prototypes: Int? = nil,
                projectionHidden: Int? = nil) {
        self.name = name
        self.imageSize = imageSize
        self.patchSize = patchSize
        self.width = width
        self.depth = depth
        self.heads = heads
        self.mlp = mlp
        self.vocabSize = vocabSize
        self.textLength = textLength
        self.projection = projection
        self.concepts = concepts
        self.localTemperature = localTemperature
        self.initialTemperature = initialTemperature
        self.maxLogitScale = maxLogitScale
        self.prototypes = prototypes
        self.projectionHidden = projectionHidden
    }

    /// `carina-tiny` (ARCHITECTURE.md: `CarinaTrain`; `schemas/models/carina-tiny.json`): 9,638,913 parameters.
    public static let carinaTiny = ModelConfig(
        name: "carina-tiny", imageSize: 224, patchSize: 16, width: 192, depth: 4, heads: 3, mlp: 768,
        vocabSize: 30522, textLength: 128, projection: 128, concepts: 64)

    /// Patches per image, `(S/p)²`.
    public var patchCount: Int { (imageSize / patchSize) * (imageSize / patchSize) }
    /// Image tokens: CLS plus patches.
    public var imageTokens: Int { patchCount + 1 }

    /// Reads a configuration JSON file (the layout of `schemas/models/carina-tiny.json`) and validates it.
    public static func load(path: String) throws -> ModelConfig {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TrainError.io("cannot read model configuration \(path): \(FileErrorText.reason(error))")
        }
        let config: ModelConfig
        do { config = try JSONDecoder().decode(ModelConfig.self, from: data) } catch {
            throw TrainError.invalidConfig("\(path) is not a model configuration: \(error)")
        }
        try config.validate()
        return config
    }

    /// Checks the shape constraints the kernels rely on.
    public func validate() throws {
        func need(_ ok: Bool, _ what: String) throws { if !ok { throw TrainError.invalidConfig("model \(name): \(what)") } }
        try need(imageSize > 0 && patchSize > 0 && imageSize % patchSize == 0, "imageSize must be a positive multiple of patchSize")
        try need(width > 0 && heads > 0 && width % heads == 0, "width must be a positive multiple of heads")
        try need(depth > 0 && mlp > 0 && projection > 0 && concepts > 0, "depth, mlp, projection and concepts must be positive")
        try need(vocabSize > 1 && textLength > 1, "vocabSize and textLength must be at least 2")
        try need(prototypes.map { $0 > 0 } ?? true, "prototypes must be positive when given")
        try need(projectionHidden.map { $0 > 0 } ?? true, "projectionHidden must be positive when given")
        try need(projectionNorm != .batch || projectionHidden != nil,
                 "projectionNorm \"batch\" needs 2-layer heads (projectionHidden)")
        try need(maskedImageTargetScale.map { $0 >= 1 && $0 <= 8 } ?? true, "maskedImageTargetScale must be 1 to 8")
        try need(targetScale == 1 || maskedImageDecoder != nil, "maskedImageTargetScale needs a maskedImageDecoder")
        if let d = maskedImageDecoder {
            try need(d.width > 0 && d.heads > 0 && d.width % d.heads == 0 && d.depth > 0 && d.mlp > 0,
                     "maskedImageDecoder: width must be a positive multiple of heads, depth and mlp positive")
        }
        if let d = impressionDecoder {
            try need(d.width > 0 && d.heads > 0 && d.width % d.heads == 0 && d.depth > 0 && d.mlp > 0,
                     "impressionDecoder: width must be a positive multiple of heads, depth and mlp positive")
        }
        try need(localTemperature > 0 && initialTemperature > 0 && maxLogitScale > 0, "temperatures must be positive")
    }
}
