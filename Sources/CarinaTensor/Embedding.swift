/// Token embedding plus learned positions: `out[b, t] = table[ids[b, t]] + pos[t]`.
public enum Embedding {
    /// Forward: `ids (B, T)`, `table (V, C)`, `pos (T, C)` → `out (B, T, C)`. Ids must be in `0..<V` (checked by
    /// the caller before any kernel runs).
    @unsafe
    public static func forward(
        out: UnsafeMutablePointer<Float>, ids: UnsafePointer<Int32>, table: UnsafePointer<Float>,
        pos: UnsafePointer<Float>, batch b: Int, tokens t: Int, dim c: Int
    ) {
        Parallel.forRanges(b * t, minimumPerPart: 64) { s, e in
            for r in s..<e {
                let row = unsafe table + Int(ids[r]) * c, p = unsafe pos + (r % t) * c, o = unsafe out + r * c
                for i in 0..<c { unsafe o[i] = row[i] + p[i] }
            }
        }
    }

    /// Backward: accumulates `dtable[ids[b, t]] += dout[b, t]` and `dpos[t] += Σ_b dout[b, t]`.
    /// Split by channel, so repeated ids never race and the summation order is fixed.
    @unsafe
    public static func backward(
        dtable: UnsafeMutablePointer<Float>, dpos: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
        ids: UnsafePointer<Int32>, batch b: Int, tokens t: Int, dim c: Int
    ) {
        Parallel.forRanges(c, minimumPerPart: 16) { c0, c1 in
            for r in 0..<(b * t) {
                let row = unsafe dtable + Int(ids[r]) * c, g = unsafe dout + r * c
                for i in c0..<c1 { unsafe row[i] += g[i] }
                if let dpos = unsafe dpos {
                    let p = unsafe dpos + (r % t) * c
                    for i in c0..<c1 { unsafe p[i] += g[i] }
                }
            }
        }
    }
}

/// Non-overlapping patch extraction for a patch-embedding convolution (`Conv2d(1, C, p, stride p)`).
public enum PatchEmbedding {
    /// `img (B, 1, S, S)` → `cols (B, P, p·p)` with `P = (S/p)²` in raster order, each row the patch's pixels in
    /// raster order: exactly the layout under which the convolution is `Linear` with weight `(C, p·p)`.
    @unsafe
    public static func im2col(
        cols: UnsafeMutablePointer<Float>, image: UnsafePointer<Float>, batch b: Int, size s: Int, patch p: Int
    ) {
        let g = s / p, pp = p * p
        Parallel.forRanges(b * g, minimumPerPart: 4) { r0, r1 in
            for r in r0..<r1 {
                let bi = r / g, gy = r % g
                for gx in 0..<g {
                    let dst = unsafe cols + ((bi * g + gy) * g + gx) * pp
                    for y in 0..<p {
                        let src = unsafe image + bi * s * s + (gy * p + y) * s + gx * p
                        for x in 0..<p { unsafe dst[y * p + x] = src[x] }
                    }
                }
            }
        }
    }
}
