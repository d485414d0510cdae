import Foundation

/// Layer normalization over the last dimension, `eps = 1e-5` (PyTorch's default).
public enum LayerNorm {
    public static let epsilon: Float = 1e-5

    /// Forward: `inp (M, C)` → `out (M, C)`; saves `mean (M)` and `rstd (M)` (1/σ) for the backward pass.
    @unsafe
    public static func forward(
        out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, rows m: Int, dim c: Int
    ) {
        Parallel.forRanges(m, minimumPerPart: 64) { r0, r1 in
            for r in r0..<r1 {
                let x = unsafe inp + r * c
                var s: Float = 0
                for i in 0..<c { s += unsafe x[i] }
                let mu = s / Float(c)
                var v: Float = 0
                for i in 0..<c { let d = unsafe x[i] - mu; v += d * d }
                let rs = 1 / (v / Float(c) + epsilon).squareRoot()
                let y = unsafe out + r * c
                for i in 0..<c { unsafe y[i] = (x[i] - mu) * rs * weight[i] + bias[i] }
                unsafe mean[r] = mu
                unsafe rstd[r] = rs
            }
        }
    }

    /// Backward: *adds* the input gradient into `dinp (M, C)` (the residual stream's gradient) and accumulates
    /// `dweight`, `dbias (C)`. `dinp` must not alias `dout`.
    @unsafe
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, rows m: Int, dim c: Int
    ) {
        // Input gradient: rows are independent.
        Parallel.forRanges(m, minimumPerPart: 64) { r0, r1 in
            for r in r0..<r1 {
                let x = unsafe inp + r * c, dy = unsafe dout + r * c, dx = unsafe dinp + r * c
                let mu = unsafe mean[r], rs = unsafe rstd[r]
                var sumG: Float = 0, sumGX: Float = 0
                for i in 0..<c {
                    let g = unsafe dy[i] * weight[i]
                    sumG += g
                    sumGX += unsafe g * (x[i] - mu) * rs
                }
                let mG = sumG / Float(c), mGX = sumGX / Float(c)
                for i in 0..<c {
                    let xh = unsafe (x[i] - mu) * rs
                    unsafe dx[i] += (dy[i] * weight[i] - mG - xh * mGX) * rs
                }
            }
        }
        // Parameter gradients: split by channel so each part owns its columns.
        Parallel.forRanges(c, minimumPerPart: 16) { c0, c1 in
            for r in 0..<m {
                let x = unsafe inp + r * c, dy = unsafe dout + r * c
                let mu = unsafe mean[r], rs = unsafe rstd[r]
                for i in c0..<c1 {
                    unsafe dweight[i] += dy[i] * (x[i] - mu) * rs
                    unsafe dbias[i] += dy[i]
                }
            }
        }
    }
}
