import CarinaLoader

/// Which whole word each WordPiece token belongs to, from the token ids and the vocabulary's `##` convention
/// (a piece spelled `##…` continues the previous word). Stands in for the batch's word-index field of the
/// record contract (`findingsWordIndex`) until batches carry it.
public struct WordSegmenter: Sendable, Equatable {
    /// `continuation[id]`: the token continues a word. Empty: every token starts a word.
    public var continuation: [Bool]
    /// `[SEP]`, which belongs to no word (position 0, `[CLS]`, and padding never do).
    public var separatorID: Int32?

    public init(continuation: [Bool] = [], separatorID: Int32? = nil) {
        self.continuation = continuation
        self.separatorID = separatorID
    }

    /// From a WordPiece vocabulary: every `##…` piece continues, `[SEP]` is excluded.
    public init(tokenizer: WordPieceTokenizer) {
        let size = Int(tokenizer.vocabulary.values.max() ?? 0) + 1
        var c = [Bool](repeating: false, count: size)
        for (piece, id) in tokenizer.vocabulary where piece.hasPrefix("##") && piece.count > 2 { c[Int(id)] = true }
        self.init(continuation: c, separatorID: tokenizer.sepID)
    }

    /// `(B, T)` word index per token (0-based within the sequence; −1 for position 0, `[SEP]` and padding) and the
    /// number of words of each sample.
    public func wordIndex(ids: [Int32], mask: [Float], batch b: Int, length t: Int) -> (index: [Int32], words: [Int]) {
        var index = [Int32](repeating: -1, count: b * t), words = [Int](repeating: 0, count: b)
        for bi in 0..<b {
            var current = -1
            for ti in 1..<t where mask[bi * t + ti] != 0 {
                let id = ids[bi * t + ti]
                if id == separatorID { continue }
                let continues = Int(id) < continuation.count && continuation[Int(id)] && current >= 0
                if !continues { current += 1 }
                index[bi * t + ti] = Int32(current)
            }
            words[bi] = current + 1
        }
        return (index, words)
    }
}
