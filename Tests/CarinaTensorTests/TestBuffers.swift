import Foundation

/// A heap buffer of `Float`s for kernel tests, freed on deinit.
final class Buf {
    let count: Int
    let p: UnsafeMutablePointer<Float>
    init(_ count: Int, _ value: Float = 0) {
        self.count = count
        p = .allocate(capacity: max(count, 1))
        p.initialize(repeating: value, count: max(count, 1))
    }
    convenience init(_ values: [Float]) {
        self.init(values.count)
        for (i, v) in values.enumerated() { p[i] = v }
    }
    deinit { p.deallocate() }
    var array: [Float] { (0..<count).map { p[$0] } }
    func fill(from other: Buf) { for i in 0..<count { p[i] = other.p[i] } }
}

/// SplitMix64, for reproducible test inputs.
struct TestRNG {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) }
    mutating func normal() -> Float {
        let u = max(uniform(), 1e-7), v = uniform()
        return (-2 * logf(u)).squareRoot() * cosf(2 * .pi * v)
    }
    mutating func buf(_ n: Int, scale: Float = 1) -> Buf { Buf((0..<n).map { _ in normal() * scale }) }
}

/// Σ out·r in Double: the scalar whose gradient a backward pass computes when given `dout = r`.
func dotD(_ a: Buf, _ r: Buf) -> Double {
    var s = 0.0
    for i in 0..<a.count { s += Double(a.p[i]) * Double(r.p[i]) }
    return s
}

/// Central finite differences of `f` with respect to up to `samples` entries of `x`, compared with `analytic`.
/// Returns the worst error relative to `max(1, |analytic|)·rel + abs` units (≤ 1 passes).
func gradientCheck(_ x: Buf, analytic: Buf, samples: Int = 24, h: Float = 1e-2,
                   rel: Double = 2e-2, abs: Double = 2e-3, seed: UInt64 = 7, _ f: () -> Double) -> Double {
    var rng = TestRNG(seed)
    var worst = 0.0
    let indices = x.count <= samples ? Array(0..<x.count) : (0..<samples).map { _ in Int(rng.next() % UInt64(x.count)) }
    for i in indices {
        let saved = x.p[i]
        x.p[i] = saved + h
        let fp = f()
        x.p[i] = saved - h
        let fm = f()
        x.p[i] = saved
        let numeric = (fp - fm) / Double(2 * h)
        let a = Double(analytic.p[i])
        let err = Swift.abs(numeric - a) / (abs + rel * Swift.abs(a))
        worst = max(worst, err)
    }
    return worst
}

func maxAbsDiff(_ a: Buf, _ b: Buf) -> Float {
    var m: Float = 0
    for i in 0..<a.count { m = max(m, Swift.abs(a.p[i] - b.p[i])) }
    return m
}
