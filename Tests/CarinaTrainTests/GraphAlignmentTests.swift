import CarinaLoader
import CarinaTensor
import CarinaTestSupport
import Foundation
import Testing
@testable import CarinaTrain

/// `batch` with a seeded random graph in the findings: up to `n` entities per sample (spans inside the findings,
/// kinds and certainties drawn, some in the impression), relations between them; `empty` samples get none.
func withRandomGraph(_ batch: TrainingBatch, seed: UInt64, entities n: Int = 6, relations r: Int = 4,
                     empty: Set<Int> = []) -> TrainingBatch {
    var rng = SeededGenerator(seed: seed)
    var b = batch
    let bs = b.batchSize, t = b.textLength
    b.maxEntities = n
    b.maxRelations = r
    for name in [\TrainingBatch.entityText, \.entityStart, \.entityEnd, \.entityKind, \.entityCertainty, \.entityConcept] {
        b[keyPath: name] = [Int32](repeating: 0, count: bs * n)
    }
    b.entityMask = [Float](repeating: 0, count: bs * n)
    b.relations = [Int32](repeating: 0, count: bs * r * 3)
    b.relationMask = [Float](repeating: 0, count: bs * r)
    for s in 0..<bs where !empty.contains(s) {
        let len = (0..<t).last { b.findingsMask[s * t + $0] != 0 }.map { $0 + 1 } ?? 0
        guard len > 2 else { continue }
        let count = 2 + Int(rng.next() % UInt64(n - 1))
        for k in 0..<count {
            let i = s * n + k
            let start = 1 + Int(rng.next() % UInt64(len - 2))
            b.entityStart[i] = Int32(start)
            b.entityEnd[i] = Int32(min(len, start + 1 + Int(rng.next() % 3)))
            b.entityText[i] = k == count - 1 ? 0 : 1  // the last in the impression: not a node
            b.entityKind[i] = k % 2 == 0 ? 0 : Int32(1 + rng.next() % 2)
            b.entityCertainty[i] = k == 3 ? 2 : Int32(rng.next() % 2)
            b.entityMask[i] = 1
        }
        for q in 0..<r {
            b.relations[(s * r + q) * 3] = Int32(rng.next() % UInt64(count))
            b.relations[(s * r + q) * 3 + 1] = Int32(rng.next() % UInt64(count))
            b.relations[(s * r + q) * 3 + 2] = Int32(rng.next() % 3)
            b.relationMask[s * r + q] = q < 3 ? 1 : 0
        }
    }
    return b
}

@Suite(.serialized) struct GraphAlignmentTests {
    init() { BLAS.setThreads(1) }

    static let config: ModelConfig = {
        var c = testConfig
        c.graphAlignment = true
        return c
    }()

    static let weights: LossWeights = {
        var w = LossWeights(global: 1, local: 0, graph: 0)
        w.anatomy = 0.7; w.pathology = 1.3; w.edge = 0.9; w.readout = 1.1
        return w
    }()

