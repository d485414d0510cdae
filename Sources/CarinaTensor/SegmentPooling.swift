/// Sums the rows of a sequence that share a segment index: WordPiece pieces pooled into whole words (MGCA sums a
/// word's pieces, Wang et al. 2022 §3.2, `aggregate_tokens`).
public enum SegmentPooling {
    /// Forward: `out (B, W, C)` is overwritten with `out[b, s] = Σ_{t: index[b, t] = s} inp[b, t]`; tokens whose
    /// index is negative (or ≥ `W`) belong to no segment. `inp (B, T, C)`, `index (B, T)`.
    @unsafe
    public static func forward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, index: UnsafePointer<Int32>,
        batch b: Int, tokens t: Int, segments w: Int, dim c: Int
    ) {
        unsafe out.update(repeating: 0, count: b * w * c)
        for bi in 0..<b {
            for ti in 0..<t {
                let s = unsafe Int(index[bi * t + ti])
                guard s >= 0 && s < w else { continue }
                let src = unsafe inp + (bi * t + ti) * c, dst = unsafe out + (bi * w + s) * c
                for k in 0..<c { unsafe dst[k] += src[k] }
            }
        }
    }

    /// Backward: `dinp[b, t] = dout[b, index[b, t]]` (0 for tokens in no segment); added when `accumulate`.
    @unsafe
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, index: UnsafePointer<Int32>,
        batch b: Int, tokens t: Int, segments w: Int, dim c: Int, accumulate: Bool = false
    ) {
        for bi in 0..<b {
            for ti in 0..<t {
                let s = unsafe Int(index[bi * t + ti])
                let dst = unsafe dinp + (bi * t + ti) * c
                if s >= 0 && s < w {
                    let src = unsafe dout + (bi * w + s) * c
                    for k in 0..<c { if accumulate { unsafe dst[k] += src[k] } else { unsafe dst[k] = src[k] } }
                } else if !accumulate {
                    for k in 0..<c { unsafe dst[k] = 0 }
                }
            }
        }
    }
}
