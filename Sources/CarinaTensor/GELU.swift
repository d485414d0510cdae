import Foundation

/// The exact GELU, `x · Φ(x) = x/2 · (1 + erf(x/√2))` (PyTorch's `nn.GELU()` default), eight lanes at a time.
public enum GELU {
    /// Forward: `out[i] = gelu(inp[i])` for `n` elements.
    @unsafe
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, count n: Int) {
        Parallel.forRanges(n, minimumPerPart: 4096) { s, e in
            var i = s
            while i + 8 <= e {
                let x = unsafe FastMath.load(inp + i)
                unsafe FastMath.store(x * cdf(x), out + i)
                i += 8
            }
            while i < e {
                let x = unsafe inp[i]
                unsafe out[i] = 0.5 * x * (1 + erff(x * 0.70710678118654752))
                i += 1
            }
        }
    }

    /// Backward: writes `dinp[i] = dout[i] · gelu'(inp[i])`, `gelu'(x) = Φ(x) + x·φ(x)`. `dinp` may alias `dout`.
    @unsafe
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, dout: UnsafePointer<Float>, count n: Int
    ) {
        Parallel.forRanges(n, minimumPerPart: 4096) { s, e in
            var i = s
            while i + 8 <= e {
                let x = unsafe FastMath.load(inp + i), g = unsafe FastMath.load(dout + i)
                let ex = FastMath.exp(-0.5 * x * x)
                let c = 0.5 * (1 + FastMath.erf(x * 0.70710678118654752, expMinusSquare: ex))
                unsafe FastMath.store(g * (c + x * ex * 0.39894228040143268), dinp + i)
                i += 8
            }
            while i < e {
                let x = unsafe inp[i]
                let c = 0.5 * (1 + erff(x * 0.70710678118654752))
                let pdf = 0.39894228040143268 * expf(-0.5 * x * x)
                unsafe dinp[i] = dout[i] * (c + x * pdf)
                i += 1
            }
        }
    }

    /// Φ(x), the standard normal CDF.
    @inline(__always)
    static func cdf(_ x: FastMath.V) -> FastMath.V {
        0.5 * (1 + FastMath.erf(x * 0.70710678118654752, expMinusSquare: FastMath.exp(-0.5 * x * x)))
    }
}
