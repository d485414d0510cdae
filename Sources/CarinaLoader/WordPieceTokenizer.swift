import Foundation

/// A BERT WordPiece tokenizer over a standard `vocab.txt` (one token per line, the line number is the id).
///
/// It reproduces Hugging Face `tokenizers`' `BertWordPieceTokenizer` (lowercasing): the BERT normalizer (control
/// characters dropped, whitespace unified, CJK characters isolated, accents stripped, lowercase), the BERT
/// pre-tokeniser (split on whitespace and punctuation), then greedy longest-match-first WordPiece with `##`
/// continuations, `[UNK]` for a word that cannot be pieced or is longer than 100 characters, and `[CLS] … [SEP]`.
public struct WordPieceTokenizer: Sendable {
    public let vocabulary: [String: Int32]
    public let clsID: Int32
    public let sepID: Int32
    public let padID: Int32
    public let unknownID: Int32
    public let lowercase: Bool
    static let maxCharactersPerWord = 100
    /// Word-start and `##`-continuation tokens as tries over Unicode scalars, for longest-match lookups without
    /// building candidate strings.
    let startTrie: ScalarTrie
    let continuationTrie: ScalarTrie

    /// Loads `vocab.txt`.
    ///
    /// - Throws: `LoaderError` when the file cannot be read or lacks `[CLS]`, `[SEP]`, `[PAD]` or `[UNK]`.
    public init(vocabularyPath: String, lowercase: Bool = true) throws(LoaderError) {
        guard let data = FileManager.default.contents(atPath: vocabularyPath) else {
            throw LoaderError(.unreadable, "cannot read the vocabulary \(vocabularyPath)")
        }
        var vocabulary: [String: Int32] = [:]
        var id: Int32 = 0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if token.isEmpty && id > 0 { id += 1; continue }
            if vocabulary[token] == nil { vocabulary[token] = id }
            id += 1
        }
        try self.init(vocabulary: vocabulary, lowercase: lowercase, source: vocabularyPath)
    }

    public init(vocabulary: [String: Int32], lowercase: Bool = true, source: String = "vocabulary") throws(LoaderError) {
        func special(_ token: String) throws(LoaderError) -> Int32 {
            guard let id = vocabulary[token] else {
                throw LoaderError(.badVocabulary, "\(source) has no \(token) token; is it a BERT vocab.txt?")
            }
            return id
        }
        self.vocabulary = vocabulary
        self.lowercase = lowercase
        var start = ScalarTrie(), continuation = ScalarTrie()
        for (token, id) in vocabulary {
            if token.hasPrefix("##") && token.count > 2 {
                continuation.insert(Array(token.unicodeScalars.dropFirst(2)), id: id)
            } else {
                start.insert(Array(token.unicodeScalars), id: id)
            }
        }
        startTrie = start
        continuationTrie = continuation
        clsID = try special("[CLS]")
        sepID = try special("[SEP]")
        padID = try special("[PAD]")
        unknownID = try special("[UNK]")
    }

    /// WordPiece ids of `text`, without `[CLS]`/`[SEP]`.
    public func tokenIDs(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        for word in Self.preTokenize(normalize(text)) { appendPieces(of: word, to: &ids) }
        return ids
    }

    /// `[CLS] ids… [SEP]` truncated to `length` (keeping `[SEP]` last) and padded with `[PAD]`, with its mask.
    public func encode(_ text: String, length: Int) -> (ids: [Int32], mask: [Float]) {
        precondition(length >= 2, "a sequence needs room for [CLS] and [SEP]")
        var ids = [clsID]
        ids += tokenIDs(text).prefix(length - 2)
        ids.append(sepID)
        let real = ids.count
        ids += [Int32](repeating: padID, count: length - real)
        var mask = [Float](repeating: 0, count: length)
        for i in 0..<real { mask[i] = 1 }
        return (ids, mask)
    }

    // MARK: - BERT normalizer

    func normalize(_ text: String) -> String {
        if let ascii = Self.normalizeASCII(text, lowercase: lowercase) { return ascii }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) {
                scalars.append(" ")
            } else if Self.isCJK(scalar) {
                scalars.append(" ")
                scalars.append(scalar)
                scalars.append(" ")
            } else {
                scalars.append(scalar)
            }
        }
        var result = String(scalars)
        if lowercase {
            // strip_accents follows lowercase in BertWordPieceTokenizer: NFD, then drop non-spacing marks.
            var stripped = String.UnicodeScalarView()
            for scalar in result.decomposedStringWithCanonicalMapping.unicodeScalars
            where scalar.properties.generalCategory != .nonspacingMark {
                stripped.append(scalar)
            }
            result = String(stripped).lowercased()
        }
        return result
    }

    /// The normalizer for pure-ASCII text (the common case of radiology reports), without Unicode tables; nil when
    /// the text has a non-ASCII byte.
    static func normalizeASCII(_ text: String, lowercase: Bool) -> String? {
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            if b >= 0x80 { return nil }
            switch b {
            case 0x09, 0x0A, 0x0D, 0x20: bytes.append(0x20)
            case 0x00..<0x20, 0x7F: continue  // control characters are dropped
            case 0x41...0x5A where lowercase: bytes.append(b + 32)
            default: bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r" || s.properties.isWhitespace
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default: return false
        }
    }

    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) {
            return true
        }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default: return false
        }
    }

    // MARK: - BERT pre-tokeniser and WordPiece

    static func preTokenize(_ text: String) -> [[Unicode.Scalar]] {
        splitWords(text.unicodeScalars) { $0 }
    }

    /// BERT's pre-tokeniser over items that each carry a scalar.
    ///
    /// Whitespace ends a word and is dropped; a punctuation character ends a word and is a word of its own.
    @inline(__always)
    static func splitWords<Items: Sequence>(_ items: Items,
                                            scalar: (Items.Element) -> Unicode.Scalar) -> [[Items.Element]] {
        var words: [[Items.Element]] = []
        var current: [Items.Element] = []
        for item in items {
            let s = scalar(item)
            if isWhitespace(s) {
                if !current.isEmpty { words.append(current); current.removeAll() }
            } else if isPunctuation(s) {
                if !current.isEmpty { words.append(current); current.removeAll() }
                words.append([item])
            } else {
                current.append(item)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    func appendPieces(of word: [Unicode.Scalar], to ids: inout [Int32]) {
        if word.count > Self.maxCharactersPerWord {
            ids.append(unknownID)
            return
        }
        var pieces: [Int32] = []
        var start = 0
        while start < word.count {
            guard let (id, end) = (start == 0 ? startTrie : continuationTrie).longestMatch(word, from: start) else {
                ids.append(unknownID)
                return
            }
            pieces.append(id)
            start = end
        }
        ids += pieces
    }
}

/// A trie over Unicode scalars mapping token spellings to ids: one longest-prefix walk per WordPiece piece.
struct ScalarTrie: Sendable {
    private var children: [[UInt32: Int32]] = [[:]]
    private var ids: [Int32] = [-1]

    mutating func insert(_ scalars: [Unicode.Scalar], id: Int32) {
        var node = 0
        for s in scalars {
            if let next = children[node][s.value] {
                node = Int(next)
            } else {
                children.append([:])
                ids.append(-1)
                let next = Int32(children.count - 1)
                children[node][s.value] = next
                node = Int(next)
            }
        }
        if ids[node] < 0 { ids[node] = id }
    }

    /// The id and end of the longest token spelled by `word[start...]`'s prefix, or nil when none is.
    func longestMatch(_ word: [Unicode.Scalar], from start: Int) -> (Int32, Int)? {
        var node = 0
        var best: (Int32, Int)?
        var i = start
        while i < word.count, let next = children[node][word[i].value] {
            node = Int(next)
            i += 1
            if ids[node] >= 0 { best = (ids[node], i) }
        }
        return best
    }
}
