import ArgumentParser
import CarinaIngest
import CarinaLoader
import CarinaRecord
import CarinaShards
import CarinaTensor
import CarinaTrain
import Foundation

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Label-efficient transfer: AUROC with 1%, 10% and 100% of the training labels (linear probe or fine-tuning).",
        discussion: """
            As the seed papers (MGCA, MRM) report transfer: the image encoder of CHECKPOINT is frozen, a logistic \
            regression per label is trained on its image embeddings of seeded subsets (1%, 10%, 100% by default, \
            nested) of DIR's --train-split, and scored by AUROC on --test-split. DIR is any Carina record folder with \
            labels: MIMIC-CXR or CheXpert (the 14 CheXpert labels), NIH ChestX-ray14 (its 14 findings) or RSNA \
            Pneumonia (Target and the two other classes), as the records' source column says. CHECKPOINT is a checkpoint file or folder, or untrained:MODEL (e.g. untrained:carina-tiny) \
            for the baseline of a randomly initialised encoder. A label is scored at a fraction only when its subset \
            and the test split hold both a positive and a negative (else `-`).

            --fine-tune trains the whole image encoder instead: a linear head on its CLS output, trained end to end \
            with AdamW (--lr, --weight-decay, a tenth of the updates as warm-up, then cosine) on binary \
            cross-entropy over the labelled classes for --epochs passes over each subset in batches of --batch, \
            starting from CHECKPOINT's weights again for each fraction. The images are the loader's evaluation \
            resize, without augmentation. Progress goes to stderr, one line per epoch.
            """
    )

    @Argument(help: "A checkpoint file or folder, or untrained:MODEL.") var checkpoint: String
    @Argument(help: "A shard folder of labelled records.") var dir: String
    @Option(help: "Training split of the probe.") var trainSplit: String = "train"
    @Option(help: "Test split of the probe.") var testSplit: String = "test"
    @Option(help: "Label fractions in percent, comma-separated.") var fractions: String = "1,10,100"
    @Option(help: "Seed of the subsets (and of an untrained encoder).") var seed: UInt64 = 0
    @Option(help: "Uncertain labels (-1): ones, zeros or ignore.") var uncertain: String = "ones"
    @OptionGroup var loaderFlags: LoaderFlags
    @Flag(help: "Fine-tune the whole image encoder with a linear head instead of the linear probe.") var fineTune = false
    @Option(help: "Fine-tuning: passes over each subset.") var epochs: Int = 10
    @Option(help: "Fine-tuning: peak learning rate of AdamW.") var lr: Float = 1e-4
    @Option(help: "Fine-tuning: AdamW's decoupled weight decay.") var weightDecay: Float = 0.05
    @OptionGroup var computeThreads: ComputeThreads
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        guard loaderFlags.batch > 0 else { throw ValidationError("--batch must be positive") }
        guard epochs > 0 else { throw ValidationError("--epochs must be positive") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be positive") }
        guard weightDecay >= 0, weightDecay.isFinite else { throw ValidationError("--weight-decay must not be negative") }
    }

    func run() async throws {
        try await computeThreads.run { try await probe() }
    }

    private func probe() async throws {
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
            path = try HeldOutRecords.checkpointFile(path)
            model = try DualEncoder(checkpoint: Checkpoint.read(from: path))
        }
        let dataset = try MDSDataset(directory: dir)
        guard dataset.count > 0 else { throw CLIError("\(dir) holds no record") }
        let source = try CarinaRecord(columns: dataset.sample(at: 0)).source
        let names = source == "nih-cxr14" ? MimicDump.nihLabelNames
            : source == "rsna-pneumonia" ? MimicDump.rsnaLabelNames : RecordSchema.labelNames

        func batches(_ split: String) throws -> [TrainingBatch] {
            var options = HeldOutRecords.loaderOptions(config: model.config, batch: loaderFlags.batch, splits: [split])
            options.fields = .labels
            options.uncertainLabels = policy
            let loader = try StreamingLoader(directory: dir, vocabulary: loaderFlags.vocab, options: options)
            var batches: [TrainingBatch] = []
            while let next = try loader.nextBatch() { batches.append(next) }
            guard batches.contains(where: { $0.batchSize > 0 }) else {
                throw CLIError("\(dir) has no record of split \(split); choose another --\(split == trainSplit ? "train" : "test")-split")
            }
            return batches
        }
        var report: FractionProbe.Report
        let trainCount: Int, testCount: Int
        if fineTune {
            let train = FineTune.Samples(batches: try batches(trainSplit))
            let test = FineTune.Samples(batches: try batches(testSplit))
            trainCount = train.count
            testCount = test.count
            let options = FineTune.Options(epochs: epochs, learningRate: lr, weightDecay: weightDecay, batchSize: loaderFlags.batch,
                                           seed: seed)
            report = try FineTune.run(config: model.config, parameters: model.arena.allParameters, train: train,
                                      test: test, labelNames: names, fractions: percents, options: options,
                                      log: { FileHandle.standardError.write(Data(("probe: " + $0 + "\n").utf8)) })
        } else {
            let train = try FractionProbe.features(model: model, batches: try batches(trainSplit))
            let test = try FractionProbe.features(model: model, batches: try batches(testSplit))
            trainCount = train.count
            testCount = test.count
            report = FractionProbe.run(train: train, test: test, labelNames: names, fractions: percents, seed: seed)
        }
        // A source with fewer labels than the column (RSNA) leaves the rest blank: never scored, so not listed.
        if names.count < report.rows.count { report.rows = Array(report.rows.prefix(names.count)) }
        if json {
            try printJSON(report)
            return
        }
        let method = fineTune
            ? "fine-tuned image encoder (\(epochs) epochs, lr \(lr), weight decay \(weightDecay), batch \(loaderFlags.batch))"
            : "linear probe on the frozen image encoder"
        print("probe: \(path) on \(dir) (\(source.isEmpty ? "records" : source)): \(method), train \(trainSplit) "
            + "\(trainCount), test \(testSplit) \(testCount), seed \(seed), AUROC")
        print(FractionProbe.table(report), terminator: "")
    }
}
