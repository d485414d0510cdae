import Foundation
import Testing

@testable import CarinaTensor

/// BatchNorm over rows (MGCA's projection heads) against a naive loop in Double, its running statistics against
/// PyTorch's update rule, and its backward against finite differences, with and without a row mask and affine.
@Suite struct BatchNormTests {
    /// Naive per-channel statistics over the valid rows: (mean, biased variance, unbiased variance).
    func naiveStatistics(_ x: Buf, rows m: Int, dim c: Int, valid: [Float]?) -> [(Double, Double, Double)] {
        (0..<c).map { k in
            let rows = (0..<m).filter { (valid?[$0] ?? 1) != 0 }
            let mean = rows.map { Double(x.p[$0 * c + k]) }.reduce(0, +) / Double(rows.count)
            let ss = rows.map { (Double(x.p[$0 * c + k]) - mean) * (Double(x.p[$0 * c + k]) - mean) }.reduce(0, +)
            return (mean, ss / Double(rows.count), ss / Double(rows.count - 1))
        }
    }

    @Test(arguments: [false, true], [false, true])
    func forwardMatchesANaiveLoopAndUpdatesTheRunningStatistics(masked: Bool, affine: Bool) {
        var rng = TestRNG(masked ? 3 : 4)
        let m = 13, c = 5
        let x = rng.buf(m * c, scale: 2)
        for i in 0..<(m * c) { x.p[i] += Float(i % c) }  // a different mean per channel
        let valid: [Float]? = masked ? (0..<m).map { $0 % 4 == 0 ? 0 : 1 } : nil
        let gamma = rng.buf(c), beta = rng.buf(c)
        let runMean = rng.buf(c), runVar = Buf((0..<c).map { 0.5 + Float($0) })
        let mean0 = runMean.array, var0 = runVar.array
        let out = Buf(m * c), mean = Buf(c), rstd = Buf(c)
        let used = valid.withUnsafeBufferPointerOrNil { v in
            BatchNorm.forward(
                out: out.p, inp: x.p, rows: m, dim: c, valid: v, weight: affine ? gamma.p : nil,
                bias: affine ? beta.p : nil, runningMean: runMean.p, runningVar: runVar.p, mean: mean.p,
                rstd: rstd.p, training: true)
        }
        #expect(used)
        let stats = naiveStatistics(x, rows: m, dim: c, valid: valid)
        for k in 0..<c {
            let (mu, v, unbiased) = stats[k]
            #expect(abs(Double(runMean.p[k]) - (0.9 * Double(mean0[k]) + 0.1 * mu)) < 1e-5)
            #expect(abs(Double(runVar.p[k]) - (0.9 * Double(var0[k]) + 0.1 * unbiased)) < 1e-5)
            for r in 0..<m {  // every row normalized, masked ones included
                var y = (Double(x.p[r * c + k]) - mu) / (v + 1e-5).squareRoot()
                if affine { y = y * Double(gamma.p[k]) + Double(beta.p[k]) }
                #expect(abs(Double(out.p[r * c + k]) - y) < 1e-5 * max(1, abs(y)))
            }
        }
        // Evaluation normalizes by the running statistics and leaves them alone.
        let after = (runMean.array, runVar.array)
        let evalUsed = valid.withUnsafeBufferPointerOrNil { v in
            BatchNorm.forward(
                out: out.p, inp: x.p, rows: m, dim: c, valid: v, weight: affine ? gamma.p : nil,
                bias: affine ? beta.p : nil, runningMean: runMean.p, runningVar: runVar.p, mean: mean.p,
                rstd: rstd.p, training: false)
        }
        #expect(!evalUsed && runMean.array == after.0 && runVar.array == after.1)
        for r in 0..<m {
            for k in 0..<c {
                var y = (Double(x.p[r * c + k]) - Double(after.0[k])) / (Double(after.1[k]) + 1e-5).squareRoot()
                if affine { y = y * Double(gamma.p[k]) + Double(beta.p[k]) }
                #expect(abs(Double(out.p[r * c + k]) - y) < 1e-5 * max(1, abs(y)))
            }
        }
    }

