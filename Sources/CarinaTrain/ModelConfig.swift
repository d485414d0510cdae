import CarinaCore
import Foundation

/// The shape of a carina dual encoder: a ViT image encoder and a transformer text encoder sharing width, depth, heads
/// and MLP size, with projections to a joint space and an entity head (DESIGN §7).
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

    public init(name: String, imageSize: Int, patchSize: Int, width: Int, depth: Int, heads: Int, mlp: Int,
                vocabSize: Int, textLength: Int, projection: Int, concepts: Int, localTemperature: Float = 0.1,
                initialTemperature: Float = 0.07, maxLogitScale: Float = 100) {
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
    }

    /// `carina-tiny` (DESIGN §7; `schemas/models/carina-tiny.json`): 9,638,913 parameters.
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
        try need(localTemperature > 0 && initialTemperature > 0 && maxLogitScale > 0, "temperatures must be positive")
    }
}
