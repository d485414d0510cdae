import CarinaLoader
import Foundation

/// CGA's cascading graph alignment: each record's anatomy/pathology graph, once from the report and once from the
/// image, aligned stage by stage — anatomy nodes, then pathology nodes, then relation edges, then a graph-level
/// summary — each a symmetric InfoNCE over the batch with its own weight.
///
/// No public code exists; this follows the paper's abstract. Carina's choices:
/// - **Nodes.** The graph is Carina's entity graph (or RadGraph's, read into the same record fields): anatomy
///   entities are anatomy nodes; observations and devices are pathology nodes. A pathology stated absent
///   ("no effusion") is left out of the graph: the image has no region that shows it, so it has no image-side node
///   to align (its certainty lives on in the text encoder's context of the present and uncertain ones). Only the
///   findings' entities make nodes (the trainer's findings run keeps every token's state; the impression run keeps
///   its CLS row only, and the impression mostly restates the findings).
/// - **Text-side node** `t_i`: the mean of the findings encoder's last hidden states over the entity's token span,
///   through the local text head (`txt_l`), L2-normalized.
/// - **Image-side node** `v_i`: the node's text embedding as the query attending over its own image's normalized
///   local patch embeddings (`img_l`), `a = softmax(t_i · p_j / τ_a)`, `v_i = normalize(Σ_j a_j p_j)`. The image has
///   no node detector, so the node set is the report's; a learned per-concept query would fix one region per
///   concept whatever the report says ("left" vs "right" base), while the text node carries the span's context.
///   Both graphs have the same nodes and edges (isomorphic). Gradients flow into the query too.
/// - **Edge** `(h, t, r)`: `normalize(n_h + n_t + R_r)` in each modality from its own node embeddings, `R (3, E)` a
///   learned relation-type table (`cga.relation`: `located_at`, `modify`, `suggestive_of`) shared by both sides.
///   Edges whose head or tail is not a node (an absent pathology) are dropped.
/// - **Readout**: `normalize(Σ nodes + Σ edges)` of each modality's graph; records without nodes sit out.
/// - **Stages**: symmetric InfoNCE with fixed temperature `τ` (0.1) over all the batch's nodes of the stage (edges,
///   graphs): text `k` against image `l`, positives on the diagonal, `(CE rows + CE columns) / 2` averaged over the
///   stage's items; a stage with fewer than 2 items contributes 0. The cascade is the order of construction: each
///   stage's embeddings are built from the previous stage's (edges from nodes, graphs from nodes and edges), so a
///   later stage's loss also reaches the earlier embeddings.
/// Records with an empty graph contribute nothing here and still train on the other objectives.
public struct GraphAlignment: Sendable, Equatable {
    /// InfoNCE temperature of every stage.
    public var temperature: Float = 0.1
    /// Temperature of the node queries' attention over the patches.
    public var attentionTemperature: Float = 0.1
    /// Relation types `R` rows (Carina's `located_at`, `modify`, `suggestive_of`).
    public static let relationTypes = 3

    public init(temperature: Float = 0.1, attentionTemperature: Float = 0.1) {
        self.temperature = temperature
        self.attentionTemperature = attentionTemperature
    }

    /// The batch's graph: nodes (their sample and stage, 0 anatomy, 1 pathology) and edges between node indices.
    public struct Graph: Sendable, Equatable {
        public var nodeSample: [Int] = []
        public var nodeStage: [Int] = []
        public var edges: [(head: Int, tail: Int, type: Int)] = []
        public init() {}
        public static func == (l: Graph, r: Graph) -> Bool {
            l.nodeSample == r.nodeSample && l.nodeStage == r.nodeStage
                && l.edges.map { [$0.head, $0.tail, $0.type] } == r.edges.map { [$0.head, $0.tail, $0.type] }
        }
    }

    /// Stage weights in cascade order.
    public struct StageWeights: Sendable, Equatable {
        public var anatomy: Float, pathology: Float, edge: Float, readout: Float
        public init(anatomy: Float, pathology: Float, edge: Float, readout: Float) {
            self.anatomy = anatomy
            self.pathology = pathology
            self.edge = edge
            self.readout = readout
        }
    }

