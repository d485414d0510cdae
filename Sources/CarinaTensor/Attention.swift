/// Multi-head scaled dot-product attention over a fused `qkv` projection, with an optional key-padding mask.
public enum Attention {
    /// Forward: `qkv (B, N, 3C)` laid out `[q | k | v]`, each split into `H` heads of `C/H` → `out (B, N, C)`;
    /// saves `att (B, H, N, N)`, the attention probabilities. `keyMask (B, N)`: 1 = attend, 0 = padding.
    /// Scale `1/√(C/H)` (PyTorch's `scaled_dot_product_attention`). `causal`: query `i` attends to keys `0…i` only
    /// (`is_causal=True`; the probabilities above the diagonal are exactly 0, so `backward` needs no flag).
    @unsafe
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        keyMask: UnsafePointer<Float>?, batch b: Int, tokens n: Int, dim c: Int, heads h: Int, causal: Bool = false
    ) {
        unsafe AttentionHead.forward(out: out, att: att, q: qkv, ldq: 3 * c, kv: qkv + c, ldkv: 3 * c, keyMask: keyMask,
                                     batch: b, queries: n, keys: n, dim: c, heads: h, causal: causal)
    }

    /// Backward: writes `dqkv (B, N, 3C)` from `dout (B, N, C)` and the saved `att`. Masked keys get no gradient.
    @unsafe
    public static func backward(
        dqkv: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, qkv: UnsafePointer<Float>,
        att: UnsafePointer<Float>, batch b: Int, tokens n: Int, dim c: Int, heads h: Int
    ) {
        unsafe AttentionHead.backward(dq: dqkv, dkv: dqkv + c, dout: dout, q: qkv, ldq: 3 * c, kv: qkv + c, ldkv: 3 * c,
                                      att: att, batch: b, queries: n, keys: n, dim: c, heads: h)
    }
}
