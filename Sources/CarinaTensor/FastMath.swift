import Foundation

/// Eight-lane `exp` and `erf` for the elementwise kernels (GELU, softmax), vectorisable unlike libm calls.
///
/// `exp`: Cephes' range reduction `eˣ = 2ⁿ·e^r` with a degree-6 polynomial, relative error ≤ 2e-7 over
/// `[−87, 88]`. `erf`: Abramowitz & Stegun 7.1.26, absolute error ≤ 1.5e-7 — below Float32 resolution of the
/// results it feeds. Both are checked against libm in the tests.
public enum FastMath {
    public typealias V = SIMD8<Float>

    @inline(__always)
    public static func exp(_ x0: V) -> V {
        let lo = V(repeating: -87.3), hi = V(repeating: 88.3)
        var x = x0.replacing(with: lo, where: x0 .< lo)
        x = x.replacing(with: hi, where: x .> hi)
        // Round x·log₂e to an integer n by adding 1.5·2²³: n lands in the low mantissa bits of `t`.
        let magic = V(repeating: 12_582_912)
        let t = x * 1.44269504088896341 + magic
        let n = t - magic
        var r = x - n * 0.693359375
        r = r - n * -2.12194440e-4
        var p = V(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * r * r + r + 1
        // 2ⁿ as a float: exponent field n + 127.
        let tBits = unsafe unsafeBitCast(t, to: SIMD8<UInt32>.self)
        let scale = unsafe unsafeBitCast((tBits &- 0x4B40_0000 &+ 127) &<< 23, to: V.self)
        return p * scale
    }

    /// `erf(x)` given `e = exp(−x²)` (callers often have it already).
    @inline(__always)
    public static func erf(_ x: V, expMinusSquare e: V) -> V {
        let a: V = x.replacing(with: -x, where: x .< 0)
        let one = V(repeating: 1)
        let t: V = one / (one + V(repeating: 0.3275911) * a)
        var p: V = V(repeating: 1.061405429) * t - V(repeating: 1.453152027)
        p = p * t + V(repeating: 1.421413741)
        p = p * t - V(repeating: 0.284496736)
        p = p * t + V(repeating: 0.254829592)
        let y: V = one - p * t * e
        return y.replacing(with: -y, where: x .< 0)
    }

    @inline(__always)
    public static func erf(_ x: V) -> V { erf(x, expMinusSquare: exp(-x * x)) }

    @unsafe @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { unsafe UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @unsafe @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { unsafe UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }
}
