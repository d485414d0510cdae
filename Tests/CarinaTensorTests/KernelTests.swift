import Foundation
import Testing
@testable import CarinaTensor

@Suite(.serialized) struct KernelTests {
    init() { BLAS.setThreads(1) }

    @Test func linearMatchesNaiveLoopAndFiniteDifferences() {
        var rng = TestRNG(1)
        let m = 37, c = 19, oc = 23
        let x = rng.buf(m * c), w = rng.buf(oc * c, scale: 0.3), bias = rng.buf(oc), out = Buf(m * oc)
        Linear.forward(out: out.p, inp: x.p, weight: w.p, bias: bias.p, rows: m, inDim: c, outDim: oc)
        var worst: Float = 0
        for r in 0..<m {
            for o in 0..<oc {
                var s = Double(bias.p[o])
                for k in 0..<c { s += Double(x.p[r * c + k]) * Double(w.p[o * c + k]) }
                worst = max(worst, abs(Float(s) - out.p[r * oc + o]))
            }
        }
        #expect(worst < 1e-4)
        let r = rng.buf(m * oc), dx = Buf(m * c), dw = Buf(oc * c), db = Buf(oc)
        Linear.backward(dinp: dx.p, dweight: dw.p, dbias: db.p, dout: r.p, inp: x.p, weight: w.p,
                        rows: m, inDim: c, outDim: oc)
        let f = { () -> Double in
            Linear.forward(out: out.p, inp: x.p, weight: w.p, bias: bias.p, rows: m, inDim: c, outDim: oc)
            return dotD(out, r)
        }
        #expect(gradientCheck(x, analytic: dx, f) <= 1)
        #expect(gradientCheck(w, analytic: dw, f) <= 1)
        #expect(gradientCheck(bias, analytic: db, f) <= 1)
    }

    @Test func linearWithRowStridesMatchesContiguous() {
        var rng = TestRNG(2)
        let m = 5, c = 8, oc = 6, stride = 3 * c
        let xs = rng.buf(m * stride), w = rng.buf(oc * c), x = Buf(m * c)
        for r in 0..<m { for k in 0..<c { x.p[r * c + k] = xs.p[r * stride + k] } }
        let a = Buf(m * oc), b = Buf(m * oc)
        Linear.forward(out: a.p, inp: x.p, weight: w.p, bias: nil, rows: m, inDim: c, outDim: oc)
        Linear.forward(out: b.p, inp: xs.p, weight: w.p, bias: nil, rows: m, inDim: c, outDim: oc, inStride: stride)
        #expect(maxAbsDiff(a, b) == 0)
    }

    @Test func layerNormMatchesFormulaAndFiniteDifferences() {
        var rng = TestRNG(3)
        let m = 9, c = 16
        let x = rng.buf(m * c, scale: 2), w = rng.buf(c), b = rng.buf(c)
        let out = Buf(m * c), mean = Buf(m), rstd = Buf(m)
        LayerNorm.forward(out: out.p, mean: mean.p, rstd: rstd.p, inp: x.p, weight: w.p, bias: b.p, rows: m, dim: c)
        var worst = 0.0
        for r in 0..<m {
            let row = (0..<c).map { Double(x.p[r * c + $0]) }
            let mu = row.reduce(0, +) / Double(c)
            let v = row.map { ($0 - mu) * ($0 - mu) }.reduce(0, +) / Double(c)
            for i in 0..<c {
                let y = (row[i] - mu) / (v + 1e-5).squareRoot() * Double(w.p[i]) + Double(b.p[i])
                worst = max(worst, abs(y - Double(out.p[r * c + i])))
            }
        }
        #expect(worst < 1e-4)
        let r = rng.buf(m * c), dx = Buf(m * c), dw = Buf(c), db = Buf(c)
        LayerNorm.backward(dinp: dx.p, dweight: dw.p, dbias: db.p, dout: r.p, inp: x.p, weight: w.p,
                           mean: mean.p, rstd: rstd.p, rows: m, dim: c)
        let f = { () -> Double in
            LayerNorm.forward(out: out.p, mean: mean.p, rstd: rstd.p, inp: x.p, weight: w.p, bias: b.p, rows: m, dim: c)
            return dotD(out, r)
        }
        #expect(gradientCheck(x, analytic: dx, h: 1e-2, f) <= 1)
        #expect(gradientCheck(w, analytic: dw, f) <= 1)
        #expect(gradientCheck(b, analytic: db, f) <= 1)
    }

