/// Token ids back to text: the inverse of `WordPieceTokenizer` up to its normalization (lowercase, accents and
/// spacing): a piece spelled `##…` joins the previous one, every other piece starts a new word; `[CLS]`, `[SEP]`
/// and `[PAD]` are left out.
public struct WordPieceDecoder: Sendable {
    private let pieces: [String]
    private let skipped: Set<Int32>

    public init(tokenizer: WordPieceTokenizer) {
        var pieces = [String](repeating: "[UNK]", count: Int(tokenizer.vocabulary.values.max() ?? 0) + 1)
        for (piece, id) in tokenizer.vocabulary { pieces[Int(id)] = piece }
        self.pieces = pieces
        skipped = [tokenizer.clsID, tokenizer.sepID, tokenizer.padID]
    }

    /// The text of `ids`; ids outside the vocabulary read as `[UNK]`.
    ///
    /// - Complexity: O(n) in the number of ids.
    public func decode(_ ids: [Int32]) -> String {
        var out = ""
        for id in ids where !skipped.contains(id) {
            let piece = id >= 0 && Int(id) < pieces.count ? pieces[Int(id)] : "[UNK]"
            if piece.hasPrefix("##") && piece.count > 2 && !out.isEmpty {
                out += piece.dropFirst(2)
            } else {
                if !out.isEmpty { out += " " }
                out += piece
            }
        }
        return out
    }
}