    /// The cascade's gradients (text nodes, patches, relation table) against central differences of its weighted
    /// loss, every stage on with a different weight.
    @Test func objectiveGradientsMatchFiniteDifferences() {
        var rng = SeededGenerator(seed: 21)
        let b = 3, p = 5, e = 6
        var graph = GraphAlignment.Graph()
        graph.nodeSample = [0, 0, 0, 1, 1, 2, 2, 2]
        graph.nodeStage = [0, 1, 1, 0, 1, 0, 0, 1]
        graph.edges = [(1, 0, 0), (2, 0, 1), (4, 3, 0), (7, 5, 2), (6, 7, 0)]
        let n = graph.nodeSample.count
        let text = (0..<(n * e)).map { _ in Float(rng.normal()) }
        let patches = (0..<(b * p * e)).map { _ in Float(rng.normal()) }
        let relation = (0..<(3 * e)).map { _ in Float(rng.normal() * 0.5) }
        let sw = GraphAlignment.StageWeights(anatomy: 0.7, pathology: 1.3, edge: 0.9, readout: 1.1)
        let ga = GraphAlignment(temperature: 0.5, attentionTemperature: 0.7)
        func total(_ t: [Float], _ pt: [Float], _ rl: [Float]) -> Double {
            let r = ga.forward(text: t, patches: pt, relation: rl, graph: graph, batch: b, patches: p, dim: e, weights: sw)
            return 0.7 * r.anatomy + 1.3 * r.pathology + 0.9 * r.edge + 1.1 * r.readout
        }
        let r = ga.forward(text: text, patches: patches, relation: relation, graph: graph, batch: b, patches: p, dim: e,
                           weights: sw)
        #expect(r.anatomy > 0 && r.pathology > 0 && r.edge > 0 && r.readout > 0)
        var worst = 0.0
        func check(_ x: [Float], _ analytic: [Float], _ f: ([Float]) -> Double) {
            for i in 0..<x.count {
                let h: Float = 1e-3
                var up = x, down = x
                up[i] += h; down[i] -= h
                let numeric = (f(up) - f(down)) / Double(up[i] - down[i])
                worst = max(worst, abs(numeric - Double(analytic[i])) / (1e-4 + 1e-3 * abs(numeric)))
            }
        }
        check(text, r.dtext) { total($0, patches, relation) }
        check(patches, r.dpatches) { total(text, $0, relation) }
        check(relation, r.drelation) { total(text, patches, $0) }
        #expect(worst <= 1, "worst scaled error \(worst)")
    }

    /// The stage InfoNCE against a direct evaluation of its definition.
    @Test func stageLossIsTheSymmetricInfoNCE() {
        let e = 2
        let a: [Double] = [1, 0, 0, 1, 0.6, 0.8], bb: [Double] = [0.8, 0.6, 0, 1, 1, 0]
        var da = [Double](repeating: 0, count: 6), db = da
        let loss = GraphAlignment.infoNCE(a, bb, rows: [0, 1, 2], dim: e, tau: 0.5, weight: 1, da: &da, db: &db)
        var expected = 0.0
        var s = [[Double]](repeating: [0, 0, 0], count: 3)
        for i in 0..<3 {
            for j in 0..<3 {
                let d: Double = a[i * 2] * bb[j * 2] + a[i * 2 + 1] * bb[j * 2 + 1]
                s[i][j] = d / 0.5
            }
        }
        for i in 0..<3 {
            var zr = 0.0, zc = 0.0
            for j in 0..<3 { zr += exp(s[i][j]); zc += exp(s[j][i]) }
            expected -= log(exp(s[i][i]) / zr) / 6
            expected -= log(exp(s[i][i]) / zc) / 6
        }
        #expect(abs(loss - expected) < 1e-12)
        var none = [Double](repeating: 0, count: 6), none2 = none
        let single = GraphAlignment.infoNCE(a, bb, rows: [1], dim: e, tau: 0.5, weight: 1, da: &none, db: &none2)
        #expect(single == 0 && none.allSatisfy { $0 == 0 })
    }

