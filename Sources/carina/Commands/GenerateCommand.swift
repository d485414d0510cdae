import ArgumentParser
import CarinaLoader
import CarinaTrain
import Foundation

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate impressions from images with a HybridMED checkpoint and score them against the real ones.",
        discussion: """
            Decodes an impression for every held-out image of DIR with the captioning branch of HybridMED's \
            impression decoder (Jiang et al., HybridMED; the checkpoint must have been trained with caption, summary \
            or distill, e.g. --objectives hybridmed): the decoder starts from [CLS], reads the image encoder's CLS \
            and patch tokens, and stops at [SEP] or after --max-length tokens. --beam 1 is greedy decoding (the most \
            likely token each step); --beam N keeps the N best hypotheses by summed log-probability and picks the \
            finished one with the best log-probability per token. Ties go to the lower token id, so the output is \
            deterministic.

            Prints corpus BLEU-1..4 (clipped n-gram precisions summed over the corpus, brevity penalty, no \
            smoothing) and mean ROUGE-L F1 against the records' own impressions, on lowercased words with \
            punctuation split off; records whose impression is empty are not scored. Then --samples of the \
            generated impressions beside their truth. Reads the test split by default (--split), and refuses \
            records the checkpoint was trained on (training-data.json beside the checkpoint) unless \
            --allow-training-records is given.
            """
    )

    @Argument(help: "A checkpoint file, or a checkpoint folder (its latest checkpoint).") var checkpoint: String
    @Argument(help: "A shard folder of held-out data.") var dir: String
    @Option(help: "Beam width (1: greedy decoding).") var beam: Int = 1
    @Option(help: "Most tokens of a generated impression, [CLS] and [SEP] included (default and at most: the model's text length).")
    var maxLength: Int?
    @Option(help: "Generated impressions to print beside their truth.") var samples: Int = 5
    @OptionGroup var loaderFlags: LoaderFlags
    @Flag(help: "Print the scores and the samples as JSON.") var json = false
    @OptionGroup var selection: RecordSelection
    @OptionGroup var computeThreads: ComputeThreads
    @Flag(help: "Generate even for records the checkpoint was trained on (the scores then say nothing about held-out data).")
    var allowTrainingRecords = false

    func validate() throws {
        guard beam >= 1, loaderFlags.batch >= 1, samples >= 0 else { throw ValidationError("--beam and --batch must be at least 1, --samples 0 or more") }
        if let m = maxLength, m < 2 { throw ValidationError("--max-length must be at least 2 ([CLS] and one token)") }
    }

    struct Sample: Codable { var key: String, generated: String, truth: String }
    struct Report: Codable {
        var checkpoint: String, records: Int, scored: Int, beam: Int, maxLength: Int
        var bleu: [Double], rougeL: Double, meanGeneratedWords: Double, meanTruthWords: Double, distinctGenerated: Int
        var samples: [Sample]
    }

    func run() async throws {
        try await computeThreads.run { try await generate() }
    }

    private func generate() async throws {
        let path = try HeldOutRecords.checkpointFile(checkpoint)
        let ckpt = try Checkpoint.read(from: path)
        let config = ckpt.config
        guard config.impressionDecoder != nil else {
            throw CLIError("\(path) has no impression decoder: train with a generation objective (--objectives hybridmed, or caption=1)")
        }
        let options = HeldOutRecords.loaderOptions(config: config, batch: loaderFlags.batch,
                                                   splits: try selection.splits(default: "test"))
        try HeldOutRecords.refuseTrainingRecords(checkpoint: checkpoint, file: path, dataset: dir, splits: options.splits,
                                                 allowed: allowTrainingRecords)
        let tokenizer = try WordPieceTokenizer(vocabularyPath: loaderFlags.vocab)
        let decoder = WordPieceDecoder(tokenizer: tokenizer)
        let model = try DualEncoder(checkpoint: ckpt)
        let loader = try StreamingLoader(directory: dir, vocabulary: loaderFlags.vocab, options: options)
        let t = config.textLength
        var keys: [String] = [], generated: [String] = [], truths: [String] = []
        while let next = try loader.nextBatch() {
            let out = try model.generate(next, beam: beam, maxLength: maxLength, startID: tokenizer.clsID,
                                         endID: tokenizer.sepID)
            for bi in 0..<next.batchSize {
                let ids = (0..<t).filter { next.impressionMask[bi * t + $0] != 0 }.map { next.impressionIDs[bi * t + $0] }
                keys.append(next.keys[bi])
                generated.append(decoder.decode(out[bi]))
                truths.append(decoder.decode(ids))
            }
        }
        guard !keys.isEmpty else { throw CLIError("\(dir) holds no record in the selected split") }
        let scoredIndex = truths.indices.filter { !TextMetrics.words(truths[$0]).isEmpty }
        let cand = scoredIndex.map { TextMetrics.words(generated[$0]) }, ref = scoredIndex.map { TextMetrics.words(truths[$0]) }
        let bleu = TextMetrics.bleu(candidates: cand, references: ref)
        let rouge = TextMetrics.rougeL(candidates: cand, references: ref)
        let shown = scoredIndex.prefix(samples).map { Sample(key: keys[$0], generated: generated[$0], truth: truths[$0]) }
        let mean = { (w: [[String]]) in w.isEmpty ? 0 : Double(w.reduce(0) { $0 + $1.count }) / Double(w.count) }
        let report = Report(checkpoint: path, records: keys.count, scored: scoredIndex.count, beam: beam,
                            maxLength: min(maxLength ?? t, t), bleu: bleu, rougeL: rouge, meanGeneratedWords: mean(cand),
                            meanTruthWords: mean(ref), distinctGenerated: Set(scoredIndex.map { generated[$0] }).count,
                            samples: shown)
        if json {
            try printJSON(report)
            return
        }
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        print("generate: \(report.records) records from \(dir), checkpoint \(path), "
            + (beam == 1 ? "greedy" : "beam \(beam)") + ", at most \(report.maxLength) tokens")
        print("scored \(report.scored) records with an impression; \(report.distinctGenerated) distinct generated impressions")
        print("BLEU-1 \(f(bleu[0]))  BLEU-2 \(f(bleu[1]))  BLEU-3 \(f(bleu[2]))  BLEU-4 \(f(bleu[3]))  ROUGE-L \(f(rouge))")
        print("mean words: generated \(String(format: "%.1f", report.meanGeneratedWords)), truth \(String(format: "%.1f", report.meanTruthWords))")
        for s in shown {
            print("\(s.key)")
            print("  generated: \(s.generated)")
            print("  truth:     \(s.truth)")
        }
    }
}
