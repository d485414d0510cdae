import Foundation
import Testing
@testable import CarinaTensor

/// MGCA's kernels (segment pooling, Sinkhorn-Knopp, quantile-clipped weights, weighted cross alignment) against
/// naive loops in Double and finite differences.
@Suite(.serialized) struct MGCAKernelTests {
    init() { BLAS.setThreads(1) }

    @Test func segmentPoolingSumsPiecesAndScattersBack() {
        var rng = TestRNG(3)
        let b = 2, t = 6, w = 6, c = 3
        let index: [Int32] = [-1, 0, 0, 1, 2, -1, -1, 0, 1, 1, 1, -1]
        let x = rng.buf(b * t * c), out = Buf(b * w * c)
        index.withUnsafeBufferPointer { ip in
            SegmentPooling.forward(out: out.p, inp: x.p, index: ip.baseAddress!, batch: b, tokens: t, segments: w, dim: c)
        }
        for bi in 0..<b { for s in 0..<w { for k in 0..<c {
            var ref: Float = 0
            for ti in 0..<t where index[bi * t + ti] == Int32(s) { ref += x.p[(bi * t + ti) * c + k] }
            #expect(abs(out.p[(bi * w + s) * c + k] - ref) < 1e-6)
        } } }
        // Backward is the adjoint: <pool(x), r> = <x, poolᵀ(r)>.
        let r = rng.buf(b * w * c), dx = Buf(b * t * c, 9)
        index.withUnsafeBufferPointer { ip in
            SegmentPooling.backward(dinp: dx.p, dout: r.p, index: ip.baseAddress!, batch: b, tokens: t, segments: w, dim: c)
        }
        #expect(abs(dotD(out, r) - dotD(x, dx)) < 1e-4)
        #expect(dx.p[0] == 0 && dx.p[5 * c] == 0)  // [CLS]/[SEP] positions get no gradient
    }

    @Test func sinkhornMatchesTheReferenceIterationAndEquipartitions() {
        var rng = TestRNG(5)
        let b = 6, k = 10, eps: Float = 0.05, iters = 3
        // Cosine-like scores in [-1, 1], as for normalized embeddings and prototypes.
        let scores = Buf((0..<(b * k)).map { _ in max(-1, min(1, rng.normal() * 0.4)) })
        let codes = Buf(b * k)
        Sinkhorn.assign(codes: codes.p, scores: scores.p, batch: b, prototypes: k, epsilon: eps, iterations: iters)
        // Naive: Q (K, B) = exp(s/ε)ᵀ, Q /= ΣQ, rows to 1/K and columns to 1/B, columns to 1.
        var q = [[Double]](repeating: [Double](repeating: 0, count: b), count: k)
        for j in 0..<k { for i in 0..<b { q[j][i] = exp(Double(scores.p[i * k + j]) / Double(eps)) } }
        let total = q.joined().reduce(0, +)
        for j in 0..<k { for i in 0..<b { q[j][i] /= total } }
        for _ in 0..<iters {
            for j in 0..<k { let u = q[j].reduce(0, +); for i in 0..<b { q[j][i] *= (1 / Double(k)) / u } }
            for i in 0..<b { let s = (0..<k).map { q[$0][i] }.reduce(0, +); for j in 0..<k { q[j][i] *= (1 / Double(b)) / s } }
        }
        for i in 0..<b {
            let s = (0..<k).map { q[$0][i] }.reduce(0, +)
            var rowSum: Float = 0
            for j in 0..<k {
                #expect(abs(Double(codes.p[i * k + j]) - q[j][i] / s) < 1e-6)
                rowSum += codes.p[i * k + j]
            }
            #expect(abs(rowSum - 1) < 1e-5)
        }
        // Many iterations spread the batch evenly over prototypes: column sums → B/K.
        let long = Buf(b * k)
        Sinkhorn.assign(codes: long.p, scores: scores.p, batch: b, prototypes: k, epsilon: eps, iterations: 200)
        for j in 0..<k {
            let s = (0..<b).map { Double(long.p[$0 * k + j]) }.reduce(0, +)
            #expect(abs(s - Double(b) / Double(k)) < 1e-3)
        }
    }