    public struct Result {
        /// Unweighted stage losses: anatomy, pathology, edge, readout.
        public var anatomy = 0.0, pathology = 0.0, edge = 0.0, readout = 0.0
        /// Gradients of the weighted sum: text nodes `(N, E)`, patches `(B, P, E)`, relation table `(3, E)`.
        public var dtext: [Float] = [], dpatches: [Float] = [], drelation: [Float] = []
        /// The image-side nodes `(N, E)` (for inspection).
        public var imageNodes: [Float] = []
    }

    /// Text nodes `(N, E)` (normalized), patches `(B, P, E)` (normalized), relation table `(3, E)`.
    public func forward(text: [Float], patches: [Float], relation: [Float], graph: Graph, batch b: Int, patches p: Int,
                        dim e: Int, weights: StageWeights) -> Result {
        let n = graph.nodeSample.count
        var r = Result()
        r.dtext = [Float](repeating: 0, count: n * e)
        r.dpatches = [Float](repeating: 0, count: b * p * e)
        r.drelation = [Float](repeating: 0, count: Self.relationTypes * e)
        guard n > 0 else { return r }
        let t = text.map(Double.init), pt = patches.map(Double.init), rel = relation.map(Double.init)
        let ta = Double(attentionTemperature), tau = Double(temperature)
        // Image-side nodes: attention of each text node over its sample's patches.
        var att = [Double](repeating: 0, count: n * p), u = [Double](repeating: 0, count: n * e)
        var v = [Double](repeating: 0, count: n * e), un = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let s = graph.nodeSample[i]
            var mx = -Double.infinity
            for j in 0..<p {
                var d = 0.0
                for k in 0..<e { d += t[i * e + k] * pt[(s * p + j) * e + k] }
                att[i * p + j] = d / ta
                mx = max(mx, att[i * p + j])
            }
            var z = 0.0
            for j in 0..<p { att[i * p + j] = exp(att[i * p + j] - mx); z += att[i * p + j] }
            for j in 0..<p {
                att[i * p + j] /= z
                for k in 0..<e { u[i * e + k] += att[i * p + j] * pt[(s * p + j) * e + k] }
            }
            un[i] = Self.normalize(u, row: i, dim: e, into: &v)
        }
        // Edges in each modality.
        let m = graph.edges.count
        var eT = [Double](repeating: 0, count: m * e), eI = eT, eTn = eT, eIn = eT
        var eTnorm = [Double](repeating: 0, count: m), eInorm = eTnorm
        for (q, ed) in graph.edges.enumerated() {
            for k in 0..<e {
                eT[q * e + k] = t[ed.head * e + k] + t[ed.tail * e + k] + rel[ed.type * e + k]
                eI[q * e + k] = v[ed.head * e + k] + v[ed.tail * e + k] + rel[ed.type * e + k]
            }
            eTnorm[q] = Self.normalize(eT, row: q, dim: e, into: &eTn)
            eInorm[q] = Self.normalize(eI, row: q, dim: e, into: &eIn)
        }
        // Graph readouts per sample with nodes.
        var samples = [Int](), slot = [Int](repeating: -1, count: b)
        for s in graph.nodeSample where slot[s] < 0 { slot[s] = samples.count; samples.append(s) }
        let gcount = samples.count
        var gT = [Double](repeating: 0, count: gcount * e), gI = gT, gTn = gT, gIn = gT
        for i in 0..<n { let g = slot[graph.nodeSample[i]]; for k in 0..<e { gT[g * e + k] += t[i * e + k]; gI[g * e + k] += v[i * e + k] } }
        for (q, ed) in graph.edges.enumerated() {
            let g = slot[graph.nodeSample[ed.head]]
            for k in 0..<e { gT[g * e + k] += eTn[q * e + k]; gI[g * e + k] += eIn[q * e + k] }
        }
        var gTnorm = [Double](repeating: 0, count: gcount), gInorm = gTnorm
        for g in 0..<gcount {
            gTnorm[g] = Self.normalize(gT, row: g, dim: e, into: &gTn)
            gInorm[g] = Self.normalize(gI, row: g, dim: e, into: &gIn)
        }
        // Backward, from the last stage to the first.
        var dt = [Double](repeating: 0, count: n * e), dv = dt
        var deTn = [Double](repeating: 0, count: m * e), deIn = deTn
        var dgTn = [Double](repeating: 0, count: gcount * e), dgIn = dgTn
        r.readout = Self.infoNCE(gTn, gIn, rows: Array(0..<gcount), dim: e, tau: tau, weight: Double(weights.readout),
                                 da: &dgTn, db: &dgIn)
        var dgT = [Double](repeating: 0, count: gcount * e), dgI = dgT
        for g in 0..<gcount {
            Self.normalizeBackward(dout: dgTn, out: gTn, norm: gTnorm[g], row: g, dim: e, into: &dgT)
            Self.normalizeBackward(dout: dgIn, out: gIn, norm: gInorm[g], row: g, dim: e, into: &dgI)
        }
        for i in 0..<n { let g = slot[graph.nodeSample[i]]; for k in 0..<e { dt[i * e + k] += dgT[g * e + k]; dv[i * e + k] += dgI[g * e + k] } }
        for (q, ed) in graph.edges.enumerated() {
            let g = slot[graph.nodeSample[ed.head]]
            for k in 0..<e { deTn[q * e + k] += dgT[g * e + k]; deIn[q * e + k] += dgI[g * e + k] }
        }
        r.edge = Self.infoNCE(eTn, eIn, rows: Array(0..<m), dim: e, tau: tau, weight: Double(weights.edge),
                              da: &deTn, db: &deIn)
        var deT = [Double](repeating: 0, count: m * e), deI = deT
        var drel = [Double](repeating: 0, count: Self.relationTypes * e)
        for (q, ed) in graph.edges.enumerated() {
            Self.normalizeBackward(dout: deTn, out: eTn, norm: eTnorm[q], row: q, dim: e, into: &deT)
            Self.normalizeBackward(dout: deIn, out: eIn, norm: eInorm[q], row: q, dim: e, into: &deI)
            for k in 0..<e {
                dt[ed.head * e + k] += deT[q * e + k]; dt[ed.tail * e + k] += deT[q * e + k]
                dv[ed.head * e + k] += deI[q * e + k]; dv[ed.tail * e + k] += deI[q * e + k]
                drel[ed.type * e + k] += deT[q * e + k] + deI[q * e + k]
            }
        }
        let anatomy = (0..<n).filter { graph.nodeStage[$0] == 0 }, pathology = (0..<n).filter { graph.nodeStage[$0] == 1 }
        r.anatomy = Self.infoNCE(t, v, rows: anatomy, dim: e, tau: tau, weight: Double(weights.anatomy), da: &dt, db: &dv)
        r.pathology = Self.infoNCE(t, v, rows: pathology, dim: e, tau: tau, weight: Double(weights.pathology),
                                   da: &dt, db: &dv)
        // Image nodes back through the normalization and the attention (values, scores and the query).
        var dp = [Double](repeating: 0, count: b * p * e), du = [Double](repeating: 0, count: n * e)
        for i in 0..<n {
            Self.normalizeBackward(dout: dv, out: v, norm: un[i], row: i, dim: e, into: &du)
            let s = graph.nodeSample[i]
            var da = [Double](repeating: 0, count: p), dot = 0.0
            for j in 0..<p {
                for k in 0..<e {
                    da[j] += du[i * e + k] * pt[(s * p + j) * e + k]
                    dp[(s * p + j) * e + k] += att[i * p + j] * du[i * e + k]
                }
                dot += att[i * p + j] * da[j]
            }
            for j in 0..<p {
                let ds = att[i * p + j] * (da[j] - dot) / ta
                for k in 0..<e {
                    dt[i * e + k] += ds * pt[(s * p + j) * e + k]
                    dp[(s * p + j) * e + k] += ds * t[i * e + k]
                }
            }
        }
        r.dtext = dt.map(Float.init)
        r.dpatches = dp.map(Float.init)
        r.drelation = drel.map(Float.init)
        r.imageNodes = v.map(Float.init)
        return r
    }

    /// `out[row] = x[row] / max(‖x[row]‖, 1e-12)`; returns the norm (clamped).
    static func normalize(_ x: [Double], row: Int, dim e: Int, into out: inout [Double]) -> Double {
        var s = 0.0
        for k in 0..<e { s += x[row * e + k] * x[row * e + k] }
        let nrm = max(s.squareRoot(), 1e-12)
        for k in 0..<e { out[row * e + k] = x[row * e + k] / nrm }
        return nrm
    }

    /// Adds `∂/∂x` of `y = x / ‖x‖` into `dx[row]`: `(dy − y (y·dy)) / ‖x‖`.
    static func normalizeBackward(dout: [Double], out: [Double], norm: Double, row: Int, dim e: Int,
                                  into dx: inout [Double]) {
        var d = 0.0
        for k in 0..<e { d += out[row * e + k] * dout[row * e + k] }
        for k in 0..<e { dx[row * e + k] += (dout[row * e + k] - out[row * e + k] * d) / norm }
    }

    /// Symmetric InfoNCE of rows `rows` of `a` against the same rows of `b` (`(CE rows + CE cols) / 2`, mean over
    /// the `n` items, logits `a_k · b_l / τ`); adds the weighted gradients into `da`, `db`; 0 below 2 items.
    static func infoNCE(_ a: [Double], _ b: [Double], rows: [Int], dim e: Int, tau: Double, weight: Double,
                        da: inout [Double], db: inout [Double]) -> Double {
        let n = rows.count
        guard n >= 2 else { return 0 }
        var logits = [Double](repeating: 0, count: n * n)
        for (x, i) in rows.enumerated() {
            for (y, j) in rows.enumerated() {
                var d = 0.0
                for k in 0..<e { d += a[i * e + k] * b[j * e + k] }
                logits[x * n + y] = d / tau
            }
        }
        var loss = 0.0, dl = [Double](repeating: 0, count: n * n)
        let scale = weight / (2 * Double(n))
        for x in 0..<n {  // rows: text k over images
            let mx = (0..<n).map { logits[x * n + $0] }.max()!
            let z = (0..<n).reduce(0.0) { $0 + exp(logits[x * n + $1] - mx) }
            loss += -(logits[x * n + x] - mx - log(z))
            for y in 0..<n { dl[x * n + y] += scale * (exp(logits[x * n + y] - mx) / z - (x == y ? 1 : 0)) }
        }
        for y in 0..<n {  // columns: image l over texts
            let mx = (0..<n).map { logits[$0 * n + y] }.max()!
            let z = (0..<n).reduce(0.0) { $0 + exp(logits[$1 * n + y] - mx) }
            loss += -(logits[y * n + y] - mx - log(z))
            for x in 0..<n { dl[x * n + y] += scale * (exp(logits[x * n + y] - mx) / z - (x == y ? 1 : 0)) }
        }
        for (x, i) in rows.enumerated() {
            for (y, j) in rows.enumerated() where dl[x * n + y] != 0 {
                let g = dl[x * n + y] / tau
                for k in 0..<e {
                    da[i * e + k] += g * b[j * e + k]
                    db[j * e + k] += g * a[i * e + k]
                }
            }
        }
        return loss / (2 * Double(n))
    }

    /// The batch's graph from its entity and relation fields (`.graph`): findings entities of kind anatomy (stage 0)
    /// or observation/device not stated absent (stage 1) with a span inside `length` tokens; edges between two
    /// kept nodes. Returns the graph and each node's span `(sample, start, end)`.
    public static func graph(of batch: TrainingBatch, length: Int) -> (Graph, spans: [(sample: Int, start: Int, end: Int)]) {
        var g = Graph(), spans = [(sample: Int, start: Int, end: Int)]()
        let n = batch.maxEntities, rmax = batch.maxRelations
        guard n > 0 else { return (g, spans) }
        for s in 0..<batch.batchSize {
            var nodeOf = [Int: Int]()
            for k in 0..<n {
                let i = s * n + k
                guard batch.entityMask[i] != 0, batch.entityText[i] == 1 else { continue }
                let start = Int(batch.entityStart[i]), end = min(Int(batch.entityEnd[i]), length)
                guard start >= 0, end > start else { continue }
                let kind = batch.entityKind[i]
                let stage: Int
                if kind == 0 { stage = 0 } else if batch.entityCertainty[i] != 2 { stage = 1 } else { continue }
                nodeOf[k] = g.nodeSample.count
                g.nodeSample.append(s)
                g.nodeStage.append(stage)
                spans.append((s, start, end))
            }
            for q in 0..<rmax where batch.relationMask[s * rmax + q] != 0 {
                let h = Int(batch.relations[(s * rmax + q) * 3]), tl = Int(batch.relations[(s * rmax + q) * 3 + 1])
                let ty = Int(batch.relations[(s * rmax + q) * 3 + 2])
                guard let hn = nodeOf[h], let tn = nodeOf[tl], ty >= 0, ty < relationTypes, hn != tn else { continue }
                g.edges.append((hn, tn, ty))
            }
        }
        return (g, spans)
    }
}
