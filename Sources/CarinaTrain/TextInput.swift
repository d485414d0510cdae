/// Token ids and mask of one text field of a batch, `(B, length)`, as the text encoder runs on it.
///
/// Positions where every sample of the batch is padding change nothing: padded keys are masked out of every
/// attention row, padded rows feed no loss, so they get no gradient either. `trimmed` drops that common tail (the
/// dynamic padding of a batch), which leaves the losses and gradients equal up to float rounding and saves the
/// encoder's work on it (PyTorch's reference runs all `T` positions).
struct TextInput {
    var ids: [Int32]
    var mask: [Float]
    var length: Int

    /// The `(B, T)` field cut to `max(2, last unmasked position + 1)` positions (at most `T`); unchanged when nothing
    /// can be cut or `trim` is false.
    static func trimmed(ids: [Int32], mask: [Float], batch b: Int, length t: Int, trim: Bool) -> TextInput {
        var used = min(2, t)
        if trim {
            for i in 0..<b {
                var j = t - 1
                while j >= used && mask[i * t + j] == 0 { j -= 1 }
                used = max(used, j + 1)
                if used == t { break }
            }
        } else {
            used = t
        }
        if used == t { return TextInput(ids: ids, mask: mask, length: t) }
        var cutIDs = [Int32](), cutMask = [Float]()
        cutIDs.reserveCapacity(b * used)
        cutMask.reserveCapacity(b * used)
        for i in 0..<b {
            cutIDs += ids[(i * t)..<(i * t + used)]
            cutMask += mask[(i * t)..<(i * t + used)]
        }
        return TextInput(ids: cutIDs, mask: cutMask, length: used)
    }
}

extension TextInput {
    /// Two `(B, T)` sections as one sequence per sample, `[CLS] first… second… [SEP]` cut to `T` (the `[SEP]` kept
    /// last), as MGCA joins the findings and the impression into one report text. Each section's first token is
    /// taken as its `[CLS]` and its last real token as its `[SEP]`; an absent section (mask all 0) adds nothing.
    static func joined(first: (ids: [Int32], mask: [Float]), second: (ids: [Int32], mask: [Float]), batch b: Int,
                       length t: Int) -> (ids: [Int32], mask: [Float]) {
        var ids = [Int32](repeating: 0, count: b * t), mask = [Float](repeating: 0, count: b * t)
        for bi in 0..<b {
            var cls: Int32?, sep: Int32?, pieces = [Int32]()
            for section in [first, second] {
                let len = (0..<t).last { section.mask[bi * t + $0] != 0 }.map { $0 + 1 } ?? 0
                guard len > 0 else { continue }
                cls = cls ?? section.ids[bi * t]
                sep = section.ids[bi * t + len - 1]
                if len > 2 { pieces += section.ids[(bi * t + 1)..<(bi * t + len - 1)] }
            }
            guard let c = cls, let s = sep else { continue }
            let kept = Array(pieces.prefix(t - 2))
            let seq = [c] + kept + [s]
            for (i, id) in seq.enumerated() { ids[bi * t + i] = id; mask[bi * t + i] = 1 }
        }
        return (ids, mask)
    }
}