    @Test(arguments: [false, true], [false, true])
    func backwardMatchesFiniteDifferences(masked: Bool, affine: Bool) {
        var rng = TestRNG(masked ? 11 : 12)
        let m = 9, c = 4
        let x = rng.buf(m * c), gamma = rng.buf(c), beta = rng.buf(c), r = rng.buf(m * c)
        let valid: [Float]? = masked ? [1, 0, 1, 1, 0, 1, 1, 1, 0] : nil
        let runMean = Buf(c), runVar = Buf(c, 1), out = Buf(m * c), mean = Buf(c), rstd = Buf(c)
        func loss() -> Double {
            _ = valid.withUnsafeBufferPointerOrNil { v in
                BatchNorm.forward(
                    out: out.p, inp: x.p, rows: m, dim: c, valid: v, weight: affine ? gamma.p : nil,
                    bias: affine ? beta.p : nil, runningMean: runMean.p, runningVar: runVar.p,
                    mean: mean.p, rstd: rstd.p, training: true)
            }
            return dotD(out, r)
        }
        _ = loss()
        let dx = Buf(m * c, 7), dgamma = Buf(c), dbeta = Buf(c)
        valid.withUnsafeBufferPointerOrNil { v in
            BatchNorm.backward(
                dinp: dx.p, dweight: affine ? dgamma.p : nil, dbias: affine ? dbeta.p : nil, dout: r.p,
                inp: x.p, weight: affine ? gamma.p : nil, mean: mean.p, rstd: rstd.p, rows: m, dim: c,
                valid: v, batchStatistics: true)
        }
        // In place (dinp aliasing dout) gives the same gradient.
        let inPlace = Buf(m * c)
        inPlace.fill(from: r)
        valid.withUnsafeBufferPointerOrNil { v in
            BatchNorm.backward(
                dinp: inPlace.p, dweight: nil, dbias: nil, dout: inPlace.p, inp: x.p,
                weight: affine ? gamma.p : nil, mean: mean.p, rstd: rstd.p, rows: m, dim: c, valid: v,
                batchStatistics: true)
        }
        #expect(maxAbsDiff(inPlace, dx) == 0)
        #expect(gradientCheck(x, analytic: dx, samples: m * c, h: 1e-2, loss) <= 1)
        if affine {
            #expect(gradientCheck(gamma, analytic: dgamma, samples: c, loss) <= 1)
            #expect(gradientCheck(beta, analytic: dbeta, samples: c, loss) <= 1)
        }
    }

    @Test func withFewerThanTwoValidRowsTheRunningStatisticsNormalize() {
        var rng = TestRNG(5)
        let m = 3, c = 2
        let x = rng.buf(m * c), runMean = Buf([0.5, -1]), runVar = Buf([2, 0.25])
        let out = Buf(m * c), mean = Buf(c), rstd = Buf(c), valid: [Float] = [0, 1, 0]
        let used = valid.withUnsafeBufferPointer { v in
            BatchNorm.forward(
                out: out.p, inp: x.p, rows: m, dim: c, valid: v.baseAddress!, weight: nil, bias: nil,
                runningMean: runMean.p, runningVar: runVar.p, mean: mean.p, rstd: rstd.p, training: true)
        }
        #expect(!used && runMean.array == [0.5, -1] && runVar.array == [2, 0.25])
        #expect(abs(out.p[1] - (x.p[1] + 1) / (0.25 + 1e-5).squareRoot()) < 1e-5)
        // Its gradient is the scale alone.
        let dout = rng.buf(m * c), dx = Buf(m * c)
        valid.withUnsafeBufferPointer { v in
            BatchNorm.backward(
                dinp: dx.p, dweight: nil, dbias: nil, dout: dout.p, inp: x.p, weight: nil, mean: mean.p,
                rstd: rstd.p, rows: m, dim: c, valid: v.baseAddress!, batchStatistics: false)
        }
        #expect(abs(dx.p[0] - dout.p[0] / (2 + 1e-5).squareRoot()) < 1e-6)
    }
}

extension Optional where Wrapped == [Float] {
    /// Calls `body` with a pointer to the array's floats, or nil.
    func withUnsafeBufferPointerOrNil<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let a = self else { return body(nil) }
        return a.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
