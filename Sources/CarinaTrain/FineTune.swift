import CarinaLoader
import Foundation

/// Full fine-tuning as the seed papers report it beside the linear probe (MGCA, MRM): a linear classifier on the
/// image encoder's CLS output (`ImageClassifier`), trained end to end with AdamW on binary cross-entropy over the
/// labelled classes, from the same starting weights for each label fraction, on the same nested seeded subsets as
/// `FractionProbe`, and scored by per-class AUROC on the test split.
public enum FineTune {
    /// Images with their labels, held in memory.
    public struct Samples: Sendable {
        /// `(N, 1, S, S)` as the loader gives them (evaluation resize, no augmentation).
        public var images: [Float]
        public var imageSize: Int
        /// `(N, L)` targets and masks (0: blank or ignored).
        public var labels: [Float]
        public var mask: [Float]
        public var labelCount: Int
        public var count: Int { imageSize == 0 ? 0 : images.count / (imageSize * imageSize) }

        public init(images: [Float], imageSize: Int, labels: [Float], mask: [Float], labelCount: Int) {
            self.images = images
            self.imageSize = imageSize
            self.labels = labels
            self.mask = mask
            self.labelCount = labelCount
        }

        /// The samples of `batches`, in order.
        public init(batches: some Sequence<TrainingBatch>) {
            self.init(images: [], imageSize: 0, labels: [], mask: [], labelCount: 0)
            for batch in batches where batch.batchSize > 0 {
                images += batch.images
                imageSize = batch.imageSize
                labels += batch.labels
                mask += batch.labelMask
                labelCount = batch.labels.count / batch.batchSize
            }
        }

        /// Images, labels and masks of the samples `indices`, in that order.
        func gather(_ indices: ArraySlice<Int>) -> (images: [Float], labels: [Float], mask: [Float]) {
            let p = imageSize * imageSize, l = labelCount
            var x: [Float] = [], y: [Float] = [], m: [Float] = []
            x.reserveCapacity(indices.count * p)
            for i in indices {
                x += images[(i * p)..<((i + 1) * p)]
                y += labels[(i * l)..<((i + 1) * l)]
                m += mask[(i * l)..<((i + 1) * l)]
            }
            return (x, y, m)
        }
    }

    /// The optimisation: AdamW (decay on the image encoder and the head only) with a linear warm-up over the first
    /// tenth of the updates and a cosine decay; each epoch visits the subset in a seeded order, in batches of
    /// `batchSize` (a last incomplete batch is left out unless the subset is smaller than one batch).
    public struct Options: Sendable, Equatable {
        public var epochs: Int
        public var learningRate: Float
        public var weightDecay: Float
        public var batchSize: Int
        public var seed: UInt64

        public init(
            epochs: Int = 10, learningRate: Float = 1e-4, weightDecay: Float = 0.05, batchSize: Int = 32,
            seed: UInt64 = 0
        ) {
            self.epochs = epochs
            self.learningRate = learningRate
            self.weightDecay = weightDecay
            self.batchSize = batchSize
            self.seed = seed
        }
    }

    /// Trains `classifier` on the samples `indices` of `data`; returns the mean loss of each epoch. `log` receives
    /// one line per epoch.
    public static func train(
        _ classifier: ImageClassifier, on data: Samples, indices: [Int], options: Options,
        log: (String) -> Void = { _ in }
    ) throws -> [Double] {
        guard !indices.isEmpty, options.epochs > 0, options.batchSize > 0 else { return [] }
        let batch = min(options.batchSize, indices.count)
        let perEpoch = indices.count / batch
        let schedule = LearningRateSchedule(
            peak: options.learningRate, warmupSteps: (options.epochs * perEpoch) / 10,
            totalSteps: options.epochs * perEpoch)
        let adamW = AdamW(weightDecay: options.weightDecay)
        var rng = SeededGenerator(seed: options.seed ^ 0x6669_6E65_7475_6E65)
        var order = indices, step = 0, losses: [Double] = []
        for epoch in 1...options.epochs {
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            var total = 0.0
            for k in 0..<perEpoch {
                let part = data.gather(order[(k * batch)..<((k + 1) * batch)])
                classifier.zeroGradients()
                let loss = try classifier.loss(images: part.images, targets: part.labels, mask: part.mask, batch: batch)
                guard loss.isFinite else {
                    throw TrainError.diverged(
                        "fine-tuning loss is \(loss) at epoch \(epoch), update \(step + 1): lower --lr")
                }
                classifier.backward()
                step += 1
                let lr = schedule.rate(step: step)
                adamW.update(classifier.encoder.arena, range: classifier.encoderRange, step: step, learningRate: lr)
                adamW.update(classifier.head, range: 0..<classifier.head.count, step: step, learningRate: lr)
                total += loss
            }
            losses.append(total / Double(perEpoch))
            log(
                "epoch \(epoch)/\(options.epochs): loss \(String(format: "%.4f", losses.last!)) (\(perEpoch) updates of \(batch))"
            )
        }
        return losses
    }

