import Foundation

/// Row-wise softmax with an optional key mask, and its backward.
public enum Softmax {
    /// Forward on one row in place: `x[j] ← exp(x[j] − max) / Σ` over the `n` entries, skipping entries whose
    /// `mask[j] == 0` (they become exactly 0). A row with no unmasked entry becomes all zeros.
    @unsafe @inline(__always)
    public static func forwardRow(_ x: UnsafeMutablePointer<Float>, count n: Int, mask: UnsafePointer<Float>? = nil) {
        var mx = -Float.infinity
        if let mask = unsafe mask {
            for j in 0..<n where unsafe mask[j] != 0 { mx = unsafe max(mx, x[j]) }
        } else {
            for j in 0..<n { mx = unsafe max(mx, x[j]) }
        }
        if mx == -.infinity {
            for j in 0..<n { unsafe x[j] = 0 }
            return
        }
        // exp(x − max) eight lanes at a time; masked entries are zeroed after (their exp is finite: clamped).
        var s: Float = 0
        var j = 0
        var acc = FastMath.V()
        while j + 8 <= n {
            var v = FastMath.exp(unsafe FastMath.load(x + j) - mx)
            if let mask = unsafe mask { v *= unsafe FastMath.load(mask + j) }
            unsafe FastMath.store(v, x + j)
            acc += v
            j += 8
        }
        s = acc.sum()
        while j < n {
            var v = unsafe expf(x[j] - mx)
            if let mask = unsafe mask { v *= unsafe mask[j] }
            unsafe x[j] = v
            s += v
            j += 1
        }
        let inv = 1 / s
        for j in 0..<n { unsafe x[j] *= inv }
    }

    /// Backward on one row in place: given the probabilities `p` and `d = ∂L/∂p`, writes `∂L/∂z` into `d`:
    /// `dz[j] = p[j] · (d[j] − Σ_k p[k] d[k])`.
    @unsafe @inline(__always)
    public static func backwardRow(_ d: UnsafeMutablePointer<Float>, probabilities p: UnsafePointer<Float>, count n: Int) {
        var dot: Float = 0
        for j in 0..<n { dot += unsafe p[j] * d[j] }
        for j in 0..<n { unsafe d[j] = p[j] * (d[j] - dot) }
    }
}
