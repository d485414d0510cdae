import Foundation
import Testing
@testable import CarinaTensor

/// CGA's span pooling against a naive loop, its backward as the adjoint and against finite differences.
@Suite struct SpanPoolingTests {
    @Test func spanMeanAndItsGradient() {
        var rng = TestRNG(17)
        let b = 2, t = 7, c = 3
        let sample = [0, 0, 1, 1, 1], start = [1, 2, 0, 3, 6], end = [3, 5, 1, 6, 7]  // overlapping spans in sample 0
        let x = rng.buf(b * t * c), out = Buf(sample.count * c, 5)
        SpanPooling.forward(out: out.p, inp: x.p, sample: sample, start: start, end: end, tokens: t, dim: c)
        for i in 0..<sample.count {
            for k in 0..<c {
                var ref = 0.0
                for pos in start[i]..<end[i] { ref += Double(x.p[(sample[i] * t + pos) * c + k]) }
                ref /= Double(end[i] - start[i])
                #expect(abs(Double(out.p[i * c + k]) - ref) < 1e-6)
            }
        }
        // Backward adds the adjoint: <pool(x), r> = <x, poolᵀ(r)>, rows in no span untouched.
        let r = rng.buf(sample.count * c), dx = Buf(b * t * c)
        SpanPooling.backward(dinp: dx.p, dout: r.p, sample: sample, start: start, end: end, tokens: t, dim: c)
        #expect(abs(dotD(out, r) - dotD(x, dx)) < 1e-4)
        #expect((0..<c).allSatisfy { dx.p[$0] == 0 && dx.p[(0 * t + 6) * c + $0] == 0 })
        // Finite differences of L = <pool(x), r> at a position in two spans.
        let i = (0 * t + 2) * c + 1, h: Float = 1e-2
        func loss(_ v: Float) -> Double {
            let saved = x.p[i]
            x.p[i] = v
            SpanPooling.forward(out: out.p, inp: x.p, sample: sample, start: start, end: end, tokens: t, dim: c)
            x.p[i] = saved
            return dotD(out, r)
        }
        let numeric = (loss(x.p[i] + h) - loss(x.p[i] - h)) / Double(2 * h)
        #expect(abs(numeric - Double(dx.p[i])) < 1e-3)
    }
}
