import ArgumentParser
import CarinaGraph
import CarinaLoader
import CarinaImage
import CarinaTrain
import Foundation

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint: retrieval recall@k and linear-probe AUROC.",
        discussion: """
            Embeds every held-out sample of DIR (no augmentation), then reports image-to-report and report-to-image \
            recall@1/5/10 (image CLS against impression CLS) and, per entity concept of the records' graphs, the \
            AUROC of a linear probe on the image embedding (trained on a seeded half, scored on the other). \
            It reads the test split by default (--split), and refuses records the checkpoint was trained on (same \
            shards, overlapping split; told by training-data.json beside the checkpoint) unless \
            --allow-training-records is given.
            """
    )

    @Argument(help: "A checkpoint file, or a checkpoint folder (its latest checkpoint).") var checkpoint: String
    @Argument(help: "A shard folder of held-out data.") var dir: String
    @OptionGroup var loaderFlags: LoaderFlags
    @Option(help: "Seed of the probe's train/test split.") var seed: UInt64 = 0
    @Flag(help: "Print the report as JSON.") var json = false
    @OptionGroup var selection: RecordSelection
    @OptionGroup var computeThreads: ComputeThreads
    @Flag(help: "Evaluate even on records the checkpoint was trained on (the scores then say nothing about held-out data).")
    var allowTrainingRecords = false
    @Option(help: "Also write MRM's reconstructions of the first held-out images (original, masked, reconstructed) to this PNG (models trained with mim; at the target's resolution with --mim-target-scale).")
    var reconstruction: String?
    @Option(help: "Report text to embed: impression, findings or both (as the model was trained with --instance-text).")
    var instanceText: String = InstanceText.impression.rawValue

    func run() async throws {
        try await computeThreads.run { try await evaluate() }
    }

    private func evaluate() async throws {
        let path = try HeldOutRecords.checkpointFile(checkpoint)
        let model = try DualEncoder(checkpoint: Checkpoint.read(from: path))
        let config = model.config
        var options = HeldOutRecords.loaderOptions(config: config, batch: loaderFlags.batch,
                                                   splits: try selection.splits(default: "test"))
        // MRM's higher-resolution target: the reconstruction is drawn at the target's resolution.
        if reconstruction != nil { options.targetScale = config.targetScale }
        try HeldOutRecords.refuseTrainingRecords(checkpoint: checkpoint, file: path, dataset: dir, splits: options.splits,
                                                 allowed: allowTrainingRecords)
        let loader = try StreamingLoader(directory: dir, vocabulary: loaderFlags.vocab, options: options)
        var batches: [TrainingBatch] = []
        while let next = try loader.nextBatch() { batches.append(next) }
        let names = config.concepts == ConceptVocabulary.trainingConcepts.count ? ConceptVocabulary.trainingConcepts : nil
        guard let text = InstanceText(rawValue: instanceText) else {
            throw ValidationError("--instance-text must be one of \(InstanceText.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        model.objectives.instanceText = text
        let report = try Evaluator.evaluate(model: model, batches: batches, labelNames: names, probeSeed: seed)
        if let png = reconstruction {
            guard let first = batches.first else { throw CLIError("\(dir) holds no sample to reconstruct") }
            let grid = try Reconstruction.grid(model: model, batch: first, count: 4, seed: seed)
            let image = GrayImage(width: grid.width, height: grid.height, bitDepth: 8, pixels: grid.pixels.map { UInt16($0) })
            try Data(PNGCodec.encode(image)).write(to: URL(fileURLWithPath: png))
            print("eval: reconstructions of \(min(4, first.batchSize)) held-out images (original, masked, reconstructed) in \(png)")
        }
        if json {
            try printJSON(report)
            return
        }
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        print("eval: \(report.samples) samples from \(dir), checkpoint \(path)")
        print("image->report  R@1 \(f(report.imageToReport.r1))  R@5 \(f(report.imageToReport.r5))  R@10 \(f(report.imageToReport.r10))")
        print("report->image  R@1 \(f(report.reportToImage.r1))  R@5 \(f(report.reportToImage.r5))  R@10 \(f(report.reportToImage.r10))")
        print("chance R@1 \(f(report.chanceRecallAt1))")
        print("counting identical impressions as one (\(report.distinctReports) distinct among \(report.samples)):")
        print("image->report  R@1 \(f(report.imageToReportByText.r1))  R@5 \(f(report.imageToReportByText.r5))  R@10 \(f(report.imageToReportByText.r10))")
        print("report->image  R@1 \(f(report.reportToImageByText.r1))  R@5 \(f(report.reportToImageByText.r5))  R@10 \(f(report.reportToImageByText.r10))")
        print("chance R@1 \(f(report.chanceRecallAt1ByText))")
        print("mean cosine between samples  image \(f(report.imageSpread))  report \(f(report.reportSpread))")
        for label in report.probe where label.auroc != nil {
            print("probe \(label.label): AUROC \(f(label.auroc!))  (train positives \(label.trainPositives), test positives \(label.testPositives))")
        }
        if let mean = report.meanAUROC { print("probe mean AUROC \(f(mean))") }
    }
}
