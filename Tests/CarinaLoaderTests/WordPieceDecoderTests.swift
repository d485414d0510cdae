import Foundation
import Testing
import CarinaTestSupport
@testable import CarinaLoader

@Suite struct WordPieceDecoderTests {
    /// Encoding then decoding gives the text's words back as the tokenizer normalizes them (lowercase, punctuation
    /// split off), for real report texts: the words `carina generate` scores.
    @Test func decodingInvertsEncodingUpToNormalization() throws {
        let tokenizer = try WordPieceTokenizer(vocabularyPath: WordPieceTokenizerTests.vocabulary)
        let decoder = WordPieceDecoder(tokenizer: tokenizer)
        let texts = try WordPieceTokenizerTests.corpus().filter { text in
            text.unicodeScalars.allSatisfy { $0.isASCII } && !text.isEmpty
        }
        #expect(texts.count > 10)
        var checked = 0
        for text in texts {
            let ids = tokenizer.tokenIDs(text)
            guard !ids.contains(tokenizer.unknownID) else { continue }
            let words = text.lowercased().split { !($0.isLetter || $0.isNumber) }.joined(separator: " ")
            let decoded = decoder.decode(ids).split { !($0.isLetter || $0.isNumber) }.joined(separator: " ")
            #expect(decoded == words, "\(text)")
            checked += 1
        }
        #expect(checked > 10)
        #expect(decoder.decode([tokenizer.clsID, tokenizer.sepID, tokenizer.padID]) == "")
        #expect(decoder.decode([-1]) == "[UNK]")
    }
}
