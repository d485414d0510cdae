import Foundation
import Testing
@testable import CarinaTrain

@Suite struct TextMetricsTests {
    @Test func wordsSplitPunctuationAndLowercase() {
        #expect(TextMetrics.words("No acute cardiopulmonary process.") == ["no", "acute", "cardiopulmonary", "process", "."])
    }

    /// Worked by hand: candidate "the lungs are clear ." against "the lungs are clear and expanded .".
    @Test func bleuAndRougeOfAWorkedExample() {
        let cand = [TextMetrics.words("the lungs are clear .")]
        let ref = [TextMetrics.words("the lungs are clear and expanded .")]
        let b = TextMetrics.bleu(candidates: cand, references: ref)
        // p1 = 5/5, p2 = 3/4 ("clear ." is not in the reference), p3 = 2/3, p4 = 1/2; BP = exp(1 − 7/5).
        let bp = exp(1 - 7.0 / 5)
        let expected = [1.0, pow(1 * 0.75, 1 / 2.0), pow(1 * 0.75 * 2 / 3, 1 / 3.0), pow(1 * 0.75 * 2 / 3 * 0.5, 0.25)].map { $0 * bp }
        for (x, y) in zip(b, expected) { #expect(abs(x - y) < 1e-12) }
        // LCS 5: P = 1, R = 5/7.
        #expect(abs(TextMetrics.rougeL(candidates: cand, references: ref) - 2 * (5.0 / 7) / (1 + 5.0 / 7)) < 1e-12)
        #expect(TextMetrics.bleu(candidates: ref, references: ref) == [1, 1, 1, 1])
        #expect(TextMetrics.bleu(candidates: [["pleural"]], references: [["pleural", "effusion"]])[1] == 0)
    }
}
