/// Small elementwise helpers.
public enum Elementwise {
    /// `x[i] += y[i]` for `n` elements (a residual connection's forward).
    @unsafe
    public static func addInPlace(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) {
        Parallel.forRanges(n, minimumPerPart: 16384) { s, e in
            for i in s..<e { unsafe x[i] += y[i] }
        }
    }
}
