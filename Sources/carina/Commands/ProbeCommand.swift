import ArgumentParser
import CarinaIngest
import CarinaLoader
import CarinaRecord
import CarinaShards
import CarinaTrain
import Foundation

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Label-efficient linear probe: AUROC with 1%, 10% and 100% of the training labels.",
        discussion: """
            As the seed papers (MGCA, MRM) report transfer: the image encoder of CHECKPOINT is frozen, a logistic \
            regression per label is trained on its image embeddings of seeded subsets (1%, 10%, 100% by default, \
            nested) of DIR's --train-split, and scored by AUROC on --test-split. DIR is any Carina record folder with \
            labels: MIMIC-CXR (the 14 CheXpert labels) or NIH ChestX-ray14 (its 14 findings), as the records' source \
            column says. CHECKPOINT is a checkpoint file or folder, or untrained:MODEL (e.g. untrained:carina-tiny) \
            for the baseline of a randomly initialised encoder. A label is scored at a fraction only when its subset \
            and the test split hold both a positive and a negative (else `-`).
            """
    )

    @Argument(help: "A checkpoint file or folder, or untrained:MODEL.") var checkpoint: String
    @Argument(help: "A shard folder of labelled records.") var dir: String
    @Option(help: "Training split of the probe.") var trainSplit: String = "train"
    @Option(help: "Test split of the probe.") var testSplit: String = "test"
    @Option(help: "Label fractions in percent, comma-separated.") var fractions: String = "1,10,100"
    @Option(help: "Seed of the subsets (and of an untrained encoder).") var seed: UInt64 = 0
    @Option(help: "Uncertain labels (-1): ones, zeros or ignore.") var uncertain: String = "ones"
    @Option(help: "Samples per batch.") var batch: Int = 32
    @Option(help: "WordPiece vocabulary (a BERT vocab.txt).") var vocab: String = Resources.defaultVocabulary
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        let percents = try fractions.split(separator: ",").map { part -> Double in
            guard let p = Double(part.trimmingCharacters(in: .whitespaces)), p > 0, p <= 100 else {
                throw ValidationError("--fractions must be percentages in (0, 100], comma-separated (got \"\(fractions)\")")
            }
            return p / 100
        }
        guard let policy = UncertainLabelPolicy(rawValue: uncertain) else {
            throw ValidationError("--uncertain must be ones, zeros or ignore; got '\(uncertain)'")
        }
        let model: DualEncoder
        var path = checkpoint
        if checkpoint.hasPrefix("untrained:") {
            model = try DualEncoder(config: Resources.modelConfig(String(checkpoint.dropFirst("untrained:".count))), seed: seed)
        } else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                guard let latest = Checkpoint.latest(in: path) else { throw CLIError("no checkpoint in \(path)") }
                path = latest
            }
            let ckpt = try Checkpoint.read(from: path)
            model = try DualEncoder(config: ckpt.config, seed: 0)
            model.arena.setAll(ckpt.parameters)
        }
        let dataset = try MDSDataset(directory: dir)
        guard dataset.count > 0 else { throw CLIError("\(dir) holds no record") }
        let source = try CarinaRecord(columns: dataset.sample(at: 0)).source
        let names = source == "nih-cxr14" ? MimicDump.nihLabelNames : RecordSchema.labelNames

        func features(_ split: String) throws -> FractionProbe.Features {
            var options = LoaderOptions()
            options.batchSize = batch
            options.rank = 0
            options.world = 1
            options.dropLast = false
            options.textLength = model.config.textLength
            options.conceptCount = model.config.concepts
            options.augmentation = .evaluation(size: model.config.imageSize)
            options.splits = [split]
            options.fields = .labels
            options.uncertainLabels = policy
            let loader = try StreamingLoader(directory: dir, vocabulary: vocab, options: options)
            var batches: [TrainingBatch] = []
            while let next = try loader.nextBatch() { batches.append(next) }
            let result = try FractionProbe.features(model: model, batches: batches)
            guard result.count > 0 else { throw CLIError("\(dir) has no record of split \(split); choose another --\(split == trainSplit ? "train" : "test")-split") }
            return result
        }
        let train = try features(trainSplit), test = try features(testSplit)
        let report = FractionProbe.run(train: train, test: test, labelNames: names, fractions: percents, seed: seed)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("probe: \(path) on \(dir) (\(source.isEmpty ? "records" : source)): linear probe on the frozen image "
            + "encoder, train \(trainSplit) \(train.count), test \(testSplit) \(test.count), seed \(seed), AUROC")
        print(FractionProbe.table(report), terminator: "")
    }
}
