/// Row-wise L2 normalization `y = x / max(‖x‖, 1e-12)` (PyTorch's `F.normalize`).
public enum Normalize {
    public static let epsilon: Float = 1e-12

    /// Forward: `inp (M, E)` → `out (M, E)`; saves `norm (M)`.
    @unsafe
    public static func forward(
        out: UnsafeMutablePointer<Float>, norm: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        rows m: Int, dim e: Int
    ) {
        Parallel.forRanges(m, minimumPerPart: 128) { r0, r1 in
            for r in r0..<r1 {
                let x = unsafe inp + r * e, y = unsafe out + r * e
                var s: Float = 0
                for i in 0..<e { s += unsafe x[i] * x[i] }
                let n = max(s.squareRoot(), epsilon)
                unsafe norm[r] = n
                let inv = 1 / n
                for i in 0..<e { unsafe y[i] = x[i] * inv }
            }
        }
    }

    /// Backward: writes (or adds, when `accumulate`) `dinp = (dout − y (y·dout)) / norm`, from the saved output `y`.
    @unsafe
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, out y: UnsafePointer<Float>,
        norm: UnsafePointer<Float>, rows m: Int, dim e: Int, accumulate: Bool = false
    ) {
        Parallel.forRanges(m, minimumPerPart: 128) { r0, r1 in
            for r in r0..<r1 {
                let yr = unsafe y + r * e, g = unsafe dout + r * e, dx = unsafe dinp + r * e
                var dot: Float = 0
                for i in 0..<e { dot += unsafe yr[i] * g[i] }
                let inv = unsafe 1 / norm[r]
                for i in 0..<e {
                    let v = unsafe (g[i] - yr[i] * dot) * inv
                    if accumulate { unsafe dx[i] += v } else { unsafe dx[i] = v }
                }
            }
        }
    }
}
