import Foundation

/// The exact GELU, `x · Φ(x) = x/2 · (1 + erf(x/√2))` (PyTorch's `nn.GELU()` default), eight lanes at a time.
public enum GELU {
    /// Forward: `out[i] = gelu(inp[i])` for `n` elements; when `derivative` is given, also saves `gelu'(inp[i])`
    /// there, which the forward has nearly computed anyway, so the backward is one multiply. `derivative` may be
    /// `inp` itself (each element is read before it is overwritten).
    @unsafe
    public static func forward(out: UnsafeMutablePointer<Float>, derivative: UnsafeMutablePointer<Float>? = nil,
                               inp: UnsafePointer<Float>, count n: Int) {
        Parallel.forRanges(n, minimumPerPart: 4096) { s, e in
            var i = s
            while i + 8 <= e {
                let x = unsafe FastMath.load(inp + i)
                let ex = FastMath.exp(-0.5 * x * x)
                let c = 0.5 * (1 + FastMath.erf(x * 0.70710678118654752, expMinusSquare: ex))
                unsafe FastMath.store(x * c, out + i)
                if let d = unsafe derivative { unsafe FastMath.store(c + x * ex * 0.39894228040143268, d + i) }
                i += 8
            }
            while i < e {
                let x = unsafe inp[i]
                let c = 0.5 * (1 + erff(x * 0.70710678118654752))
                unsafe out[i] = x * c
                if let d = unsafe derivative { unsafe d[i] = c + x * 0.39894228040143268 * expf(-0.5 * x * x) }
                i += 1
            }
        }
    }

    /// Backward from the derivative saved by `forward`: `dinp[i] = dout[i] · derivative[i]` (`dinp` may alias `dout`).
    @unsafe
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, derivative: UnsafePointer<Float>, dout: UnsafePointer<Float>, count n: Int
    ) {
        Parallel.forRanges(n, minimumPerPart: 16384) { s, e in
            for i in s..<e { unsafe dinp[i] = dout[i] * derivative[i] }
        }
    }

    /// Backward recomputing the derivative: writes `dinp[i] = dout[i] · gelu'(inp[i])`, `gelu'(x) = Φ(x) + x·φ(x)`.
    /// `dinp` may alias `dout`.
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

}