    /// Nodes: findings entities only, absent pathologies out, relations only between kept nodes.
    @Test func graphKeepsFindingsNodesAndTheirEdges() {
        let batch = withRandomGraph(randomBatch(testConfig, batch: 3, seed: 30), seed: 31, empty: [1])
        let (g, spans) = GraphAlignment.graph(of: batch, length: testConfig.textLength)
        #expect(!g.nodeSample.isEmpty && !g.nodeSample.contains(1))
        for (i, span) in spans.enumerated() {
            let slot = (0..<batch.maxEntities).first {
                batch.entityStart[span.sample * batch.maxEntities + $0] == Int32(span.start)
                    && batch.entityText[span.sample * batch.maxEntities + $0] == 1
            }!
            let k = span.sample * batch.maxEntities + slot
            #expect(g.nodeStage[i] == (batch.entityKind[k] == 0 ? 0 : 1))
            #expect(batch.entityKind[k] == 0 || batch.entityCertainty[k] != 2)
        }
        for ed in g.edges { #expect(g.nodeSample[ed.head] == g.nodeSample[ed.tail] && ed.head != ed.tail) }
    }

    /// A graph read from RadGraph JSON differs from Carina's own only in what the ingest cannot know (no concept;
    /// devices read as observations: `RecordContractTests.radGraphGraphsGetTheSameOffsets`); CGA's graph and losses
    /// are the same.
    @Test func radGraphsTrainTheSame() throws {
        var own = withRandomGraph(randomBatch(testConfig, batch: 4, seed: 60), seed: 61)
        for i in own.entityKind.indices where own.entityMask[i] != 0 {
            own.entityConcept[i] = Int32(i % 5)
            if i % 3 == 0 && own.entityKind[i] != 0 { own.entityKind[i] = 2 }
        }
        #expect(own.entityKind.contains(2))
        var radGraph = own
        radGraph.entityConcept = own.entityConcept.map { _ in -1 }
        radGraph.entityKind = own.entityKind.map { $0 == 2 ? 1 : $0 }
        let a = GraphAlignment.graph(of: own, length: testConfig.textLength)
        let b = GraphAlignment.graph(of: radGraph, length: testConfig.textLength)
        #expect(a.0 == b.0 && a.spans.map { [$0.sample, $0.start, $0.end] } == b.spans.map { [$0.sample, $0.start, $0.end] })
        let model = try DualEncoder(config: Self.config, seed: 2)
        #expect(try model.forward(own, weights: Self.weights) == (try model.forward(radGraph, weights: Self.weights)))
    }

    /// Every parameter's gradient, CGA's four stages and the instance loss on, against finite differences of the
    /// whole model's loss.
    @Test func wholeModelGradientMatchesFiniteDifferences() throws {
        let model = try DualEncoder(config: Self.config, seed: 3)
        let batch = withRandomGraph(randomBatch(testConfig, batch: 3, seed: 4), seed: 5)
        let check = try FiniteDifferenceCheck(model, batch: batch, weights: Self.weights, randomProbes: 3)
        let first = check.loss
        #expect(first.anatomy > 0 && first.pathology > 0 && first.edge > 0 && first.readout > 0)
        #expect(check.worst <= 1, "worst: \(check.worstAt)")
        let relation = model.arena.tensor("cga.relation")
        #expect(check.gradients[relation.offset..<(relation.offset + relation.count)].contains { $0 != 0 })
    }

    /// A batch whose graphs are all empty trains exactly as the other objectives alone.
    @Test func emptyGraphsLeaveTheOtherObjectivesAlone() throws {
        let batch = withRandomGraph(randomBatch(testConfig, batch: 3, seed: 40), seed: 41, empty: [0, 1, 2])
        var runs: [(Double, [Float])] = []
        for w in [Self.weights, LossWeights(global: 1, local: 0, graph: 0)] {
            let model = try DualEncoder(config: Self.config, seed: 7)
            model.arena.zeroGradients()
            let loss = try model.forward(batch, weights: w)
            model.backward()
            runs.append((loss.total, model.arena.allGradients))
        }
        #expect(runs[0].0 == runs[1].0)
        let imageOnly = DualEncoder.parameterSpecs(Self.config).prefix { !$0.0.hasPrefix("text.") }.reduce(0) { $0 + $1.1.reduce(1, *) }
        // The instance loss's gradients agree; the local heads, run for CGA, get none.
        #expect(Array(runs[0].1[0..<imageOnly]) == Array(runs[1].1[0..<imageOnly]))
    }

    @Test func missingGraphFieldsOrRelationTableAreRejected() throws {
        let model = try DualEncoder(config: Self.config, seed: 1)
        #expect(throws: TrainError.self) { try model.forward(randomBatch(testConfig, batch: 2, seed: 2), weights: Self.weights) }
        let plain = try DualEncoder(config: testConfig, seed: 1)
        let batch = withRandomGraph(randomBatch(testConfig, batch: 2, seed: 2), seed: 3)
        #expect(throws: TrainError.self) { try plain.forward(batch, weights: Self.weights) }
        var nodesOnly = LossWeights(global: 0, local: 0, graph: 0)
        nodesOnly.anatomy = 1
        nodesOnly.pathology = 1
        #expect(try plain.forward(batch, weights: nodesOnly).total > 0)
        #expect(try LossWeights.parse("cga") == LossWeights.parse("global=1,anatomy=1,pathology=1,edge=1,readout=1"))
    }

    @Test func resumeIsBitExactWithTheCascade() throws {
        let dir = try TemporaryDirectory("carina-cga-resume")
        let batches = (0..<6).map { withRandomGraph(randomBatch(testConfig, batch: 4, seed: 300 + UInt64($0)), seed: 400 + UInt64($0)) }
        let options = TrainOptions(steps: 6, batchSize: 4, learningRate: 1e-3, warmupSteps: 2, clipNorm: 1.0,
                                   lossWeights: Self.weights, seed: 5, logEvery: 1)
        let run = try InterruptedRun(config: Self.config, options: options, batches: batches, stopAfter: 3,
                                     directory: dir.path)
        let losses = run.fullSummary.losses
        #expect(losses.allSatisfy { $0.anatomy > 0 && $0.readout > 0 })
        #expect(losses.contains { $0.pathology > 0 } && losses.contains { $0.edge > 0 })
        run.expectBitExact()
    }

    @Test func cascadeLearnsARepeatedBatch() throws {
        let batch = withRandomGraph(randomBatch(testConfig, batch: 4, seed: 50), seed: 51)
        var w = Self.weights
        w.global = 0
        let s = try trainOnARepeatedBatch(batch, config: Self.config, options: TrainOptions(
            steps: 30, batchSize: 4, learningRate: 3e-3, warmupSteps: 2, lossWeights: w, seed: 1, logEvery: 1))
        #expect(s.losses.last!.total < 0.7 * s.losses.first!.total)
    }
}

/// CGA with the instance objective, and its four stages alone, against the PyTorch reference on the small
/// configuration: the same parameters and batch (one sample's graph empty) give the same loss parts and the same
/// gradient for every parameter. Fixture made by `Scripts/trainer-cga-reference.py`.
@Suite(.serialized) struct CGAReferenceTests {
    init() { BLAS.setThreads(1) }

