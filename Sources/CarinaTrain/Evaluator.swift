import CarinaLoader
import CarinaTensor
import Foundation

/// Recall@1/5/10 in both retrieval directions.
public struct RecallAtK: Sendable, Codable, Equatable {
    public var r1: Double, r5: Double, r10: Double
}

/// AUROC of one label's linear probe on the held-out half.
public struct LabelAUROC: Sendable, Codable, Equatable {
    public var label: String
    /// Positives in the probe's training and test halves.
    public var trainPositives: Int, testPositives: Int
    /// nil when either half lacks positives or negatives.
    public var auroc: Double?
}

/// The result of `Evaluator.evaluate`.
public struct EvalReport: Sendable, Codable, Equatable {
    public var samples: Int
    public var imageToReport: RecallAtK
    public var reportToImage: RecallAtK
    public var probe: [LabelAUROC]
    /// Mean AUROC over the labels where it is defined.
    public var meanAUROC: Double?
    /// Recall@k of random retrieval among `samples` items, for comparison: k / samples.
    public var chanceRecallAt1: Double
    /// The same recalls counting every held-out report with the query's exact impression text as a match, the
    /// chance level of that R@1, and the number of distinct impressions.
    public var imageToReportByText: RecallAtK
    public var reportToImageByText: RecallAtK
    public var chanceRecallAt1ByText: Double
    public var distinctReports: Int
    /// Mean cosine between the image embeddings of different samples, and between the report embeddings: near 1
    /// when a tower has collapsed to one output and retrieval cannot work whatever the other tower does.
    public var imageSpread: Double
    public var reportSpread: Double
}

/// Held-out evaluation of a checkpoint: image↔report retrieval on the global embeddings (image CLS vs impression CLS)
/// and per-label AUROC of linear probes on the image embedding.
public enum Evaluator {
    /// Loads `checkpoint`, embeds every batch, and scores. Labels are the batches' `concepts` columns, named by
    /// `labelNames` (default `concept-0` …). The probe trains on a seeded half of the samples and is scored on the other.
    /// `instanceText`: the report text embedded (the one the model was trained to embed).
    public static func evaluate(checkpoint: String, batches: some Sequence<TrainingBatch>, labelNames: [String]? = nil,
                                probeSeed: UInt64 = 0, instanceText: InstanceText = .impression) throws -> EvalReport {
        let model = try DualEncoder(checkpoint: Checkpoint.read(from: checkpoint))
        model.objectives.instanceText = instanceText
        return try evaluate(model: model, batches: batches, labelNames: labelNames, probeSeed: probeSeed)
    }

    /// As above, for a model in memory.
    public static func evaluate(model: DualEncoder, batches: some Sequence<TrainingBatch>, labelNames: [String]? = nil,
                                probeSeed: UInt64 = 0) throws -> EvalReport {
        let e = model.config.projection, k = model.config.concepts
        var img = [Float](), txt = [Float](), labels = [Float](), ids = [Int32](), mask = [Float]()
        for batch in batches {
            let (i, t) = try model.embed(batch)
            img += i
            txt += t
            labels += batch.concepts
            ids += batch.impressionIDs
            mask += batch.impressionMask
        }
        let n = img.count / e
        guard n > 0 else { throw TrainError.invalidBatch("evaluation needs at least one sample") }
        // A diverged model's NaN embeddings would tie every similarity and score as perfect retrieval.
        for (tower, values) in [("image", img), ("report", txt)] {
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw TrainError.diverged("the \(tower) embedding of sample \(bad / e) is \(values[bad]): the model "
                    + "diverged, so no score would mean anything; evaluate an earlier checkpoint or train again with a lower --lr")
            }
        }
        if let names = labelNames, names.count != k {
            throw TrainError.invalidConfig("\(names.count) label names for \(k) concepts")
        }
        // Cosine similarities (embeddings are unit length).
        var sim = [Float](repeating: 0, count: n * n)
        unsafe img.withUnsafeBufferPointer { ip in
            unsafe txt.withUnsafeBufferPointer { tp in
                unsafe sim.withUnsafeMutableBufferPointer { sp in
                    unsafe Linear.forward(out: sp.baseAddress!, inp: ip.baseAddress!, weight: tp.baseAddress!, bias: nil,
                                          rows: n, inDim: e, outDim: n)
                }
            }
        }
        let ks = [1, 5, 10]
        let i2t = Metrics.recall(similarity: sim, count: n, ks: ks)
        let simT = Metrics.transpose(sim, count: n)
        let t2i = Metrics.recall(similarity: simT, count: n, ks: ks)
        let groups = Metrics.textGroups(ids: ids, mask: mask, length: model.config.textLength)
        let i2tText = Metrics.recall(similarity: sim, count: n, ks: ks, groups: groups)
        let t2iText = Metrics.recall(similarity: simT, count: n, ks: ks, groups: groups)
        // Probe split.
        var rng = SeededGenerator(seed: probeSeed)
        var order = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let trainIdx = Array(order[0..<(n / 2)]), testIdx = Array(order[(n / 2)...])
        func rows(_ idx: [Int]) -> [Float] { idx.flatMap { img[($0 * e)..<($0 * e + e)] } }
        let trainX = rows(trainIdx), testX = rows(testIdx)
        var probe = [LabelAUROC]()
        for c in 0..<k {
            let yTrain = trainIdx.map { labels[$0 * k + c] > 0.5 }, yTest = testIdx.map { labels[$0 * k + c] > 0.5 }
            let name = labelNames?[c] ?? "concept-\(c)"
            var auc: Double?
            if yTrain.contains(true) && yTrain.contains(false) {
                let p = LinearProbe(features: trainX, dimension: e, targets: yTrain)
                auc = Metrics.auroc(scores: p.scores(testX), labels: yTest)
            }
            probe.append(LabelAUROC(label: name, trainPositives: yTrain.filter { $0 }.count,
                                    testPositives: yTest.filter { $0 }.count, auroc: auc))
        }
        let defined = probe.compactMap(\.auroc)
        return EvalReport(
            samples: n,
            imageToReport: RecallAtK(r1: i2t[1]!, r5: i2t[5]!, r10: i2t[10]!),
            reportToImage: RecallAtK(r1: t2i[1]!, r5: t2i[5]!, r10: t2i[10]!),
            probe: probe, meanAUROC: defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count),
            chanceRecallAt1: 1 / Double(n),
            imageToReportByText: RecallAtK(r1: i2tText[1]!, r5: i2tText[5]!, r10: i2tText[10]!),
            reportToImageByText: RecallAtK(r1: t2iText[1]!, r5: t2iText[5]!, r10: t2iText[10]!),
            chanceRecallAt1ByText: Metrics.chanceRecallAt1(groups: groups),
            distinctReports: Set(groups).count,
            imageSpread: Metrics.meanPairwiseCosine(img, count: n, dimension: e),
            reportSpread: Metrics.meanPairwiseCosine(txt, count: n, dimension: e))
    }
}
