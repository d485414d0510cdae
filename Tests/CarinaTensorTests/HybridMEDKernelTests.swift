import Foundation
import Testing
@testable import CarinaTensor

/// HybridMED's kernels (causal self-attention, cross-attention over a padded memory, temperature-scaled KL
/// distillation) against naive loops in Double and finite differences.
@Suite(.serialized) struct HybridMEDKernelTests {
    init() { BLAS.setThreads(1) }

    /// Naive multi-head attention in Double: queries `(B, N, C)`, keys and values `(B, M, C)`.
    static func naiveAttention(q: [Double], k: [Double], v: [Double], mask: [Float]?, b: Int, n: Int, m: Int, c: Int,
                               h: Int, causal: Bool) -> [Double] {
        let hd = c / h
        var out = [Double](repeating: 0, count: b * n * c)
        for bi in 0..<b { for hi in 0..<h { for i in 0..<n {
            var s = [Double](repeating: -.infinity, count: m)
            for j in 0..<m where (mask == nil || mask![bi * m + j] != 0) && (!causal || j <= i) {
                var d = 0.0
                for x in 0..<hd { d += q[(bi * n + i) * c + hi * hd + x] * k[(bi * m + j) * c + hi * hd + x] }
                s[j] = d / Double(hd).squareRoot()
            }
            let mx = s.max()!
            guard mx > -.infinity else { continue }
            let e = s.map { exp($0 - mx) }, z = e.reduce(0, +)
            for j in 0..<m { for x in 0..<hd { out[(bi * n + i) * c + hi * hd + x] += e[j] / z * v[(bi * m + j) * c + hi * hd + x] } }
        } } }
        return out
    }

