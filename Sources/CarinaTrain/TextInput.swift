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