    /// Logits `(N, L)` of every sample of `data`, in batches of `batchSize`.
    public static func logits(_ classifier: ImageClassifier, of data: Samples, batchSize: Int) throws -> [Float] {
        var out: [Float] = []
        var start = 0
        while start < data.count {
            let end = min(data.count, start + max(1, batchSize))
            let part = data.gather(Array(start..<end)[...])
            out += try classifier.logits(images: part.images, batch: end - start)
            start = end
        }
        if let bad = out.firstIndex(where: { !$0.isFinite }) {
            throw TrainError.diverged("the fine-tuned logit of sample \(bad / classifier.labelCount) is \(out[bad])")
        }
        return out
    }

    /// Fine-tunes a copy of the encoder `config` with `parameters` on each of `fractions` of `train` (the nested
    /// subsets of `FractionProbe.subsets` with `options.seed`) and scores it on `test`. A label is scored at a
    /// fraction only when its subset and the test split hold both a positive and a negative.
    public static func run(
        config: ModelConfig, parameters: [Float], train trainSet: Samples, test: Samples,
        labelNames: [String], fractions: [Double] = [0.01, 0.1, 1], options: Options = Options(),
        log: (String) -> Void = { _ in }
    ) throws -> FractionProbe.Report {
        let train = trainSet
        let l = train.labelCount
        guard l > 0, test.labelCount == l else {
            throw TrainError.invalidBatch("the training split has \(l) labels and the test split \(test.labelCount)")
        }
        guard train.imageSize == config.imageSize, test.imageSize == config.imageSize else {
            throw TrainError.invalidBatch(
                "images of \(train.imageSize) but model \(config.name) expects \(config.imageSize)")
        }
        let (order, sizes) = FractionProbe.subsets(count: train.count, fractions: fractions, seed: options.seed)
        var aurocs = [[Double?]](repeating: [], count: l), positives = [[Int]](repeating: [], count: l)
        for (f, size) in sizes.enumerated() {
            let subset = Array(order[0..<size])
            let encoder = try DualEncoder(config: config, seed: 0)
            encoder.arena.setAll(parameters)
            let classifier = ImageClassifier(encoder: encoder, labels: l, seed: options.seed)
            log("fine-tune \(String(format: "%g", fractions[f] * 100))%: \(size) samples")
            _ = try Self.train(classifier, on: train, indices: subset, options: options, log: { log("  " + $0) })
            let scores = try logits(classifier, of: test, batchSize: options.batchSize)
            for c in 0..<l {
                let idx = subset.filter { train.mask[$0 * l + c] > 0 }
                let y = idx.map { train.labels[$0 * l + c] > 0.5 }
                let testIdx = (0..<test.count).filter { test.mask[$0 * l + c] > 0 }
                let yTest = testIdx.map { test.labels[$0 * l + c] > 0.5 }
                positives[c].append(y.count { $0 })
                guard y.contains(true), y.contains(false), yTest.contains(true), yTest.contains(false) else {
                    aurocs[c].append(nil)
                    continue
                }
                aurocs[c].append(Metrics.auroc(scores: testIdx.map { Double(scores[$0 * l + c]) }, labels: yTest))
            }
        }
        let rows = (0..<l).map { c in
            FractionProbe.Row(
                label: c < labelNames.count ? labelNames[c] : "label-\(c)", auroc: aurocs[c],
                trainPositives: positives[c],
                testPositives: (0..<test.count).count { test.mask[$0 * l + c] > 0 && test.labels[$0 * l + c] > 0.5 })
        }
        return FractionProbe.report(
            rows: rows, fractions: fractions, trainSamples: sizes, testSamples: test.count,
            seed: options.seed)
    }
}
