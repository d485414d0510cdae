import CarinaLoader
import Foundation

/// Label-efficient transfer as the seed papers report it (MGCA, MRM): a linear classifier on the frozen image
/// encoder, trained on 1%, 10% and 100% of a labelled training split (seeded subsets), scored by per-class AUROC
/// on the test split.
public enum FractionProbe {
    /// Frozen image features with their labels.
    public struct Features: Sendable {
        /// `(N, D)` row-major.
        public var x: [Float]
        public var dimension: Int
        /// `(N, L)` targets and masks (0: blank or ignored).
        public var labels: [Float]
        public var mask: [Float]
        public var labelCount: Int
        public var count: Int { dimension == 0 ? 0 : x.count / dimension }
    }

    /// One label's scores: AUROC per fraction (nil when the subset or the test split lacks a positive or a negative).
    public struct Row: Sendable, Codable, Equatable {
        public var label: String
        public var auroc: [Double?]
        public var trainPositives: [Int]
        public var testPositives: Int
    }

    public struct Report: Sendable, Codable, Equatable {
        public var fractions: [Double]
        public var trainSamples: [Int]
        public var testSamples: Int
        public var seed: UInt64
        public var rows: [Row]
        /// Mean AUROC per fraction over the labels that have one at that fraction.
        public var mean: [Double?]
        /// How many labels the mean covers, per fraction.
        public var scored: [Int]
    }

    /// The image embeddings of `batches` (no augmentation beyond the loader's evaluation resize) with the batches'
    /// labels and masks.
    public static func features(model: DualEncoder, batches: some Sequence<TrainingBatch>) throws -> Features {
        var x: [Float] = [], labels: [Float] = [], mask: [Float] = []
        var labelCount = 0
        for batch in batches {
            let (image, _) = try model.embed(batch)
            x += image
            labels += batch.labels
            mask += batch.labelMask
            if batch.batchSize > 0 { labelCount = batch.labels.count / batch.batchSize }
        }
        if let bad = x.firstIndex(where: { !$0.isFinite }) {
            throw TrainError.diverged("the image embedding of sample \(bad / model.config.projection) is \(x[bad]): the "
                + "model diverged, so no probe score would mean anything")
        }
        return Features(x: x, dimension: model.config.projection, labels: labels, mask: mask, labelCount: labelCount)
    }

    /// Trains a probe per label on seeded `fractions` of `train` and scores it on `test`. The subsets are nested:
    /// one seeded order of the training samples, of which each fraction takes the first `round(f × N)` (at least 1).
    public static func run(train: Features, test: Features, labelNames: [String], fractions: [Double] = [0.01, 0.1, 1],
                           seed: UInt64 = 0) -> Report {
        let n = train.count, d = train.dimension, l = train.labelCount
        let (order, sizes) = subsets(count: n, fractions: fractions, seed: seed)
        var rows: [Row] = []
        for c in 0..<l {
            let testIdx = (0..<test.count).filter { test.mask[$0 * l + c] > 0 }
            let yTest = testIdx.map { test.labels[$0 * l + c] > 0.5 }
            let testX = testIdx.flatMap { test.x[($0 * d)..<($0 * d + d)] }
            var aurocs: [Double?] = [], positives: [Int] = []
            for size in sizes {
                let idx = order[0..<size].filter { train.mask[$0 * l + c] > 0 }
                let y = idx.map { train.labels[$0 * l + c] > 0.5 }
                positives.append(y.filter { $0 }.count)
                guard y.contains(true), y.contains(false), yTest.contains(true), yTest.contains(false) else {
                    aurocs.append(nil)
                    continue
                }
                let probe = LinearProbe(features: idx.flatMap { train.x[($0 * d)..<($0 * d + d)] }, dimension: d, targets: y)
                aurocs.append(Metrics.auroc(scores: probe.scores(testX), labels: yTest))
            }
            rows.append(Row(label: c < labelNames.count ? labelNames[c] : "label-\(c)", auroc: aurocs,
                            trainPositives: positives, testPositives: yTest.filter { $0 }.count))
        }
        return report(rows: rows, fractions: fractions, trainSamples: sizes, testSamples: test.count, seed: seed)
    }

    /// The nested subsets of `count` training samples: one seeded order, of which fraction `f` takes the first
    /// `round(f × count)` (at least 1, at most `count`). The linear probe and fine-tuning draw the same subsets.
    public static func subsets(count n: Int, fractions: [Double], seed: UInt64) -> (order: [Int], sizes: [Int]) {
        var rng = SeededGenerator(seed: seed)
        var order = Array(0..<n)
        for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        return (order, fractions.map { max(1, min(n, Int(($0 * Double(n)).rounded()))) })
    }

    /// A report of `rows`, with the mean over the labels scored at each fraction.
    static func report(rows: [Row], fractions: [Double], trainSamples: [Int], testSamples: Int, seed: UInt64) -> Report {
        let mean: [Double?] = fractions.indices.map { f in
            let defined = rows.compactMap { $0.auroc[f] }
            return defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
        }
        return Report(fractions: fractions, trainSamples: trainSamples, testSamples: testSamples, seed: seed, rows: rows,
                      mean: mean, scored: fractions.indices.map { f in rows.count { $0.auroc[f] != nil } })
    }

    /// The report as a table: one row per label, one column per fraction, the mean last.
    public static func table(_ report: Report) -> String {
        let header = ["label"] + report.fractions.map { f in
            (f * 100 == (f * 100).rounded() ? String(Int(f * 100)) : String(format: "%g", f * 100)) + "%"
        } + ["test pos"]
        var lines = [header]
        for row in report.rows {
            lines.append([row.label] + row.auroc.map { $0.map { String(format: "%.3f", $0) } ?? "-" } + [String(row.testPositives)])
        }
        lines.append(["mean AUROC"] + report.mean.map { $0.map { String(format: "%.3f", $0) } ?? "-" } + [""])
        lines.append(["labels scored"] + report.scored.map(String.init) + [""])
        lines.append(["train samples"] + report.trainSamples.map(String.init) + [String(report.testSamples)])
        let widths = header.indices.map { c in lines.map { $0[c].count }.max()! }
        return lines.map { cells in
            cells.enumerated().map { c, cell in
                c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
