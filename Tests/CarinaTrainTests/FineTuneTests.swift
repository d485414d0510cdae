import CarinaTensor
import Foundation
import Testing

@testable import CarinaTrain

@Suite(.serialized) struct FineTuneTests {
    init() { BLAS.setThreads(1) }

    /// Images of `testConfig`'s size: label 0 is a bright top-left quadrant, label 1 a bright bottom-right one (both
    /// learnable from the pixels), label 2 a coin toss; every sample's label 2 of odd index is unlabelled (mask 0).
    static func samples(count: Int, seed: UInt64) -> FineTune.Samples {
        let s = testConfig.imageSize, h = s / 2
        var rng = SeededGenerator(seed: seed)
        var images: [Float] = [], labels: [Float] = [], mask: [Float] = []
        for i in 0..<count {
            let a = rng.next() % 2 == 1, b = rng.next() % 2 == 1, noise = rng.next() % 2 == 1
            for y in 0..<s {
                for x in 0..<s {
                    var v = Float(rng.nextUnitDouble() - 0.5) * 0.6
                    if a && y < h && x < h { v += 1 }
                    if b && y >= h && x >= h { v += 1 }
                    images.append(v)
                }
            }
            labels += [a ? 1 : 0, b ? 1 : 0, noise ? 1 : 0]
            mask += [1, 1, i % 2 == 0 ? 1 : 0]
        }
        return FineTune.Samples(images: images, imageSize: s, labels: labels, mask: mask, labelCount: 3)
    }

    @Test func maskedBinaryCrossEntropyMatchesANaiveSumAndItsDerivative() {
        let x: [Float] = [2.5, -1, 0.3, -30, 40, 0], y: [Float] = [1, 0, 1, 1, 0, 0], m: [Float] = [1, 1, 0, 1, 1, 0]
        var d = [Float](repeating: 9, count: x.count)
        let loss = unsafe Losses.maskedBinaryCrossEntropyWithLogits(
            logits: x, targets: y, mask: m, count: x.count,
            dlogits: &d)
        var naive = 0.0
        for i in x.indices where m[i] > 0 {
            let p = 1 / (1 + exp(-Double(x[i])))
            // log σ(−30) and log(1 − σ(40)) underflow in the naive form; their exact values are −x and −x.
            naive -= y[i] > 0 ? (x[i] < -20 ? Double(x[i]) : log(p)) : (x[i] > 20 ? -Double(x[i]) : log(1 - p))
        }
        #expect(abs(loss - naive / 4) < 1e-9)
        #expect(d[2] == 0 && d[5] == 0)
        for i in x.indices where m[i] > 0 {
            var xp = x, xm = x, scratch = d
            xp[i] += 1e-2
            xm[i] -= 1e-2
            let up = unsafe Losses.maskedBinaryCrossEntropyWithLogits(
                logits: xp, targets: y, mask: m, count: x.count, dlogits: &scratch)
            let down = unsafe Losses.maskedBinaryCrossEntropyWithLogits(
                logits: xm, targets: y, mask: m, count: x.count, dlogits: &scratch)
            #expect(abs((up - down) / 2e-2 - Double(d[i])) < 1e-4)
        }
        // No labelled entry: zero loss and zero gradients, not a division by zero.
        let none = unsafe Losses.maskedBinaryCrossEntropyWithLogits(
            logits: x, targets: y, mask: [Float](repeating: 0, count: 6),
            count: 6, dlogits: &d)
        #expect(none == 0 && d.allSatisfy { $0 == 0 })
    }