    @Test func quantileClipMatchesTorchQuantileAndNormalizes() {
        // torch.quantile([1, 2, 3, 4, 10], 0.9) = 7.6 (linear between ranks 3 and 4), 0.1 → 1.4.
        #expect(abs(QuantileClip.quantile(sorted: [1, 2, 3, 4, 10], 0.9) - 7.6) < 1e-12)
        #expect(abs(QuantileClip.quantile(sorted: [1, 2, 3, 4, 10], 0.1) - 1.4) < 1e-12)
        let values = Buf([10, 1, 3, 99, 2, 4]), valid = Buf([1, 1, 1, 0, 1, 1]), out = Buf(6)
        QuantileClip.normalizedWeights(out: out.p, values: values.p, valid: valid.p, count: 6)
        let clipped: [Double] = [7.6, 1.4, 3, 0, 2, 4]
        let sum = clipped.reduce(0, +)
        for i in 0..<6 { #expect(abs(Double(out.p[i]) - clipped[i] / sum) < 1e-6) }
    }

    /// The weighted alignment in Double, straight from its definition.
    func naiveAlignment(_ q: Buf, _ qValid: Buf, _ w: Buf, _ k: Buf, _ kValid: Buf?, b: Int, n: Int, m: Int, e: Int,
                        tau: Double, normalize: Bool) -> Double {
        var total = 0.0
        for bi in 0..<b {
            let qi = (0..<n).filter { qValid.p[bi * n + $0] != 0 }
            let kj = (0..<m).filter { kValid == nil || kValid!.p[bi * m + $0] != 0 }
            func qv(_ i: Int, _ x: Int) -> Double { Double(q.p[(bi * n + i) * e + x]) }
            func kv(_ j: Int, _ x: Int) -> Double { Double(k.p[(bi * m + j) * e + x]) }
            var ctx = [[Double]]()
            for i in qi {
                let z = kj.map { j in (0..<e).map { qv(i, $0) * kv(j, $0) }.reduce(0, +) / tau }
                let mx = z.max()!
                let ex = z.map { exp($0 - mx) }, s = ex.reduce(0, +)
                var c = [Double](repeating: 0, count: e)
                for (r, j) in kj.enumerated() { for x in 0..<e { c[x] += ex[r] / s * kv(j, x) } }
                if normalize { let nr = max(c.map { $0 * $0 }.reduce(0, +).squareRoot(), 1e-12); c = c.map { $0 / nr } }
                ctx.append(c)
            }
            let nq = qi.count
            var sim = [[Double]](repeating: [Double](repeating: 0, count: nq), count: nq)
            for (r, i) in qi.enumerated() { for l in 0..<nq { sim[r][l] = (0..<e).map { qv(i, $0) * ctx[l][$0] }.reduce(0, +) / tau } }
            for (r, i) in qi.enumerated() {
                let row = log(sim[r].map { exp($0) }.reduce(0, +)) - sim[r][r]
                let col = log((0..<nq).map { exp(sim[$0][r]) }.reduce(0, +)) - sim[r][r]
                total += Double(w.p[bi * n + i]) * (row + col) / 2
            }
        }
        return total / Double(b)
    }

    @Test(arguments: [true, false]) func crossAlignmentMatchesNaiveAndFiniteDifferences(normalize: Bool) {
        var rng = TestRNG(normalize ? 21 : 22)
        let b = 3, n = 5, m = 7, e = 4, tau: Float = 0.5
        let q = rng.buf(b * n * e, scale: 0.5), k = rng.buf(b * m * e, scale: 0.5)
        let qValid = Buf([1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0])
        let kValid = Buf((0..<(b * m)).map { $0 % 7 == 6 ? 0 : 1 })
        let w = Buf((0..<(b * n)).map { qValid.p[$0] * (0.2 + rng.uniform()) })
        let dq = Buf(b * n * e), dk = Buf(b * m * e), sq = Buf(b * n * e), sk = Buf(b * m * e)
        let loss = Losses.crossAlignment(
            queries: q.p, queryStride: n * e, queryValid: qValid.p, queryWeight: w.p, keys: k.p, keyStride: m * e,
            keyValid: kValid.p, batch: b, queryCount: n, keyCount: m, dim: e, temperature: tau,
            normalizeContext: normalize, dqueries: dq.p, dkeys: dk.p)
        let ref = naiveAlignment(q, qValid, w, k, kValid, b: b, n: n, m: m, e: e, tau: Double(tau), normalize: normalize)
        #expect(abs(loss - ref) < 1e-5 * max(1, abs(ref)), "loss \(loss) vs naive \(ref)")
        let f = { () -> Double in
            Losses.crossAlignment(
                queries: q.p, queryStride: n * e, queryValid: qValid.p, queryWeight: w.p, keys: k.p, keyStride: m * e,
                keyValid: kValid.p, batch: b, queryCount: n, keyCount: m, dim: e, temperature: tau,
                normalizeContext: normalize, dqueries: sq.p, dkeys: sk.p)
        }
        #expect(gradientCheck(q, analytic: dq, samples: 40, h: 1e-2, f) <= 1)
        #expect(gradientCheck(k, analytic: dk, samples: 40, h: 1e-2, f) <= 1)
        // Invalid queries and masked keys get exactly zero gradient.
        for i in 0..<(b * n) where qValid.p[i] == 0 { for x in 0..<e { #expect(dq.p[i * e + x] == 0) } }
        for j in 0..<(b * m) where kValid.p[j] == 0 { for x in 0..<e { #expect(dk.p[j * e + x] == 0) } }
        // The weight scales the gradients.
        let dq2 = Buf(b * n * e), dk2 = Buf(b * m * e)
        _ = Losses.crossAlignment(
            queries: q.p, queryStride: n * e, queryValid: qValid.p, queryWeight: w.p, keys: k.p, keyStride: m * e,
            keyValid: kValid.p, batch: b, queryCount: n, keyCount: m, dim: e, temperature: tau,
            normalizeContext: normalize, dqueries: dq2.p, dkeys: dk2.p, weight: 0.5)
        for i in 0..<(b * n * e) { #expect(abs(dq2.p[i] - 0.5 * dq.p[i]) <= 1e-6 * max(1, abs(dq.p[i]))) }
    }
}

/// MRM's masked-patch reconstruction loss against a naive loop and finite differences.
@Suite(.serialized) struct MaskedPatchMSETests {
    @Test func matchesNaiveAndFiniteDifferences() {
        var rng = TestRNG(31)
        let b = 2, p = 5, d = 4, stride = (p + 1) * d
        // Predictions laid out with a leading (CLS) row per sample, passed offset by one row.
        let pred = rng.buf(b * stride), target = rng.buf(b * p * d, scale: 3)
        let masked = Buf([1, 0, 1, 1, 0, 0, 1, 1, 0, 1])
        let dpred = Buf(b * stride, 7), scratch = Buf(b * stride)
        let loss = Losses.maskedPatchMSE(prediction: pred.p + d, predictionStride: stride, target: target.p,
                                         masked: masked.p, batch: b, patches: p, dim: d, dprediction: dpred.p + d)
        var ref = 0.0, n = 0
        for bi in 0..<b { for pi in 0..<p where masked.p[bi * p + pi] != 0 {
            let x = (0..<d).map { Double(target.p[(bi * p + pi) * d + $0]) }
            let mean = x.reduce(0, +) / Double(d)
            let v = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d - 1)
            let t = x.map { ($0 - mean) / (v + 1e-6).squareRoot() }
            ref += (0..<d).map { pow(Double(pred.p[bi * stride + d + pi * d + $0]) - t[$0], 2) }.reduce(0, +) / Double(d)
            n += 1
        } }
        ref /= Double(n)
        #expect(abs(loss - ref) < 1e-5 * max(1, ref))
        // Visible patches get zero gradient; the CLS rows are left as they were.
        for bi in 0..<b {
            for k in 0..<d { #expect(dpred.p[bi * stride + k] == 7) }
            for pi in 0..<p where masked.p[bi * p + pi] == 0 { for k in 0..<d { #expect(dpred.p[bi * stride + d + pi * d + k] == 0) } }
        }
        for bi in 0..<b { for k in 0..<d { dpred.p[bi * stride + k] = 0 } }
        let f = { () -> Double in
            Losses.maskedPatchMSE(prediction: pred.p + d, predictionStride: stride, target: target.p, masked: masked.p,
                                  batch: b, patches: p, dim: d, dprediction: scratch.p + d)
        }
        #expect(gradientCheck(pred, analytic: dpred, samples: 40, h: 1e-2, f) <= 1)
    }
}

/// The vocabulary cross-entropy of masked report modelling against a Double loop and finite differences.
@Suite(.serialized) struct SoftmaxCrossEntropyTests {
    init() { BLAS.setThreads(1) }

    @Test func matchesNaiveAndFiniteDifferences() {
        var rng = TestRNG(41)
        let m = 5, v = 37  // not a multiple of eight: the scalar tail runs too
        let x = rng.buf(m * v, scale: 30)  // large logits: the max must be subtracted
        let labels: [Int32] = [0, 36, 5, 17, 8]
        let g = Buf(m * v)
        g.fill(from: x)
        let loss = labels.withUnsafeBufferPointer {
            Losses.softmaxCrossEntropy(logits: g.p, labels: $0.baseAddress!, rows: m, classes: v, scale: 0.5)
        }
        var ref = 0.0
        for r in 0..<m {
            let row = (0..<v).map { Double(x.p[r * v + $0]) }
            let mx = row.max()!
            let lse = mx + log(row.map { exp($0 - mx) }.reduce(0, +))
            ref += lse - row[Int(labels[r])]
            for j in 0..<v {
                let p = exp(row[j] - lse)
                let expected = 0.5 * (p - (j == Int(labels[r]) ? 1 : 0))
                #expect(abs(Double(g.p[r * v + j]) - expected) < 2e-6)
            }
        }
        #expect(abs(loss - ref) < 1e-4 * abs(ref))
        let scratch = Buf(m * v), small = rng.buf(m * v, scale: 2)
        let dsmall = Buf(m * v)
        dsmall.fill(from: small)
        _ = labels.withUnsafeBufferPointer {
            Losses.softmaxCrossEntropy(logits: dsmall.p, labels: $0.baseAddress!, rows: m, classes: v, scale: 1)
        }
        let f = { () -> Double in
            scratch.fill(from: small)
            return labels.withUnsafeBufferPointer {
                Losses.softmaxCrossEntropy(logits: scratch.p, labels: $0.baseAddress!, rows: m, classes: v, scale: 1)
            }
        }
        #expect(gradientCheck(small, analytic: dsmall, samples: 40, h: 1e-2, f) <= 1)
    }
}
