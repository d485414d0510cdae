import CarinaTensor
import Foundation
import Testing
@testable import CarinaTrain

@Suite(.serialized) struct FineTuneTests {
    init() { BLAS.setThreads(1); Parallel.threads = 2 }

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
                    var v = Float(rng.unit() - 0.5) * 0.6
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
        let loss = unsafe Losses.maskedBinaryCrossEntropyWithLogits(logits: x, targets: y, mask: m, count: x.count,
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
            let up = unsafe Losses.maskedBinaryCrossEntropyWithLogits(logits: xp, targets: y, mask: m, count: x.count, dlogits: &scratch)
            let down = unsafe Losses.maskedBinaryCrossEntropyWithLogits(logits: xm, targets: y, mask: m, count: x.count, dlogits: &scratch)
            #expect(abs((up - down) / 2e-2 - Double(d[i])) < 1e-4)
        }
        // No labelled entry: zero loss and zero gradients, not a division by zero.
        let none = unsafe Losses.maskedBinaryCrossEntropyWithLogits(logits: x, targets: y, mask: [Float](repeating: 0, count: 6),
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
                    if err > worst { worst = err; worstName = "\(t.name)[\(i - t.offset)] numeric \(numeric) analytic \(exact)" }
                }
            }
        }
        #expect(worst <= 1, "worst: \(worstName)")
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
        let report = try FineTune.run(config: testConfig, parameters: start, train: train, test: test,
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
        let again = try FineTune.run(config: testConfig, parameters: start, train: train, test: test,
                                     labelNames: ["top-left", "bottom-right", "coin"], fractions: [0.1, 1], options: options)
        #expect(again == report)
        var other = options
        other.seed = 3
        let reseeded = try FineTune.run(config: testConfig, parameters: start, train: train, test: test,
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
