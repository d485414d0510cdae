import Foundation
import Testing
@testable import CarinaTrain

@Suite struct FractionProbeTests {
    /// Features where label 0 is the sign of the first coordinate (learnable), label 1 is noise, and label 2 is
    /// positive for one training sample only (and no test sample).
    static func features(count: Int, seed: UInt64, rare: Int = -1) -> FractionProbe.Features {
        var rng = SeededGenerator(seed: seed)
        func unit() -> Float { Float(rng.next() % 10_000) / 10_000 - 0.5 }
        var x: [Float] = [], labels: [Float] = [], mask: [Float] = []
        for i in 0..<count {
            let row = (0..<4).map { _ in unit() }
            x += row
            labels += [row[0] > 0 ? 1 : 0, unit() > 0 ? 1 : 0, i == rare ? 1 : 0]
            mask += [1, 1, 1]
        }
        return FractionProbe.Features(x: x, dimension: 4, labels: labels, mask: mask, labelCount: 3)
    }

    @Test func learnsWhatIsLearnableAndSaysWhatCannotBeScored() {
        let train = Self.features(count: 400, seed: 1, rare: 3), test = Self.features(count: 200, seed: 2)
        let report = FractionProbe.run(train: train, test: test, labelNames: ["signal", "noise", "rare"],
                                       fractions: [0.01, 0.1, 1], seed: 7)
        #expect(report.trainSamples == [4, 40, 400])
        let signal = report.rows[0], noise = report.rows[1]
        #expect((signal.auroc[2] ?? 0) > 0.97)
        #expect((signal.auroc[1] ?? 0) > 0.9)
        #expect(abs((noise.auroc[2] ?? 0) - 0.5) < 0.15)
        // the rare label's test split has no positive: never scored, and left out of the mean
        #expect(report.rows[2].auroc == [nil, nil, nil])
        #expect(report.scored[2] == 2)
        #expect(abs(report.mean[2]! - (signal.auroc[2]! + noise.auroc[2]!) / 2) < 1e-12)
        // the same seed gives the same subsets and scores
        #expect(FractionProbe.run(train: train, test: test, labelNames: [], fractions: [0.01, 0.1, 1], seed: 7).mean == report.mean)
        let table = FractionProbe.table(report)
        #expect(table.contains("signal") && table.contains("1%") && table.contains("100%") && table.contains("mean AUROC"))
    }
}
