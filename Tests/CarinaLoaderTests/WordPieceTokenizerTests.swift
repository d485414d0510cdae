import Foundation
import Testing
import CarinaTestSupport
@testable import CarinaLoader

@Suite struct WordPieceTokenizerTests {
    static let vocabulary = SharedData.repositoryRoot.appendingPathComponent("schemas/vocab/carina-cxr-vocab.txt").path

    /// The real IU reports' FINDINGS and IMPRESSION texts, plus the sample reports and hand-made hard cases.
    static func corpus() throws -> [String] {
        var texts = [
            "", "   ", "Heart size normal.", "No pneumothorax/effusion; 3.5 cm nodule (RUL).",
            "Café au lait naïve résumé", "肺 炎 and 胸部", "tab\tnew\nline\r\nend", "ctrl\u{0007}char\u{200B}zero",
            String(repeating: "a", count: 101), String(repeating: "b", count: 100), "XXXX ___ 1. 2. 3.",
            "“quoted” — dash … ellipsis", "mixed CASE Words", "emoji 🫁 lungs",
        ]
        let samples = SharedData.sample("mimic-cxr-mini/files")
        let enumerator = FileManager.default.enumerator(atPath: samples)
        while let file = enumerator?.nextObject() as? String {
            if file.hasSuffix(".txt") { texts.append(try String(contentsOfFile: samples + "/" + file, encoding: .utf8)) }
        }
        let folder = try Oracle.iuReportFolder.get()
        let pattern = try NSRegularExpression(pattern: "<AbstractText Label=\"(?:FINDINGS|IMPRESSION)\">([^<]*)</AbstractText>")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
            let xml = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            for match in pattern.matches(in: xml, range: NSRange(xml.startIndex..., in: xml)) {
                texts.append((xml as NSString).substring(with: match.range(at: 1))
                    .replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
                    .replacingOccurrences(of: "&gt;", with: ">"))
            }
        }
        return texts
    }

    @Test func idsEqualHuggingFaceTokenizers() throws {
        let texts = try Self.corpus()
        #expect(texts.count > 7000)
        let dir = try TemporaryDirectory()
        let input = dir.file("texts.json")
        try JSONSerialization.data(withJSONObject: texts).write(to: URL(fileURLWithPath: input))
        let expected = try JSONDecoder().decode([[Int32]].self,
                                                from: Oracle.runScript("oracle-wordpiece.py", [Self.vocabulary, input]))
        let tokenizer = try WordPieceTokenizer(vocabularyPath: Self.vocabulary)
        var mismatches = 0
        for (text, ids) in zip(texts, expected) where tokenizer.tokenIDs(text) != ids {
            mismatches += 1
            if mismatches <= 3 { Issue.record("mismatch on \(text.prefix(80).debugDescription)") }
        }
        #expect(mismatches == 0, "\(mismatches) of \(texts.count) texts tokenised differently")
    }

    @Test func encodesToAFixedLengthWithMask() throws {
        let tokenizer = try WordPieceTokenizer(vocabularyPath: Self.vocabulary)
        let (ids, mask) = tokenizer.encode("No pleural effusion.", length: 16)
        #expect(ids.count == 16 && mask.count == 16)
        #expect(ids.first == tokenizer.clsID)
        let real = Int(mask.reduce(0, +))
        #expect(ids[real - 1] == tokenizer.sepID)
        #expect(ids[real...].allSatisfy { $0 == tokenizer.padID })
        let long = tokenizer.encode(String(repeating: "effusion ", count: 100), length: 8)
        #expect(long.ids.count == 8 && long.ids.last == tokenizer.sepID && long.mask.allSatisfy { $0 == 1 })
    }

    @Test func rejectsAVocabularyWithoutSpecialTokens() throws {
        let dir = try TemporaryDirectory()
        try "hello\nworld\n".write(toFile: dir.file("vocab.txt"), atomically: true, encoding: .utf8)
        #expect(throws: LoaderError.self) { try WordPieceTokenizer(vocabularyPath: dir.file("vocab.txt")) }
    }
}