    @Test(arguments: [0, 1]) func lossPartsAndGradientsMatchPyTorch(caseIndex: Int) throws {
        let f = try ReferenceFixture("reference-cga")
        let config = f.config, meta = f.meta
        #expect(config.graphAlignment == true)
        let cases = try f.cases()
        #expect(f.floats.count == f.parameterStart + f.parameterCount * (1 + cases.count))
        var batch = try f.batch(concepts: false)
        let graph = try #require(meta["graph"] as? [String: Any])
        func ints(_ k: String) throws -> [Int32] { try ReferenceFixture.ints(graph, k) }
        batch.maxEntities = try #require(meta["maxEntities"] as? Int)
        batch.maxRelations = try #require(meta["maxRelations"] as? Int)
        batch.entityText = try ints("entityText")
        batch.entityStart = try ints("entityStart")
        batch.entityEnd = try ints("entityEnd")
        batch.entityKind = try ints("entityKind")
        batch.entityCertainty = try ints("entityCertainty")
        batch.entityConcept = try ints("entityConcept")
        batch.entityMask = try ints("entityMask").map { Float($0) }
        batch.relations = try ints("relations")
        batch.relationMask = try ints("relationMask").map { Float($0) }
        let (g, _) = GraphAlignment.graph(of: batch, length: config.textLength)
        #expect(g.nodeSample.count == meta["nodes"] as? Int && g.edges.count == meta["edges"] as? Int)

        let c = cases[caseIndex]
        let model = try DualEncoder(config: config, seed: 0)
        #expect(model.arena.tensors.map(\.name) == f.names)
        model.arena.setAll(f.parameters)
        let w = try #require(c["weights"] as? [String: Double])
        var weights = LossWeights(global: Float(w["global"]!), local: 0, graph: 0)
        weights.anatomy = Float(w["anatomy"]!); weights.pathology = Float(w["pathology"]!)
        weights.edge = Float(w["edge"]!); weights.readout = Float(w["readout"]!)
        model.arena.zeroGradients()
        let loss = try model.forward(batch, weights: weights)
        let mine = ["global": loss.global, "anatomy": loss.anatomy, "pathology": loss.pathology, "edge": loss.edge,
                    "readout": loss.readout]
        try expectLossesMatch(mine, total: loss.total, case: c, weights: w)
        model.backward()
        let norms = expectGradientsMatch(model, f.slab(1 + caseIndex))
        #expect(norms.filter { $0.reference > 0 }.count > model.arena.tensors.count / 2)
    }
}
