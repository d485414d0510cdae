import ArgumentParser
import CarinaCore
import CarinaGraph
import CarinaLoader
import CarinaRecord
import Foundation

struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Stream batches from a shard folder.",
        discussion: """
            Prints each batch's shapes and record ids (one epoch by default), or with --bench the loader's samples/s \
            and MB/s. --save-state writes the loader state after the last batch printed; --resume continues from \
            such a file with exactly the next sample. --show-batch prints the first batch's records as text: each \
            sequence's tokens, the graph's entities on the tokens they cover, the relations between them, and the labels.
            """
    )

    @Argument(help: "A shard folder (holding index.json).") var dir: String
    @OptionGroup var loaderFlags: LoaderFlags
    @Option(help: "Shuffle seed.") var seed: UInt64 = 0
    @Option(help: "Epoch (the order changes with it).") var epoch: Int = 0
    @Option(help: "This process's rank (default: $RANK or 0).") var rank: Int?
    @Option(help: "Number of ranks (default: $WORLD_SIZE or 1).") var world: Int?
    @Option(help: "Resume from a loader state file.") var resume: String?
    @Option(help: "Write the loader state to this file when done.") var saveState: String?
    @Option(help: "Stop after this many batches.") var batches: Int?
    @Option(help: "Image side length.") var size: Int = 224
    @Option(help: "Token sequence length.") var textLength: Int = 128
    @Option(help: "Worker threads.") var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Skip and count samples whose checksum fails instead of stopping.") var skipCorrupt = false
    @Flag(help: "No random crop or intensity jitter.") var noAugment = false
    @Flag(help: "Measure samples/s and MB/s instead of printing batches.") var bench = false
    @Flag(help: "With --bench: read every sample's bytes in place without decoding, computing each one's CRC32C (the loader's floor).")
    var noDecode = false
    @Flag(help: "Do not check per-sample CRC32C (for shards written by streaming's MDSWriter, which has none).")
    var noVerify = false
    @Option(help: "Column tokenised as the impression ('none' for no text).") var impressionColumn = RecordSchema.Column.impression.rawValue
    @Option(help: "Column tokenised as the findings ('none' for no text).") var findingsColumn = RecordSchema.Column.findings.rawValue
    @Option(help: "Column printed as each sample's id.") var keyColumn = RecordSchema.Column.dicomID.rawValue
    @OptionGroup var selection: RecordSelection
    @Flag(help: "Decode every batch field (word map, entity spans, relations, labels) and print the first batch as text.")
    var showBatch = false
    @Flag(help: "With --bench: also decode the word map, the graph's spans and relations, and the labels.")
    var graphFields = false

    func validate() throws {
        guard loaderFlags.batch >= 1, size >= 8, textLength >= 2, workers >= 1 else {
            throw ValidationError("--batch and --workers must be at least 1, --size at least 8, --text-length at least 2")
        }
        try Bounds.check(batch: loaderFlags.batch, size: size, textLength: textLength)
        guard epoch >= 0, (batches ?? 1) >= 1 else { throw ValidationError("--epoch must be 0 or more and --batches at least 1") }
        let defaults = LoaderOptions()
        let rank = self.rank ?? defaults.rank, world = self.world ?? defaults.world
        guard world >= 1, rank >= 0, rank < world else {
            throw ValidationError("rank \(rank) is not in 0..<\(world) (world size)")
        }
    }

    func run() async throws {
        var options = LoaderOptions()
        options.batchSize = loaderFlags.batch
        options.seed = seed
        options.epoch = epoch
        if let rank { options.rank = rank }
        if let world { options.world = world }
        options.workers = workers
        options.textLength = textLength
        options.failOnCorruptSample = !skipCorrupt
        options.augmentation = noAugment ? .evaluation(size: size) : ImageAugmentation(size: size)
        options.verifyChecksums = !noVerify
        options.impressionColumn = impressionColumn == "none" ? nil : impressionColumn
        options.findingsColumn = findingsColumn == "none" ? nil : findingsColumn
        options.keyColumn = keyColumn
        options.splits = try selection.splits(default: "all")
        options.uncertainLabels = try selection.uncertainPolicy()
        if showBatch || graphFields { options.fields = .all }
        try Bounds.checkColumns(dir, ["--key-column": keyColumn, "--impression-column": impressionColumn,
                                      "--findings-column": findingsColumn])
        let loader = try StreamingLoader(directory: dir, vocabulary: loaderFlags.vocab, options: options)
        let identity = LoaderState.datasetIdentity(directory: dir)
        if let resume {
            let data = try Data(contentsOf: URL(fileURLWithPath: resume))
            let state = try LoaderState(serialized: Array(data))
            if let saved = state.dataset, saved != identity {
                throw CLIError("--resume \(resume) was saved while streaming another dataset (\(saved)), not \(dir) "
                    + "(\(identity ?? "no index")); resume with the state of this dataset, or start without --resume")
            }
            try loader.restore(state)
        }
        if bench && noDecode {
            let start = Date()
            let bytes = try loader.readRawEpoch()
            let seconds = Date().timeIntervalSince(start)
            print(String(format: "stream: no-decode %d samples, %.3f s: %.0f samples/s, %.1f MB/s of shard data "
                + "(workers %d, checksums %@)", loader.samplesPerEpoch, seconds, Double(loader.samplesPerEpoch) / seconds,
                Double(bytes) / seconds / 1e6, workers, noVerify ? "computed, not checked" : "checked"))
            return
        }
        if showBatch {
            guard let first = try loader.nextBatch() else { throw CLIError("\(dir) has no full batch to show") }
            print(BatchText(batch: first, tokenizer: loader.tokenizer, concepts: ConceptVocabulary.trainingConcepts).text)
            return
        }
        let start = Date()
        var count = 0, samples = 0, imageBytes = 0
        let progress = ProgressLine(enabled: bench ? nil : false)
        while batches.map({ count < $0 }) ?? true, let next = try loader.nextBatch() {
            count += 1
            samples += next.batchSize
            imageBytes += next.images.count * 4
            if bench {
                progress.update(done: samples, total: loader.samplesPerEpoch, unit: "samples")
            } else {
                let ids = next.keys.map { String($0.prefix(17)) }.joined(separator: " ")
                print("batch \(count): images \(next.batchSize)x1x\(next.imageSize)x\(next.imageSize)  "
                    + "impression \(next.batchSize)x\(next.textLength) (\(Int(next.impressionMask.reduce(0, +))) tokens)  "
                    + "findings \(next.batchSize)x\(next.textLength) (\(Int(next.findingsMask.reduce(0, +))) tokens)  "
                    + "concepts \(next.batchSize)x\(next.conceptCount)  ids: \(ids)")
            }
        }
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        var state = loader.state
        state.dataset = identity
        if skipCorrupt { print("stream: \(loader.skippedCorrupt) corrupt sample(s) skipped (their CRC32C did not match)") }
        if bench {
            let storedBytes = loader.bytesRead
            print(String(format: "stream: %d samples in %d batches, %.3f s: %.1f samples/s, %.1f MB/s of shard data, "
                + "%.1f MB/s of batch tensors (workers %d)", samples, count, seconds, Double(samples) / seconds,
                Double(storedBytes) / seconds / 1e6, Double(imageBytes) / seconds / 1e6, workers))
        } else {
            print("stream: \(samples) samples in \(count) batches (epoch \(state.epoch), rank \(state.rank)/\(state.world), "
                + "\(loader.samplesPerEpoch) samples per epoch for this rank)")
        }
        if let saveState {
            try Data(state.serialized()).write(to: URL(fileURLWithPath: saveState))
            print("stream: state saved to \(saveState) (epoch \(state.epoch), \(state.consumed) samples consumed)")
        }
    }
}
