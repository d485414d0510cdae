/// Weights of the three objectives in the total loss; a weight of 0 switches its objective (and any encoder pass only
/// it needs) off.
public struct LossWeights: Codable, Sendable, Equatable {
    /// Global image↔impression InfoNCE.
    public var global: Float
    /// Local findings-token↔patch alignment (MGCA).
    public var local: Float
    /// Graph entity multi-label BCE.
    public var graph: Float

    public init(global: Float = 1, local: Float = 1, graph: Float = 1) {
        self.global = global
        self.local = local
        self.graph = graph
    }
}

/// The losses of one step (unweighted parts, weighted total).
public struct LossBreakdown: Sendable, Equatable {
    public var total: Double
    public var global: Double
    public var local: Double
    public var graph: Double
}