    @Test func causalSelfAttentionMatchesANaiveLoopAndFiniteDifferences() {
        var rng = TestRNG(11)
        let b = 2, n = 5, c = 8, h = 2
        let qkv = rng.buf(b * n * 3 * c), out = Buf(b * n * c), att = Buf(b * h * n * n)
        Attention.forward(out: out.p, att: att.p, qkv: qkv.p, keyMask: nil, batch: b, tokens: n, dim: c, heads: h, causal: true)
        func split(_ part: Int) -> [Double] {
            (0..<(b * n * c)).map { i in Double(qkv.p[(i / c) * 3 * c + part * c + i % c]) }
        }
        let ref = Self.naiveAttention(q: split(0), k: split(1), v: split(2), mask: nil, b: b, n: n, m: n, c: c, h: h, causal: true)
        for i in 0..<(b * n * c) { #expect(abs(Double(out.p[i]) - ref[i]) < 1e-5) }
        // Nothing above the diagonal; the first query attends to itself alone.
        for bh in 0..<(b * h) { for i in 0..<n { for j in (i + 1)..<(n + 1) where j < n { #expect(att.p[(bh * n + i) * n + j] == 0) } } }
        #expect(att.p[0] == 1)
        // A later token never changes an earlier output.
        let changed = Buf(qkv.array)
        for k in 0..<(3 * c) { changed.p[(n - 1) * 3 * c + k] += 1 }
        // Scratch outputs stay alive through each call (a temporary's pointer may outlive the object).
        let out2 = Buf(b * n * c), scratch = Buf(b * h * n * n)
        withExtendedLifetime(scratch) {
            Attention.forward(out: out2.p, att: scratch.p, qkv: changed.p, keyMask: nil, batch: b, tokens: n, dim: c,
                              heads: h, causal: true)
        }
        for i in 0..<((n - 1) * c) { #expect(out.p[i] == out2.p[i]) }
        let r = rng.buf(b * n * c), dqkv = Buf(b * n * 3 * c)
        Attention.backward(dqkv: dqkv.p, dout: r.p, qkv: qkv.p, att: att.p, batch: b, tokens: n, dim: c, heads: h)
        let worst = gradientCheck(qkv, analytic: dqkv, samples: 60, h: 1e-2) {
            let o = Buf(b * n * c)
            withExtendedLifetime(scratch) {
                Attention.forward(out: o.p, att: scratch.p, qkv: qkv.p, keyMask: nil, batch: b, tokens: n, dim: c,
                                  heads: h, causal: true)
            }
            return dotD(o, r)
        }
        #expect(worst <= 1, "worst scaled error \(worst)")
    }

    @Test func crossAttentionMatchesANaiveLoopAndFiniteDifferences() {
        var rng = TestRNG(12)
        let b = 3, n = 4, m = 6, c = 8, h = 2
        let q = rng.buf(b * n * c), kv = rng.buf(b * m * 2 * c)
        // Sample 1 has two padded keys, sample 2 none left (its output is zero).
        var maskValues = [Float](repeating: 1, count: b * m)
        maskValues[m + 4] = 0; maskValues[m + 5] = 0
        for j in 0..<m { maskValues[2 * m + j] = 0 }
        let mask = Buf(maskValues), out = Buf(b * n * c), att = Buf(b * h * n * m)
        CrossAttention.forward(out: out.p, att: att.p, q: q.p, kv: kv.p, keyMask: mask.p, batch: b, queries: n, keys: m,
                               dim: c, heads: h)
        let k = (0..<(b * m * c)).map { i in Double(kv.p[(i / c) * 2 * c + i % c]) }
        let v = (0..<(b * m * c)).map { i in Double(kv.p[(i / c) * 2 * c + c + i % c]) }
        let ref = Self.naiveAttention(q: q.array.map(Double.init), k: k, v: v, mask: maskValues, b: b, n: n, m: m, c: c,
                                      h: h, causal: false)
        for i in 0..<(b * n * c) { #expect(abs(Double(out.p[i]) - ref[i]) < 1e-5) }
        for i in (2 * n * c)..<(3 * n * c) { #expect(out.p[i] == 0) }
        let r = rng.buf(b * n * c), dq = Buf(b * n * c), dkv = Buf(b * m * 2 * c, 9)
        CrossAttention.backward(dq: dq.p, dkv: dkv.p, dout: r.p, q: q.p, kv: kv.p, att: att.p, batch: b, queries: n,
                                keys: m, dim: c, heads: h)
        let scratch = Buf(b * h * n * m)
        func loss() -> Double {
            let o = Buf(b * n * c)
            withExtendedLifetime(scratch) {
                CrossAttention.forward(out: o.p, att: scratch.p, q: q.p, kv: kv.p, keyMask: mask.p, batch: b,
                                       queries: n, keys: m, dim: c, heads: h)
            }
            return dotD(o, r)
        }
        #expect(gradientCheck(q, analytic: dq, samples: 48, loss) <= 1)
        #expect(gradientCheck(kv, analytic: dkv, samples: 96, loss) <= 1)
        // Padded keys and values get no gradient.
        for x in 0..<(2 * c) { #expect(dkv.p[(m + 4) * 2 * c + x] == 0 && dkv.p[(2 * m) * 2 * c + x] == 0) }
    }

    @Test func distillationIsTemperatureScaledKLWithAStudentOnlyGradient() {
        var rng = TestRNG(13)
        let rows = 3, v = 11, t: Float = 2
        let s = rng.buf(rows * v, scale: 2), te = rng.buf(rows * v, scale: 2), ds = Buf(rows * v)
        let loss = Losses.distillationKL(student: s.p, teacher: te.p, rows: rows, classes: v, temperature: t, scale: 0.5,
                                         dstudent: ds.p)
        var ref = 0.0
        for r in 0..<rows {
            func soft(_ x: Buf) -> [Double] {
                let z = (0..<v).map { Double(x.p[r * v + $0]) / Double(t) }, mx = z.max()!
                let e = z.map { exp($0 - mx) }, sum = e.reduce(0, +)
                return e.map { $0 / sum }
            }
            let ps = soft(s), pt = soft(te)
            for j in 0..<v { ref += Double(t * t) * pt[j] * log(pt[j] / ps[j]) }
        }
        #expect(abs(loss - ref) < 1e-6 * max(1, ref))  // the logits are divided by T in Float
        #expect(loss > 0)
        let scratch = Buf(rows * v)
        let worst = gradientCheck(s, analytic: ds, samples: 33, h: 1e-2) {
            withExtendedLifetime(scratch) {
                0.5 * Losses.distillationKL(student: s.p, teacher: te.p, rows: rows, classes: v, temperature: t, scale: 1,
                                            dstudent: scratch.p)
            }
        }
        #expect(worst <= 1, "worst scaled error \(worst)")
        // Identical distributions: no loss, no gradient.
        let same = Losses.distillationKL(student: te.p, teacher: te.p, rows: rows, classes: v, temperature: t, scale: 1,
                                         dstudent: ds.p)
        #expect(abs(same) < 1e-12 && ds.array.allSatisfy { abs($0) < 1e-7 })
    }
}
