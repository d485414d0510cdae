import Foundation
import Testing
@testable import CarinaTensor

@Suite(.serialized) struct LossTests {
    init() { BLAS.setThreads(1) }

    func normalizedRows(_ rng: inout TestRNG, _ m: Int, _ e: Int) -> Buf {
        let x = rng.buf(m * e), out = Buf(m * e), norm = Buf(m)
        Normalize.forward(out: out.p, norm: norm.p, inp: x.p, rows: m, dim: e)
        return out
    }

    @Test func infoNCEMatchesDirectFormulaAndFiniteDifferences() {
        var rng = TestRNG(11)
        let b = 5, e = 8
        let img = normalizedRows(&rng, b, e), txt = normalizedRows(&rng, b, e)
        var s: Float = logf(1 / 0.07)
        let di = Buf(b * e), dt = Buf(b * e)
        let (loss, ds) = Losses.symmetricInfoNCE(image: img.p, text: txt.p, logitScale: s, batch: b, dim: e,
                                                 dimage: di.p, dtext: dt.p)
        // Direct formula in Double.
        let scale = exp(Double(s))
        var logits = [[Double]](repeating: [Double](repeating: 0, count: b), count: b)
        for i in 0..<b { for j in 0..<b {
            var d = 0.0
            for k in 0..<e { d += Double(img.p[i * e + k]) * Double(txt.p[j * e + k]) }
            logits[i][j] = scale * d
        } }
        var ref = 0.0
        for i in 0..<b {
            ref += log(logits[i].map { exp($0) }.reduce(0, +)) - logits[i][i]
            ref += log((0..<b).map { exp(logits[$0][i]) }.reduce(0, +)) - logits[i][i]
        }
        ref /= Double(2 * b)
        #expect(abs(ref - loss) < 1e-4)
        let scratchI = Buf(b * e), scratchT = Buf(b * e)
        let f = { () -> Double in
            Losses.symmetricInfoNCE(image: img.p, text: txt.p, logitScale: s, batch: b, dim: e,
                                    dimage: scratchI.p, dtext: scratchT.p).loss
        }
        #expect(gradientCheck(img, analytic: di, samples: 40, h: 1e-3, f) <= 1)
        #expect(gradientCheck(txt, analytic: dt, samples: 40, h: 1e-3, f) <= 1)
        let sb = Buf([s]), dsb = Buf([ds])
        #expect(gradientCheck(sb, analytic: dsb, h: 1e-3, {
            s = sb.p[0]
            return f()
        }) <= 1)
        // Clamped at 100: no gradient to the scale.
        let clamped = Losses.symmetricInfoNCE(image: img.p, text: txt.p, logitScale: 5, batch: b, dim: e,
                                              dimage: scratchI.p, dtext: scratchT.p)
        #expect(clamped.dLogitScale == 0)
    }

    @Test func bceWithLogitsMatchesFormulaAndFiniteDifferences() {
        var rng = TestRNG(12)
        let n = 40
        let x = rng.buf(n, scale: 3), y = Buf((0..<n).map { _ in rng.uniform() < 0.3 ? 1 : 0 }), dx = Buf(n)
        let loss = Losses.binaryCrossEntropyWithLogits(logits: x.p, targets: y.p, count: n, dlogits: dx.p)
        var ref = 0.0
        for i in 0..<n {
            let p = 1 / (1 + exp(-Double(x.p[i])))
            ref -= Double(y.p[i]) * log(p) + (1 - Double(y.p[i])) * log(1 - p)
        }
        #expect(abs(ref / Double(n) - loss) < 1e-6)
        let scratch = Buf(n)
        #expect(gradientCheck(x, analytic: dx, h: 1e-3, {
            Losses.binaryCrossEntropyWithLogits(logits: x.p, targets: y.p, count: n, dlogits: scratch.p)
        }) <= 1)
    }

    /// MGCA local loss written directly (Double, masks by -1e4 fill as the PyTorch reference does).
    func naiveLocal(tok: Buf, valid: Buf, patches: Buf, b: Int, l: Int, p: Int, e: Int, tau: Double) -> Double {
        var total = 0.0, count = 0.0
        for bi in 0..<b {
            let t = (0..<l).map { i in (0..<e).map { Double(tok.p[(bi * l + i) * e + $0]) } }
            let pm = (0..<p).map { j in (0..<e).map { Double(patches.p[(bi * p + j) * e + $0]) } }
            let dot = { (a: [Double], b: [Double]) in zip(a, b).map { $0 * $1 }.reduce(0, +) }
            var ctx = [[Double]]()
            for i in 0..<l {
                let z = pm.map { dot(t[i], $0) / tau }
                let mx = z.max()!
                let w = z.map { exp($0 - mx) }
                let s = w.reduce(0, +)
                var c = [Double](repeating: 0, count: e)
                for j in 0..<p { for k in 0..<e { c[k] += w[j] / s * pm[j][k] } }
                let n = dot(c, c).squareRoot()
                ctx.append(c.map { $0 / n })
            }
            let v = (0..<l).map { valid.p[bi * l + $0] != 0 }
            var sim = [[Double]](repeating: [Double](repeating: 0, count: l), count: l)
            for i in 0..<l { for k in 0..<l { sim[i][k] = (v[i] && v[k]) ? dot(t[i], ctx[k]) / tau : -1e4 } }
            for i in 0..<l where v[i] {
                let row = log(sim[i].map { exp($0 - sim[i][i]) }.reduce(0, +))
                let col = log((0..<l).map { exp(sim[$0][i] - sim[i][i]) }.reduce(0, +))
                total += (row + col) / 2
                count += 1
            }
        }
        return total / count
    }

    @Test func localAlignmentMatchesDirectFormulaAndFiniteDifferences() {
        var rng = TestRNG(13)
        let b = 2, l = 6, p = 5, e = 4
        let tok = normalizedRows(&rng, b * l, e), patches = normalizedRows(&rng, b * p, e)
        let valid = Buf([1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1])
        let dtok = Buf(b * l * e), dp = Buf(b * p * e)
        let call = { (dt: Buf, dpp: Buf) -> Double in
            Losses.localAlignment(tokens: tok.p, tokenStride: l * e, valid: valid.p, validStride: l,
                                  patches: patches.p, patchStride: p * e, batch: b, tokenCount: l, patchCount: p,
                                  dim: e, temperature: 0.1, dtokens: dt.p, dpatches: dpp.p)
        }
        let loss = call(dtok, dp)
        let ref = naiveLocal(tok: tok, valid: valid, patches: patches, b: b, l: l, p: p, e: e, tau: 0.1)
        #expect(abs(loss - ref) < 1e-4 * max(1, abs(ref)))
        let st = Buf(b * l * e), sp = Buf(b * p * e)
        #expect(gradientCheck(tok, analytic: dtok, samples: 48, h: 1e-3, rel: 3e-2, { call(st, sp) }) <= 1)
        #expect(gradientCheck(patches, analytic: dp, samples: 40, h: 1e-3, rel: 3e-2, { call(st, sp) }) <= 1)
        for i in 0..<e { #expect(dtok.p[3 * e + i] == 0 && dtok.p[5 * e + i] == 0) }
    }
}
