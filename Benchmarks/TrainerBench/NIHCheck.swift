import CarinaLoader
import CarinaTrain
import Foundation

/// The real-image learning check: train the image encoder of a 64×64 carina configuration on the NIH1000 train split
/// with the graph loss only (15 targets: abnormal + 14 NIH findings; the set has no reports, so both text losses are
/// off), then fit linear probes on the image embedding of the valid + test splits (seeded halves) and report AUROC,
/// beside the same probe on the untrained encoder. Input: the files of Scripts/trainer-nih-prepare.py.
struct NIHCheck {
    struct Meta: Decodable { var size: Int; var labels: [String]; var split: [String]; var targets: [[Float]] }

    /// Train-split batches in a seeded order per epoch; state = (epoch, next position) as two UInt64 LE.
    struct Source: BatchSource {
        let images: [Float], targets: [[Float]], indices: [Int], size: Int, batch: Int, seed: UInt64
        var epoch = 0, position = 0
        var order: [Int] = []

        init(images: [Float], targets: [[Float]], indices: [Int], size: Int, batch: Int, seed: UInt64) {
            self.images = images; self.targets = targets; self.indices = indices
            self.size = size; self.batch = batch; self.seed = seed
            order = Self.shuffled(indices, seed: seed, epoch: 0)
        }

        static func shuffled(_ x: [Int], seed: UInt64, epoch: Int) -> [Int] {
            var rng = SeededGenerator(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9)
            var o = x
            for i in stride(from: o.count - 1, to: 0, by: -1) { o.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            return o
        }

        mutating func nextBatch() throws -> TrainingBatch? {
            if position >= order.count {
                epoch += 1
                position = 0
                order = Self.shuffled(indices, seed: seed, epoch: epoch)
            }
            let take = Array(order[position..<min(position + batch, order.count)])
            position += take.count
            return NIHCheck.batch(take, images: images, targets: targets, size: size)
        }

        var state: [UInt8] {
            withUnsafeBytes(of: UInt64(epoch).littleEndian) { Array($0) } + withUnsafeBytes(of: UInt64(position).littleEndian) { Array($0) }
        }

        mutating func restore(_ state: [UInt8]) throws {
            guard state.count == 16 else { throw TrainError.invalidCheckpoint("NIH source state must be 16 bytes") }
            func u64(_ o: Int) -> Int { Int((0..<8).reduce(UInt64(0)) { $0 | UInt64(state[o + $1]) << (8 * UInt64($1)) }) }
            epoch = u64(0)
            position = u64(8)
            order = Self.shuffled(indices, seed: seed, epoch: epoch)
        }
    }

    static func batch(_ idx: [Int], images: [Float], targets: [[Float]], size s: Int) -> TrainingBatch {
        let b = idx.count, k = targets[0].count
        var img = [Float](), concepts = [Float]()
        img.reserveCapacity(b * s * s)
        for i in idx { img += images[(i * s * s)..<((i + 1) * s * s)]; concepts += targets[i] }
        // No reports: [CLS] only.
        let ids = (0..<(2 * b)).map { Int32($0 % 2 == 0 ? 1 : 0) }, mask = (0..<(2 * b)).map { Float($0 % 2 == 0 ? 1 : 0) }
        return TrainingBatch(batchSize: b, imageSize: s, textLength: 2, conceptCount: k, images: img,
                             impressionIDs: ids, impressionMask: mask, findingsIDs: ids, findingsMask: mask,
                             concepts: concepts, keys: idx.map { "nih-\($0)" })
    }

    static func run(prefix: String, epochs: Int, threads: Int, seed: UInt64) throws -> [String: Any] {
        let meta = try JSONDecoder().decode(Meta.self, from: Data(contentsOf: URL(fileURLWithPath: prefix + ".json")))
        let raw = try Data(contentsOf: URL(fileURLWithPath: prefix + ".bin"))
        let images: [Float] = raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let s = meta.size, k = meta.labels.count
        let config = ModelConfig(name: "carina-nih64", imageSize: s, patchSize: 8, width: 128, depth: 4, heads: 4,
                                 mlp: 512, vocabSize: 2, textLength: 2, projection: 128, concepts: k)
        let train = meta.split.indices.filter { meta.split[$0] == "train" }
        let held = meta.split.indices.filter { meta.split[$0] != "train" }
        let batchSize = 32
        let steps = epochs * ((train.count + batchSize - 1) / batchSize)
        let trainer = try Trainer(config: config, options: TrainOptions(
            steps: steps, batchSize: batchSize, learningRate: 1e-3, warmupSteps: 20,
            lossWeights: LossWeights(global: 0, local: 0, graph: 1), seed: seed, logEvery: 50, threads: threads))
        var source = Source(images: images, targets: meta.targets, indices: train, size: s, batch: batchSize, seed: seed)
        let t0 = Date()
        let summary = try trainer.train(source: &source) { FileHandle.standardError.write(Data(($0.line + "\n").utf8)) }
        let seconds = Date().timeIntervalSince(t0)
        let heldBatches = stride(from: 0, to: held.count, by: 50).map {
            batch(Array(held[$0..<min($0 + 50, held.count)]), images: images, targets: meta.targets, size: s)
        }
        let trained = try Evaluator.evaluate(model: trainer.model, batches: heldBatches, labelNames: meta.labels, probeSeed: seed)
        let untrained = try Evaluator.evaluate(model: try DualEncoder(config: config, seed: seed), batches: heldBatches,
                                               labelNames: meta.labels, probeSeed: seed)
        func r3(_ x: Double?) -> Any { x.map { ($0 * 1000).rounded() / 1000 } ?? NSNull() }
        return [
            "check": "nih1000 linear probe", "train_images": train.count, "held_out_images": held.count,
            "epochs": epochs, "steps": steps, "train_seconds": r3(seconds),
            "graph_loss_first_last": [r3(summary.losses.first?.graph), r3(summary.losses.last?.graph)],
            "abnormal_auroc_trained": r3(trained.probe[0].auroc), "abnormal_auroc_untrained": r3(untrained.probe[0].auroc),
            "mean_auroc_trained": r3(trained.meanAUROC), "mean_auroc_untrained": r3(untrained.meanAUROC),
            "per_label_auroc_trained": Dictionary(uniqueKeysWithValues: trained.probe.map { ($0.label, r3($0.auroc)) }),
        ]
    }
}