    /// The head's and the image encoder's gradients against central finite differences of the masked loss.
    @Test func classifierGradientsMatchFiniteDifferences() throws {
        let encoder = try DualEncoder(config: testConfig, seed: 3)
        let classifier = ImageClassifier(encoder: encoder, labels: 3, seed: 4)
        let data = Self.samples(count: 3, seed: 5)
        func loss() throws -> Double {
            try classifier.loss(images: data.images, targets: data.labels, mask: data.mask, batch: 3)
        }
        classifier.zeroGradients()
        _ = try loss()
        classifier.backward()
        // Nothing outside the image encoder gets a gradient.
        let grads = encoder.arena.allGradients
        #expect(grads.indices.allSatisfy { classifier.encoderRange.contains($0) || grads[$0] == 0 })
        var worst = 0.0, worstName = ""
        var rng = SeededGenerator(seed: 9)
        let arenas: [(ParameterArena, [ParameterTensor])] = [
            (classifier.head, classifier.head.tensors),
            (encoder.arena, encoder.arena.tensors.filter { $0.name.hasPrefix("image.") }),
        ]
        for (arena, tensors) in arenas {
            let analytic = arena.allGradients
            for t in tensors {
                var probes = (0..<3).map { _ in t.offset + Int(rng.next() % UInt64(t.count)) }
                if let maxAt = (t.offset..<(t.offset + t.count)).max(by: { abs(analytic[$0]) < abs(analytic[$1]) }) {
                    probes.append(maxAt)
                }
                for i in probes {
                    var values = arena.allParameters
                    let saved = values[i], h: Float = 1e-2
                    values[i] = saved + h
                    arena.setAll(values)
                    let up = try loss()
                    values[i] = saved - h
                    arena.setAll(values)
                    let down = try loss()
                    values[i] = saved
                    arena.setAll(values)
                    let numeric = (up - down) / Double(2 * h), exact = Double(analytic[i])
                    let err = abs(numeric - exact) / (2e-3 + 3e-2 * abs(exact))
                    if err > worst {
                        worst = err; worstName = "\(t.name)[\(i - t.offset)] numeric \(numeric) analytic \(exact)"
                    }
                }
            }
        }
        #expect(worst <= 1, "worst: \(worstName)")
    }

