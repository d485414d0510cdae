/// Weights of the objectives in the total loss; a weight of 0 switches its objective (and any encoder pass only it
/// needs) off. The default is Carina's original set: global, local and graph at 1.
public struct LossWeights: Codable, Sendable, Equatable {
    /// Global (instance-level) image↔report InfoNCE (CLIP; MGCA §3.1). See `InstanceAlignment`.
    public var global: Float
    /// Local findings-WordPiece→patch alignment, unweighted (the word→patch half of MGCA §3.2, as Carina first had it).
    public var local: Float
    /// Graph entity multi-label BCE.
    public var graph: Float
    /// MGCA's token-level alignment in full: words (pooled pieces) ↔ patches, both directions, CLS-attention
    /// weighted (MGCA §3.2). See `TokenAlignment`.
    public var token: Float
    /// MGCA's disease-level prototype alignment (MGCA §3.3). See `PrototypeAlignment`.
    public var prototype: Float
    /// MRM's masked image modelling (MRM §3.2): reconstruct the masked patches' normalized pixels from the visible
    /// ones. See `MaskedImageModelling`.
    public var mim: Float
    /// MRM's masked report modelling conditioned on the masked image (MRM §3.2). See `MaskedReportModelling`.
    public var mlm: Float
    /// CGA's cascade (see `GraphAlignment`): anatomy-node, pathology-node, relation-edge and graph-readout alignment.
    public var anatomy: Float = 0, pathology: Float = 0, edge: Float = 0, readout: Float = 0
    /// Whether any CGA stage is on.
    public var graphAlignment: Bool { anatomy != 0 || pathology != 0 || edge != 0 || readout != 0 }
    /// HybridMED's generation objectives (see `ImpressionGeneration`): captioning (image tokens → impression) and
    /// summarisation (findings → impression), teacher-forced cross-entropy, and the distillation of the
    /// summariser's next-token distribution into the captioner's.
    public var caption: Float = 0, summary: Float = 0, distill: Float = 0
    /// Whether any generation objective is on (they need a model with an `impressionDecoder`).
    public var generation: Bool { caption != 0 || summary != 0 || distill != 0 }

    public init(global: Float = 1, local: Float = 1, graph: Float = 1, token: Float = 0, prototype: Float = 0,
                mim: Float = 0, mlm: Float = 0) {
        self.global = global
        self.local = local
        self.graph = graph
        self.token = token
        self.prototype = prototype
        self.mim = mim
        self.mlm = mlm
    }

    /// The objective names `--objectives` accepts, in order.
    public static let names = ["global", "local", "graph", "token", "prototype", "mim", "mlm", "anatomy", "pathology",
                               "edge", "readout", "caption", "summary", "distill"]

    /// HybridMED's combination: hierarchical alignment (global image ↔ impression, token-level image patches ↔
    /// findings words) plus captioning, summarisation and distillation, equally weighted.
    public static let hybridmed: LossWeights = {
        var w = LossWeights(global: 1, local: 0, graph: 0, token: 1)
        w.caption = 1; w.summary = 1; w.distill = 1
        return w
    }()

    /// CGA's combination: instance alignment and the four cascade stages, equally weighted.
    public static let cga: LossWeights = {
        var w = LossWeights(global: 1, local: 0, graph: 0)
        w.anatomy = 1; w.pathology = 1; w.edge = 1; w.readout = 1
        return w
    }()

    /// MGCA's combination (its λ₁ = 1, λ₂ = 0.7, λ₃ = 0.5; its instance loss sums both directions where ours
    /// averages them, hence global = 2).
    public static let mgca = LossWeights(global: 2, local: 0, graph: 0, token: 0.7, prototype: 0.5)

    /// MRM's combination: masked image and masked report modelling, equally weighted.
    public static let mrm = LossWeights(global: 0, local: 0, graph: 0, mim: 1, mlm: 1)