    @Test func geluIsExactErfVariantWithMatchingGradient() {
        var rng = TestRNG(4)
        let n = 5000
        let x = rng.buf(n, scale: 2), out = Buf(n)
        GELU.forward(out: out.p, inp: x.p, count: n)
        // Known values of x·Φ(x): gelu(1) = 0.8413447, gelu(−1) = −0.1586553.
        let probe = Buf([1, -1]), po = Buf(2)
        GELU.forward(out: po.p, inp: probe.p, count: 2)
        #expect(abs(po.p[0] - 0.8413447) < 1e-6 && abs(po.p[1] + 0.1586553) < 1e-6)
        let r = rng.buf(n), dx = Buf(n)
        GELU.backward(dinp: dx.p, inp: x.p, dout: r.p, count: n)
        #expect(gradientCheck(x, analytic: dx, h: 1e-2, {
            GELU.forward(out: out.p, inp: x.p, count: n)
            return dotD(out, r)
        }) <= 1)
        // The derivative saved by the forward (written over the input itself) gives the same gradient.
        let saved = Buf(n), out2 = Buf(n), dx2 = Buf(n)
        saved.fill(from: x)
        GELU.forward(out: out.p, inp: x.p, count: n)
        GELU.forward(out: out2.p, derivative: saved.p, inp: saved.p, count: n)
        #expect(maxAbsDiff(out, out2) == 0)
        GELU.backward(dinp: dx2.p, derivative: saved.p, dout: r.p, count: n)
        #expect(maxAbsDiff(dx, dx2) <= 1e-6)
    }

    /// Naive attention in Double: for every (b, h, i) scores over unmasked keys, softmax, weighted sum of values.
    func naiveAttention(qkv: Buf, mask: Buf?, b: Int, n: Int, c: Int, h: Int) -> [Double] {
        let hd = c / h
        var out = [Double](repeating: 0, count: b * n * c)
        for bi in 0..<b {
            for hi in 0..<h {
                for i in 0..<n {
                    var s = [Double](repeating: -.infinity, count: n)
                    for j in 0..<n where mask == nil || mask!.p[bi * n + j] != 0 {
                        var d = 0.0
                        for k in 0..<hd {
                            d += Double(qkv.p[(bi * n + i) * 3 * c + hi * hd + k])
                                * Double(qkv.p[(bi * n + j) * 3 * c + c + hi * hd + k])
                        }
                        s[j] = d / Double(hd).squareRoot()
                    }
                    let mx = s.max()!
                    let e = s.map { exp($0 - mx) }
                    let z = e.reduce(0, +)
                    for k in 0..<hd {
                        var acc = 0.0
                        for j in 0..<n { acc += e[j] / z * Double(qkv.p[(bi * n + j) * 3 * c + 2 * c + hi * hd + k]) }
                        out[(bi * n + i) * c + hi * hd + k] = acc
                    }
                }
            }
        }
        return out
    }

    @Test(arguments: [false, true]) func attentionMatchesNaiveAndFiniteDifferences(masked: Bool) {
        var rng = TestRNG(5)
        let b = 2, n = 7, c = 12, h = 3
        let qkv = rng.buf(b * n * 3 * c), out = Buf(b * n * c), att = Buf(b * h * n * n)
        let mask: Buf? = masked ? Buf([1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0]) : nil
        Attention.forward(out: out.p, att: att.p, qkv: qkv.p, keyMask: mask?.p, batch: b, tokens: n, dim: c, heads: h)
        let ref = naiveAttention(qkv: qkv, mask: mask, b: b, n: n, c: c, h: h)
        var worst = 0.0
        for i in 0..<ref.count { worst = max(worst, abs(ref[i] - Double(out.p[i]))) }
        #expect(worst < 1e-5)
        let r = rng.buf(b * n * c), dqkv = Buf(b * n * 3 * c)
        Attention.backward(dqkv: dqkv.p, dout: r.p, qkv: qkv.p, att: att.p, batch: b, tokens: n, dim: c, heads: h)
        #expect(gradientCheck(qkv, analytic: dqkv, samples: 80, {
            Attention.forward(out: out.p, att: att.p, qkv: qkv.p, keyMask: mask?.p, batch: b, tokens: n, dim: c, heads: h)
            return dotD(out, r)
        }) <= 1)
        if masked {  // masked keys (and values) receive exactly zero gradient
            for j in [4, 5, 6] { for k in c..<(3 * c) { #expect(dqkv.p[j * 3 * c + k] == 0) } }
        }
    }

    @Test func embeddingForwardAndBackward() {
        var rng = TestRNG(6)
        let b = 3, t = 4, c = 5, v = 6
        let ids: [Int32] = [0, 5, 5, 2, 1, 1, 1, 3, 4, 0, 2, 5]
        let table = rng.buf(v * c), pos = rng.buf(t * c), out = Buf(b * t * c)
        ids.withUnsafeBufferPointer { ip in
            Embedding.forward(out: out.p, ids: ip.baseAddress!, table: table.p, pos: pos.p, batch: b, tokens: t, dim: c)
            for r in 0..<(b * t) { for k in 0..<c {
                #expect(out.p[r * c + k] == table.p[Int(ids[r]) * c + k] + pos.p[(r % t) * c + k])
            } }
            let r = rng.buf(b * t * c), dt = Buf(v * c), dp = Buf(t * c)
            Embedding.backward(dtable: dt.p, dpos: dp.p, dout: r.p, ids: ip.baseAddress!, batch: b, tokens: t, dim: c)
            let f = { () -> Double in
                Embedding.forward(out: out.p, ids: ip.baseAddress!, table: table.p, pos: pos.p, batch: b, tokens: t, dim: c)
                return dotD(out, r)
            }
            #expect(gradientCheck(table, analytic: dt, samples: 100, f) <= 1)
            #expect(gradientCheck(pos, analytic: dp, samples: 100, f) <= 1)
        }
    }

    @Test func patchEmbeddingEqualsNaiveConvolution() {
        var rng = TestRNG(7)
        let b = 2, s = 8, p = 4, c = 3, g = s / p
        let img = rng.buf(b * s * s), w = rng.buf(c * p * p), bias = rng.buf(c)
        let cols = Buf(b * g * g * p * p), out = Buf(b * g * g * c)
        PatchEmbedding.im2col(cols: cols.p, image: img.p, batch: b, size: s, patch: p)
        Linear.forward(out: out.p, inp: cols.p, weight: w.p, bias: bias.p, rows: b * g * g, inDim: p * p, outDim: c)
        var worst: Float = 0
        for bi in 0..<b { for gy in 0..<g { for gx in 0..<g { for o in 0..<c {
            var acc = Double(bias.p[o])
            for y in 0..<p { for x in 0..<p {
                acc += Double(w.p[o * p * p + y * p + x]) * Double(img.p[bi * s * s + (gy * p + y) * s + gx * p + x])
            } }
            worst = max(worst, abs(Float(acc) - out.p[((bi * g + gy) * g + gx) * c + o]))
        } } } }
        #expect(worst < 1e-4)
    }

    @Test func normalizeBackwardMatchesFiniteDifferences() {
        var rng = TestRNG(8)
        let m = 6, e = 10
        let x = rng.buf(m * e), out = Buf(m * e), norm = Buf(m), r = rng.buf(m * e), dx = Buf(m * e)
        Normalize.forward(out: out.p, norm: norm.p, inp: x.p, rows: m, dim: e)
        for row in 0..<m {
            var s: Float = 0
            for i in 0..<e { s += out.p[row * e + i] * out.p[row * e + i] }
            #expect(abs(s - 1) < 1e-5)
        }
        Normalize.backward(dinp: dx.p, dout: r.p, out: out.p, norm: norm.p, rows: m, dim: e)
        #expect(gradientCheck(x, analytic: dx, samples: 60, {
            Normalize.forward(out: out.p, norm: norm.p, inp: x.p, rows: m, dim: e)
            return dotD(out, r)
        }) <= 1)
    }
}
