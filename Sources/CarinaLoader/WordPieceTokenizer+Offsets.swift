import Foundation

/// One text encoded for the encoder with what the graph and masking objectives need: ids and mask, the whole word
/// each position belongs to, and each position's Unicode-scalar offsets in the original text.
public struct EncodedText: Sendable {
    /// `[CLS] ids… [SEP]` then `[PAD]`, `length` ids.
    public var ids: [Int32]
    /// 1 for `[CLS]`, the pieces and `[SEP]`; 0 for padding.
    public var mask: [Float]
    /// The index of the word each position's piece belongs to (0, 1, …); -1 for `[CLS]`, `[SEP]` and `[PAD]`.
    public var wordIndex: [Int32]
    /// Offsets `start..<end` of each position's piece in the text (Unicode scalars); `(-1, -1)` for special tokens.
    public var start: [Int32]
    public var end: [Int32]

    /// The positions whose pieces overlap the text range `start..<end`, as a position range; nil when none does
    /// (the range was cut off by truncation, or lies in no piece).
    public func positions(overlapping lower: Int32, _ upper: Int32) -> Range<Int>? {
        var first = -1, last = -1
        for p in ids.indices where wordIndex[p] >= 0 && self.start[p] < upper && self.end[p] > lower {
            if first < 0 { first = p }
            last = p
        }
        return first < 0 ? nil : first..<(last + 1)
    }
}

extension WordPieceTokenizer {
    /// `text` encoded as ``encode(_:length:)`` encodes it (the same ids), with each position's word index and its
    /// offsets in `text`: how entity spans stored as text offsets land on the positions the encoder sees.
    public func encodeWithOffsets(_ text: String, length: Int) -> EncodedText {
        precondition(length >= 2, "a sequence needs room for [CLS] and [SEP]")
        var out = EncodedText(ids: [clsID], mask: [], wordIndex: [-1], start: [-1], end: [-1])
        out.ids.reserveCapacity(length)
        let words = Self.preTokenizeWithOffsets(normalizedScalars(text))
        var pieces: [Int32] = [], spans: [(Int32, Int32)] = []
        wordLoop: for (w, word) in words.enumerated() {
            pieces.removeAll(keepingCapacity: true)
            spans.removeAll(keepingCapacity: true)
            appendPieces(of: word.map(\.0), to: &pieces, spans: &spans)
            for (k, id) in pieces.enumerated() {
                if out.ids.count == length - 1 { break wordLoop }
                out.ids.append(id)
                out.wordIndex.append(Int32(w))
                let (a, b) = spans[k]
                out.start.append(word[Int(a)].1)
                out.end.append(word[Int(b) - 1].1 + 1)
            }
        }
        out.ids.append(sepID)
        out.wordIndex.append(-1)
        out.start.append(-1)
        out.end.append(-1)
        let real = out.ids.count
        out.mask = [Float](repeating: 0, count: length)
        for i in 0..<real { out.mask[i] = 1 }
        let pad = length - real
        out.ids += [Int32](repeating: padID, count: pad)
        out.wordIndex += [Int32](repeating: -1, count: pad)
        out.start += [Int32](repeating: -1, count: pad)
        out.end += [Int32](repeating: -1, count: pad)
        return out
    }

    /// The BERT-normalized scalars of `text`, each with the offset of the original scalar it came from.
    func normalizedScalars(_ text: String) -> [(Unicode.Scalar, Int32)] {
        var out: [(Unicode.Scalar, Int32)] = []
        out.reserveCapacity(text.utf8.count)
        var offset: Int32 = -1
        for scalar in text.unicodeScalars {
            offset += 1
            if scalar.value < 0x80 {
                switch scalar.value {
                case 0x09, 0x0A, 0x0D, 0x20: out.append((" ", offset))
                case 0x00..<0x20, 0x7F: continue
                case 0x41...0x5A where lowercase: out.append((Unicode.Scalar(scalar.value + 32)!, offset))
                default: out.append((scalar, offset))
                }
                continue
            }
            if scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) {
                out.append((" ", offset))
            } else if Self.isCJK(scalar) {
                out += [(" ", offset), (scalar, offset), (" ", offset)]
            } else if lowercase {
                let folded = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
                    .filter { $0.properties.generalCategory != .nonspacingMark }
                for s in String(String.UnicodeScalarView(folded)).lowercased().unicodeScalars { out.append((s, offset)) }
            } else {
                out.append((scalar, offset))
            }
        }
        return out
    }

    /// `preTokenize` over scalars that carry their offsets.
    static func preTokenizeWithOffsets(_ scalars: [(Unicode.Scalar, Int32)]) -> [[(Unicode.Scalar, Int32)]] {
        splitWords(scalars) { $0.0 }
    }

    /// `appendPieces` that also gives each piece's scalar range in the word (`[UNK]` covers the whole word).
    func appendPieces(of word: [Unicode.Scalar], to ids: inout [Int32], spans: inout [(Int32, Int32)]) {
        let before = ids.count
        appendPieces(of: word, to: &ids)
        if ids.count - before == 1 && ids[before] == unknownID {
            spans.append((0, Int32(word.count)))
            return
        }
        var start = 0
        for k in before..<ids.count {
            let (_, end) = (start == 0 ? startTrie : continuationTrie).longestMatch(word, from: start)!
            spans.append((Int32(start), Int32(end)))
            start = end
        }
    }
}
