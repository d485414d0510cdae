import CarinaLoader
import CarinaTensor

/// What CGA's forward keeps for its backward: the batch's graph, the span-pooled text nodes and their projections,
/// and the gradients the objective returned.
@safe final class GraphAlignmentState {
    var graph = GraphAlignment.Graph()
    var spans: [(sample: Int, start: Int, end: Int)] = []
    /// Owns the slices below; replaced (and the old one freed) by each forward with nodes.
    var buffer: ActivationBuffer
    var pooled, projected, normalized, norms: UnsafeMutablePointer<Float>

    init() {
        let b = ActivationBuffer()
        buffer = b
        unsafe pooled = b.take(1); unsafe projected = b.take(1); unsafe normalized = b.take(1); unsafe norms = b.take(1)
    }
    var head: HeadActivations?
    var dtext: [Float] = [], drelation: [Float] = []
    /// The last forward's image-side nodes `(N, E)`.
    var imageNodes: [Float] = []

    func weightedTotal(_ w: LossWeights, _ r: LossBreakdown) -> Double {
        Double(w.anatomy) * r.anatomy + Double(w.pathology) * r.pathology + Double(w.edge) * r.edge
            + Double(w.readout) * r.readout
    }
}

extension DualEncoder {
    /// CGA needs the batch's graph fields and, for edges (and the readout that sums them), the relation table.
    func checkGraphAlignment(_ batch: TrainingBatch, weights: LossWeights) throws {
        guard weights.graphAlignment else { return }
        if batch.maxEntities == 0 {
            throw TrainError.invalidBatch("the CGA objectives need the batch's graph (load it with LoaderOptions.fields "
                + "containing .graph; carina train does so when a CGA stage is on)")
        }
        if (weights.edge != 0 || weights.readout != 0) && config.graphAlignment != true {
            throw TrainError.invalidConfig("CGA's edge and readout stages need a model with \"graphAlignment\": true "
                + "(its relation-type table; model \(config.name) has none)")
        }
    }

    /// CGA's forward on the findings run and the normalized patches: text nodes pooled over entity spans, projected
    /// by `txt_l`, normalized; the cascade's losses into `result`; its patch gradient added into `dpn`.
    @unsafe
    func graphForward(_ a: ModelActivations, batch: TrainingBatch, result: inout LossBreakdown) {
        let c = config, b = batch.batchSize, cw = c.width, e = c.projection, ni = c.imageTokens, np = c.patchCount
        let w = unsafe arena.params, ft = a.findingsText.length
        let st = graphState
        let (graph, spans) = GraphAlignment.graph(of: batch, length: ft)
        st.graph = graph
        st.spans = spans
        let n = spans.count
        st.dtext = []
        st.drelation = []
        guard n > 0 else { return }
        st.buffer = ActivationBuffer()
        unsafe st.pooled = st.buffer.take(n * cw)
        unsafe st.projected = st.buffer.take(n * e)
        unsafe st.normalized = st.buffer.take(n * e)
        unsafe st.norms = st.buffer.take(n)
        st.head = HeadActivations(st.buffer, rows: n, config: c)
        unsafe SpanPooling.forward(out: st.pooled, inp: a.findings.out, sample: spans.map(\.sample),
                                   start: spans.map(\.start), end: spans.map(\.end), tokens: ft, dim: cw)
        unsafe txtL.forward(out: st.projected, inp: st.pooled, params: w, rows: n, inDim: cw, outDim: e, saved: st.head!)
        unsafe Normalize.forward(out: st.normalized, norm: st.norms, inp: st.projected, rows: n, dim: e)
        var patches = [Float](repeating: 0, count: b * np * e)
        for bi in 0..<b { for i in 0..<(np * e) { patches[bi * np * e + i] = unsafe a.pn[bi * ni * e + e + i] } }
        var relation = [Float](repeating: 0, count: GraphAlignment.relationTypes * e)
        if c.graphAlignment == true {
            let off = arena.tensor("cga.relation").offset
            for i in 0..<relation.count { relation[i] = unsafe w[off + i] }
        }
        let weights = a.weights
        let r = objectives.graph.forward(
            text: unsafe Array(UnsafeBufferPointer(start: st.normalized, count: n * e)), patches: patches,
            relation: relation, graph: graph, batch: b, patches: np, dim: e,
            weights: .init(anatomy: weights.anatomy, pathology: weights.pathology, edge: weights.edge,
                           readout: weights.readout))
        result.anatomy = r.anatomy
        result.pathology = r.pathology
        result.edge = r.edge
        result.readout = r.readout
        st.dtext = r.dtext
        st.drelation = r.drelation
        st.imageNodes = r.imageNodes
        for bi in 0..<b { for i in 0..<(np * e) { unsafe a.dpn[bi * ni * e + e + i] += r.dpatches[bi * np * e + i] } }
    }

    /// CGA's backward into the findings run's output gradient `dvt` (written, or added when `accumulate`) and the
    /// relation table's gradient; returns whether it touched `dvt`.
    @unsafe
    func graphBackward(_ a: ModelActivations, batch b: Int, accumulate: Bool) -> Bool {
        let c = config, cw = c.width, e = c.projection, ft = a.findingsText.length
        let w = unsafe arena.params, g = unsafe arena.grads, st = graphState
        if c.graphAlignment == true, !st.drelation.isEmpty {
            let off = arena.tensor("cga.relation").offset
            for i in 0..<st.drelation.count { unsafe g[off + i] += st.drelation[i] }
        }
        let n = st.spans.count
        guard n > 0, let head = st.head else { return false }
        let scratch = ActivationBuffer()
        let dproj = unsafe scratch.take(n * e), dpooled = unsafe scratch.take(n * cw)
        let dhead = unsafe scratch.take(n * (c.projectionHidden ?? 0))
        unsafe st.dtext.withUnsafeBufferPointer { d in
            unsafe Normalize.backward(dinp: dproj, dout: d.baseAddress!, out: st.normalized, norm: st.norms, rows: n, dim: e)
        }
        unsafe txtL.backward(dinp: dpooled, dout: dproj, inp: st.pooled, params: w, grads: g, rows: n, inDim: cw,
                             outDim: e, saved: head, scratch: dhead)
        if !accumulate { unsafe a.dvt.update(repeating: 0, count: b * ft * cw) }
        unsafe SpanPooling.backward(dinp: a.dvt, dout: dpooled, sample: st.spans.map(\.sample),
                                    start: st.spans.map(\.start), end: st.spans.map(\.end), tokens: ft, dim: cw)
        return true
    }
}