    /// Parses `name=weight,…` (names from `names`; objectives not named get 0), or a preset name (`mgca`,
    /// `default`). Throws one line saying what is wrong.
    public static func parse(_ text: String) throws -> LossWeights {
        switch text {
        case "default": return LossWeights()
        case "mgca": return .mgca
        case "mrm": return .mrm
        case "cga": return .cga
        case "hybridmed": return .hybridmed
        default: break
        }
        var w = LossWeights(global: 0, local: 0, graph: 0, token: 0, prototype: 0, mim: 0, mlm: 0)
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", omittingEmptySubsequences: false)
            guard kv.count == 2, let value = Float(kv[1]), value >= 0, value.isFinite else {
                throw TrainError.invalidConfig("objective '\(part)' is not NAME=WEIGHT with a non-negative weight (e.g. global=1,token=0.7)")
            }
            switch String(kv[0]) {
            case "global": w.global = value
            case "local": w.local = value
            case "graph": w.graph = value
            case "token": w.token = value
            case "prototype": w.prototype = value
            case "mim": w.mim = value
            case "mlm": w.mlm = value
            case "anatomy": w.anatomy = value
            case "pathology": w.pathology = value
            case "edge": w.edge = value
            case "readout": w.readout = value
            case "caption": w.caption = value
            case "summary": w.summary = value
            case "distill": w.distill = value
            default:
                throw TrainError.invalidConfig("unknown objective '\(kv[0])'; known: \(names.joined(separator: ", ")) (or the presets default, mgca, mrm, cga, hybridmed)")
            }
        }
        guard w.global + w.local + w.graph + w.token + w.prototype + w.mim + w.mlm + w.anatomy + w.pathology + w.edge + w.readout
            + w.caption + w.summary + w.distill > 0 else {
            throw TrainError.invalidConfig("no objective has a positive weight in '\(text)'")
        }
        return w
    }

    private enum CodingKeys: String, CodingKey {
        case global, local, graph, token, prototype, mim, mlm, anatomy, pathology, edge, readout, caption, summary, distill
    }

    /// The generation weights are written only when on, so a checkpoint without them keeps its bytes.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(global, forKey: .global)
        try c.encode(local, forKey: .local)
        try c.encode(graph, forKey: .graph)
        try c.encode(token, forKey: .token)
        try c.encode(prototype, forKey: .prototype)
        try c.encode(mim, forKey: .mim)
        try c.encode(mlm, forKey: .mlm)
        try c.encode(anatomy, forKey: .anatomy)
        try c.encode(pathology, forKey: .pathology)
        try c.encode(edge, forKey: .edge)
        try c.encode(readout, forKey: .readout)
        if caption != 0 { try c.encode(caption, forKey: .caption) }
        if summary != 0 { try c.encode(summary, forKey: .summary) }
        if distill != 0 { try c.encode(distill, forKey: .distill) }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        global = try c.decode(Float.self, forKey: .global)
        local = try c.decode(Float.self, forKey: .local)
        graph = try c.decode(Float.self, forKey: .graph)
        token = try c.decodeIfPresent(Float.self, forKey: .token) ?? 0
        prototype = try c.decodeIfPresent(Float.self, forKey: .prototype) ?? 0
        mim = try c.decodeIfPresent(Float.self, forKey: .mim) ?? 0
        mlm = try c.decodeIfPresent(Float.self, forKey: .mlm) ?? 0
        anatomy = try c.decodeIfPresent(Float.self, forKey: .anatomy) ?? 0
        pathology = try c.decodeIfPresent(Float.self, forKey: .pathology) ?? 0
        edge = try c.decodeIfPresent(Float.self, forKey: .edge) ?? 0
        readout = try c.decodeIfPresent(Float.self, forKey: .readout) ?? 0
        caption = try c.decodeIfPresent(Float.self, forKey: .caption) ?? 0
        summary = try c.decodeIfPresent(Float.self, forKey: .summary) ?? 0
        distill = try c.decodeIfPresent(Float.self, forKey: .distill) ?? 0
    }
}

/// How the objectives beyond their weights are set (MGCA's defaults where it has them).
public struct ObjectiveSettings: Sendable, Equatable {
    /// The report text of the instance-level and prototype objectives.
    public var instanceText: InstanceText = .impression
    public var instance = InstanceAlignment()
    public var prototype = PrototypeAlignment()
    /// Updates during which the prototypes get no gradient and no optimiser update (MGCA: the first epoch).
    public var prototypeFreezeSteps = 0
    /// Fraction of patches masked per sample by masked image modelling (MRM: 0.75).
    public var maskRatio: Float = 0.75
    /// Fraction of the report's words masked by masked report modelling (MRM: 0.5), and the `[MASK]` id.
    public var wordMaskRatio: Float = 0.5
    public var maskTokenID: Int32 = 103
    /// CGA's temperatures.
    public var graph = GraphAlignment()
    /// Temperature `T` of HybridMED's distillation (`T²·KL` of the softened distributions; 2 by default).
    public var distillTemperature: Float = 2

    public init(instanceText: InstanceText = .impression, instance: InstanceAlignment = InstanceAlignment(),
                prototype: PrototypeAlignment = PrototypeAlignment(), prototypeFreezeSteps: Int = 0) {
        self.instanceText = instanceText
        self.instance = instance
        self.prototype = prototype
        self.prototypeFreezeSteps = prototypeFreezeSteps
    }
}

/// The losses of one step (unweighted parts, weighted total).
public struct LossBreakdown: Sendable, Equatable {
    public var total: Double
    public var global: Double
    public var local: Double
    public var graph: Double
    public var token: Double = 0
    public var prototype: Double = 0
    public var mim: Double = 0
    public var mlm: Double = 0
    /// CGA's stages (unweighted).
    public var anatomy: Double = 0, pathology: Double = 0, edge: Double = 0, readout: Double = 0
    /// HybridMED's generation objectives (unweighted): mean next-token cross-entropy of each branch, and `T²·KL`.
    public var caption: Double = 0, summary: Double = 0, distill: Double = 0

    public init(total: Double, global: Double, local: Double, graph: Double, token: Double = 0, prototype: Double = 0,
                mim: Double = 0, mlm: Double = 0) {
        self.total = total
        self.global = global
        self.local = local
        self.graph = graph
        self.token = token
        self.prototype = prototype
        self.mim = mim
        self.mlm = mlm
    }
}