    /// The objective against PyTorch (`Scripts/trainer-finetune-reference.py`): the same parameters and batch give
    /// the same loss, the same gradient for every image-encoder and head tensor, and the same losses after AdamW
    /// updates of the image encoder and the head alone.
    @Test func lossGradientsAndUpdatesMatchThePyTorchReference() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let meta = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: dir.appendingPathComponent("reference-finetune.json"))) as? [String: Any])
        let config = try JSONDecoder().decode(
            ModelConfig.self,
            from: JSONSerialization.data(withJSONObject: try #require(meta["config"])))
        let floats: [Float] = try Data(contentsOf: dir.appendingPathComponent("reference-finetune.bin"))
            .withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let b = try #require(meta["batch"] as? Int), l = try #require(meta["labels"] as? Int)
        let n = try #require(meta["parameterCount"] as? Int), h = l * config.width + l
        let images = b * config.imageSize * config.imageSize
        #expect(floats.count == images + 2 * (n + h))
        var at = 0
        func take(_ count: Int) -> [Float] { defer { at += count }; return Array(floats[at..<(at + count)]) }
        let pixels = take(images), parameters = take(n), headParameters = take(h)
        let gradients = take(n), headGradients = take(h)
        let targets = try #require(meta["targets"] as? [Double]).map(Float.init)
        let mask = try #require(meta["mask"] as? [Double]).map(Float.init)
        let losses = try #require(meta["lossesPerUpdate"] as? [Double])

        let encoder = try DualEncoder(config: config, seed: 0)
        #expect(encoder.arena.tensors.map(\.name) == (meta["names"] as? [String]))
        encoder.arena.setAll(parameters)
        let classifier = ImageClassifier(encoder: encoder, labels: l, seed: 0)
        classifier.head.setAll(headParameters)
        classifier.zeroGradients()
        let loss = try classifier.loss(images: pixels, targets: targets, mask: mask, batch: b)
        #expect(abs(loss - losses[0]) < 1e-5 * abs(losses[0]), "loss \(loss) vs PyTorch \(losses[0])")
        classifier.backward()
        for (arena, reference) in [(encoder.arena, gradients), (classifier.head, headGradients)] {
            let mine = arena.allGradients
            for t in arena.tensors {
                let range = t.offset..<(t.offset + t.count)
                let refNorm = range.reduce(0.0) { $0 + Double(reference[$1]) * Double(reference[$1]) }.squareRoot()
                let diff = range.reduce(0.0) { $0 + pow(Double(mine[$1] - reference[$1]), 2) }.squareRoot()
                #expect(diff <= 1e-4 * refNorm + 1e-7, "\(t.name): |Δ| \(diff) vs |g| \(refNorm)")
            }
        }
        // AdamW on the image encoder and the head only (lr 1e-3, decay 0.05, constant rate, as the reference).
        let adamW = AdamW(weightDecay: 0.05)
        for step in 1..<losses.count {
            if step > 1 {
                classifier.zeroGradients()
                _ = try classifier.loss(images: pixels, targets: targets, mask: mask, batch: b)
                classifier.backward()
            }
            adamW.update(encoder.arena, range: classifier.encoderRange, step: step, learningRate: 1e-3)
            adamW.update(classifier.head, range: 0..<classifier.head.count, step: step, learningRate: 1e-3)
            let after = try classifier.loss(images: pixels, targets: targets, mask: mask, batch: b)
            #expect(
                abs(after - losses[step]) < 2e-5 * abs(losses[step]),
                "after \(step) updates \(after) vs \(losses[step])")
        }
        // The text tower was not touched.
        let text = encoder.arena.tensor("text.pos")
        #expect(
            Array(encoder.arena.allParameters[text.offset..<(text.offset + text.count)])
                == Array(parameters[text.offset..<(text.offset + text.count)]))
    }

    @Test func fineTuningLearnsASeparableSetAndIsDeterministic() throws {
        let train = Self.samples(count: 96, seed: 11), test = Self.samples(count: 64, seed: 12)
        let start = try DualEncoder(config: testConfig, seed: 1).arena.allParameters
        let options = FineTune.Options(epochs: 8, learningRate: 1e-3, weightDecay: 0.05, batchSize: 16, seed: 2)
        // The loss falls on the whole set.
        let encoder = try DualEncoder(config: testConfig, seed: 1)
        let classifier = ImageClassifier(encoder: encoder, labels: 3, seed: 2)
        let losses = try FineTune.train(classifier, on: train, indices: Array(0..<train.count), options: options)
        #expect(losses.count == 8)
        #expect(losses.last! < 0.75 * losses.first!, "losses \(losses)")
        // The table: the quadrant labels are learnt at 100%, the coin toss is not.
        var lines: [String] = []
        let report = try FineTune.run(
            config: testConfig, parameters: start, train: train, test: test,
            labelNames: ["top-left", "bottom-right", "coin"], fractions: [0.1, 1],
            options: options, log: { lines.append($0) })
        #expect(report.trainSamples == [10, 96])
        #expect(FractionProbe.subsets(count: 96, fractions: [0.1, 1], seed: 2).sizes == [10, 96])
        #expect((report.rows[0].auroc[1] ?? 0) > 0.9, "\(report.rows[0])")
        #expect((report.rows[1].auroc[1] ?? 0) > 0.9, "\(report.rows[1])")
        #expect(abs((report.rows[2].auroc[1] ?? 0) - 0.5) < 0.25, "\(report.rows[2])")
        #expect(report.rows[0].testPositives == (0..<64).count { test.labels[$0 * 3] > 0 })
        #expect(lines.count == 2 + 2 * 8 && lines[0].hasPrefix("fine-tune 10%"))
        // The same inputs and seed give the same scores, bit for bit.
        let again = try FineTune.run(
            config: testConfig, parameters: start, train: train, test: test,
            labelNames: ["top-left", "bottom-right", "coin"], fractions: [0.1, 1], options: options)
        #expect(again == report)
        var other = options
        other.seed = 3
        let reseeded = try FineTune.run(
            config: testConfig, parameters: start, train: train, test: test,
            labelNames: [], fractions: [0.1, 1], options: other)
        #expect(reseeded.rows.map(\.auroc) != report.rows.map(\.auroc))
    }

    @Test func mismatchedSplitsAreRefused() throws {
        let start = try DualEncoder(config: testConfig, seed: 1).arena.allParameters
        let train = Self.samples(count: 4, seed: 1)
        var test = Self.samples(count: 4, seed: 2)
        test.labelCount = 2
        #expect(throws: TrainError.self) {
            try FineTune.run(config: testConfig, parameters: start, train: train, test: test, labelNames: [])
        }
    }
}
