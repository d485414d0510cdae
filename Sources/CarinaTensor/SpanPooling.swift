/// The mean of a sequence's rows over token spans: an entity's WordPieces pooled into one node (CGA's text-side
/// nodes). Span `i` is `(sample, start, end)`, end exclusive, `start < end ≤ T`.
public enum SpanPooling {
    /// Forward: `out (N, C)` is overwritten with `out[i] = mean_{t ∈ [start_i, end_i)} inp[sample_i, t]`;
    /// `inp (B, T, C)`, spans as three arrays of `N` ints.
    @unsafe
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, sample: [Int], start: [Int], end: [Int],
        tokens t: Int, dim c: Int
    ) {
        let n = sample.count
        unsafe out.update(repeating: 0, count: n * c)
        for i in 0..<n {
            let inv = 1 / Float(end[i] - start[i]), dst = unsafe out + i * c
            for pos in start[i]..<end[i] {
                let src = unsafe inp + (sample[i] * t + pos) * c
                for k in 0..<c { unsafe dst[k] += src[k] * inv }
            }
        }
    }

    /// Backward: adds `dout[i] / (end_i − start_i)` to every row of span `i` in `dinp (B, T, C)` (overlapping spans
    /// add up); rows in no span are left as they are.
    @unsafe
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, sample: [Int], start: [Int], end: [Int],
        tokens t: Int, dim c: Int
    ) {
        for i in 0..<sample.count {
            let inv = 1 / Float(end[i] - start[i]), src = unsafe dout + i * c
            for pos in start[i]..<end[i] {
                let dst = unsafe dinp + (sample[i] * t + pos) * c
                for k in 0..<c { unsafe dst[k] += src[k] * inv }
            }
        }
    }
}
