/// Multi-head scaled dot-product attention of one sequence's queries over another's keys and values (a decoder
/// reading a memory), with a key-padding mask on the memory.
public enum CrossAttention {
    /// Forward: queries `q (B, N, C)` (row stride `qStride`), keys and values `kv (B, M, 2C)` laid out `[k | v]`,
    /// each split into `H` heads of `C/H` → `out (B, N, C)`; saves `att (B, H, N, M)`. `keyMask (B, M)`: 1 = attend,
    /// 0 = padding (a sample with no key left gets a zero output). Scale `1/√(C/H)`.
    @unsafe
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, q: UnsafePointer<Float>,
        kv: UnsafePointer<Float>, keyMask: UnsafePointer<Float>?, batch b: Int, queries n: Int, keys m: Int,
        dim c: Int, heads h: Int
    ) {
        unsafe AttentionHead.forward(out: out, att: att, q: q, ldq: c, kv: kv, ldkv: 2 * c, keyMask: keyMask, batch: b,
                                     queries: n, keys: m, dim: c, heads: h, causal: false)
    }

    /// Backward: writes `dq (B, N, C)` and `dkv (B, M, 2C)` from `dout (B, N, C)` and the saved `att`. Masked keys
    /// get no gradient.
    @unsafe
    public static func backward(
        dq: UnsafeMutablePointer<Float>, dkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        q: UnsafePointer<Float>, kv: UnsafePointer<Float>, att: UnsafePointer<Float>, batch b: Int, queries n: Int,
        keys m: Int, dim c: Int, heads h: Int
    ) {
        unsafe AttentionHead.backward(dq: dq, dkv: dkv, dout: dout, q: q, ldq: c, kv: kv, ldkv: 2 * c, att: att,
                                      batch: b, queries: n, keys: m, dim: c, heads: h)
    }
}
