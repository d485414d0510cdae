import Foundation

/// The exact GELU, `x · Φ(x) = x/2 · (1 + erf(x/√2))` (PyTorch's `nn.GELU()` default).
public enum GELU {
    /// Forward: `out[i] = gelu(inp[i])` for `n` elements.
    @unsafe
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count n: Int) {
        Parallel.forRanges(n, minimumPerPart: 4096) { s, e in
            for i in s..<e {
                let x = unsafe inp[i]
                unsafe out[i] = 0.5 * x * (1 + erff(x * 0.70710678118654752))
            }
        }
    }

    /// Backward: writes `dinp[i] = dout[i] · gelu'(inp[i])`, `gelu'(x) = Φ(x) + x·φ(x)`. `dinp` may alias `dout`.
    @unsafe
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, dout: UnsafePointer<Float>, count n: Int
    ) {
        Parallel.forRanges(n, minimumPerPart: 4096) { s, e in
            for i in s..<e {
                let x = unsafe inp[i]
                let cdf = 0.5 * (1 + erff(x * 0.70710678118654752))
                let pdf = 0.39894228040143268 * expf(-0.5 * x * x)
                unsafe dinp[i] = dout[i] * (cdf + x * pdf)
            }
        }
    }
}
