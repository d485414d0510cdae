import ArgumentParser
import CarinaLoader
import CarinaTrain
import Foundation

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train carina-tiny on a shard folder.",
        discussion: """
            Streams the shards through the loader (random crop and intensity jitter, WordPiece ids of the impression \
            and the findings, the graph's concept targets) into the carina-tiny dual encoder, AdamW with warm-up and a \
            cosine schedule. Checkpoints hold the model, the optimiser and the loader position, so --resume continues \
            bit-exactly.

            Objectives (--objectives NAME=WEIGHT,...; default global=1,local=1,graph=1):
              global     image-report InfoNCE, both directions averaged (CLIP; MGCA instance level, Wang et al. \
            NeurIPS 2022 section 3.1). Report text: --instance-text; temperature learnable (from 0.07, scale clamped \
            at 100) or fixed with --instance-temperature (MGCA: 0.07).
              local      findings WordPiece -> patch alignment, unweighted (the word->patch half of MGCA 3.2).
              graph      multi-label BCE of the graph's entity concepts from the image embedding.
              token      MGCA token level (3.2) in full: WordPieces summed into words (## pieces continue a word), \
            word->patch and patch->word, each token weighted by the last layer's CLS attention clipped to its \
            10th-90th percentile and normalized; temperature 0.1 (the model's localTemperature).
              prototype  MGCA disease level (3.3): prototypes (--prototypes, 500) L2-normalized each step, \
            Sinkhorn-Knopp codes (epsilon 0.05, 3 iterations), swapped prediction at temperature 0.2, frozen for \
            --prototype-freeze-epochs (1).
              mim        MRM masked image modelling (Zhou et al. ICLR 2023, 3.2): --mask-ratio (0.75) of each image's \
            patches masked (seeded by the run's seed and the step), the image encoder on the visible ones, a light \
            decoder (--decoder 128,2,4,512 unless the model configuration has one) predicts the masked patches' \
            normalized pixels; MSE over the masked patches. --mim-target-scale R (default 1; MRM: 2) makes the target \
            MRM's higher-resolution one: each masked patch's (R·p)×(R·p) pixels of the image rendered at R× the \
            input size from the record (same crop and jitter), normalized per patch; the decoder predicts R²·p² \
            values per patch.
              mlm        MRM masked report modelling (3.2): --word-mask-ratio (0.5) of the joined report's whole words \
            set to [MASK], the text encoder conditioned on a projection of the masked image's visible tokens (needs mim \
            on), prediction tied to the token embedding, cross-entropy over the masked positions. Preset: \
            --objectives mrm = mim=1,mlm=1.
              anatomy, pathology, edge, readout   CGA's cascading graph alignment, one weight per stage in cascade \
            order: the findings' anatomy entities and their present or uncertain observations/devices are nodes, \
            text nodes the span-mean of the text encoder through txt_l, image nodes their attention over the \
            patches; edges from both nodes plus a relation-type embedding; readout the sum of a graph's nodes and \
            edges; each stage a symmetric InfoNCE over the batch at temperature 0.1. Loads the graph fields. \
            Preset: --objectives cga = global=1,anatomy=1,pathology=1,edge=1,readout=1.
              caption, summary, distill   HybridMED's generation branches (Jiang et al., HybridMED): an impression \
            decoder (--impression-decoder 128,2,4,512 unless the model configuration has one: pre-LN blocks of \
            causal self-attention, cross-attention to a memory, MLP; LM head tied to its token embedding) trained by \
            teacher forcing, mean next-token cross-entropy over the impression. caption: memory = the image \
            encoder's CLS and patch tokens; summary: memory = the findings run of the text encoder; distill: \
            T^2 KL(summariser || captioner) over the softened next-token distributions (--distill-temperature, 2), \
            the summariser teaching (text to text is the easier task, and only the captioner runs at inference) \
            with its side stop-gradient. Records with an empty impression (or findings) add no caption (or \
            summary, distill) target and train on the rest. Decode with carina generate.
            Preset: --objectives hybridmed = global=1,token=1,caption=1,summary=1,distill=1: HybridMED's \
            hierarchical alignment (global image <-> impression, token-level patches <-> findings words) plus its \
            generation branches.
            --projection-hidden H gives all four projection heads MGCA's two layers (Linear, ReLU, Linear); \
            --projection-norm batch (default none) adds MGCA's BatchNorms as its GlobalEmbedding/LocalEmbedding have \
            them (Linear, BatchNorm1d, ReLU, Linear, BatchNorm1d without affine; Wang et al. NeurIPS 2022): batch \
            statistics in training, taken over each use's real rows only (patches, not CLS; real tokens or words, not \
            padding), running statistics (momentum 0.1) for evaluation, kept in the checkpoint but not trained.
            Presets: --objectives mgca = global=2,token=0.7,prototype=0.5 (MGCA's lambdas; its instance loss sums \
            both directions, ours averages them). MGCA's recipe: --objectives mgca --instance-text both \
            --instance-temperature 0.07 --projection-hidden 2048 --projection-norm batch.
            """
    )

    @Argument(help: "A shard folder (holding index.json).") var dir: String
    @Option(help: "Total optimisation steps.") var steps: Int = 100
    @OptionGroup var loaderFlags: LoaderFlags
    @Option(help: "Checkpoint folder.") var checkpoint: String?
    @Option(help: "Write a checkpoint every N steps (0: only at the end).") var checkpointEvery: Int = 0
    @Flag(help: "Continue from the latest checkpoint in --checkpoint.") var resume = false
    @Option(help: "Model configuration: a name under schemas/models or a JSON file.") var model: String = "carina-tiny"
    @Option(help: "Peak learning rate.") var lr: Float = 1e-4
    @Option(help: "Warm-up steps.") var warmup: Int = 0
    @Option(help: "Weights of the global, local and graph losses (0 switches one off); --objectives replaces it.")
    var lossWeights: String = "1,1,1"
    @Option(help: "Objectives and weights, NAME=WEIGHT,... of global, local, graph, token, prototype, mim, mlm, anatomy, pathology, edge, readout, caption, summary, distill (unnamed: 0), or a preset: default, mgca, mrm, cga, hybridmed.")
    var objectives: String?
    @Option(help: "Report text of the global and prototype objectives: impression, findings or both (MGCA joins them).")
    var instanceText: String = InstanceText.impression.rawValue
    @Option(help: "A fixed temperature for the global objective (MGCA: 0.07); absent: learnable.")
    var instanceTemperature: Float?
    @Option(help: "Prototypes of the prototype objective, for a model configuration without them (MGCA: 500).")
    var prototypes: Int = 500
    @Option(help: "MGCA's 2-layer projection heads (Linear, ReLU, Linear; --projection-norm batch adds its BatchNorms) of this hidden width, for a model configuration without them (MGCA: 2048).")
    var projectionHidden: Int?
    @Option(help: "Norms inside the 2-layer heads: none, or batch (MGCA's BatchNorms; needs --projection-hidden or a configuration with projectionHidden).")
    var projectionNorm: String = ModelConfig.ProjectionNorm.none.rawValue
    @Option(help: "Masked image modelling's decoder WIDTH,DEPTH,HEADS,MLP, for a model configuration without one.")
    var decoder: String = "128,2,4,512"
    @Option(help: "Masked image modelling's target at this many times the input resolution (MRM: 2; 1: the input's own patches), for a model configuration without maskedImageTargetScale.")
    var mimTargetScale: Int = 1
    @Option(help: "HybridMED's impression decoder WIDTH,DEPTH,HEADS,MLP, for a model configuration without one (caption, summary, distill).")
    var impressionDecoder: String = "128,2,4,512"
    @Option(help: "Temperature of HybridMED's distillation (T^2 KL of the softened distributions).")
    var distillTemperature: Float = 2
    @Option(help: "Fraction of patches masked image modelling masks (MRM: 0.75).")
    var maskRatio: Float = 0.75
    @Option(help: "Fraction of the report's whole words masked report modelling masks (MRM: 0.5).")
    var wordMaskRatio: Float = 0.5
    @Option(help: "Epochs during which the prototypes are frozen (MGCA: 1).")
    var prototypeFreezeEpochs: Int = 1
    @Option(help: "Smallest area fraction of the random resized crop (1: the whole image, no crop).")
    var cropScale: Float = ImageAugmentation().cropScale.lowerBound
    @Option(help: "Seed of the initialisation and the data order.") var seed: UInt64 = 0
    @Option(help: "Log every N steps.") var logEvery: Int = 1
    @Option(help: "Threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @OptionGroup var selection: RecordSelection

    func validate() throws {
        guard steps >= 1, loaderFlags.batch >= 1, logEvery >= 1, threads >= 1, checkpointEvery >= 0 else {
            throw ValidationError("--steps, --batch, --log-every and --threads must be at least 1")
        }
        guard cropScale > 0 && cropScale <= 1 else { throw ValidationError("--crop-scale must be in (0, 1]") }
        if resume && checkpoint == nil { throw ValidationError("--resume needs --checkpoint DIR") }
        guard lr.isFinite, lr > 0, lr <= 1 else {
            throw ValidationError("--lr must be a number in (0, 1], e.g. 1e-4 (got \(lr))")
        }
        guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more steps (got \(warmup))") }
        let weights = lossWeights.split(separator: ",").compactMap { Float($0) }
        guard objectives != nil || weights.count == 3, weights.allSatisfy({ $0.isFinite && $0 >= 0 }), weights.contains(where: { $0 > 0 }) else {
            throw ValidationError("--loss-weights must be three finite non-negative numbers, not all 0, e.g. 1,1,0.5")
        }
        guard InstanceText(rawValue: instanceText) != nil else {
            throw ValidationError("--instance-text must be one of \(InstanceText.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard ModelConfig.ProjectionNorm(rawValue: projectionNorm) != nil else {
            throw ValidationError("--projection-norm must be none or batch (MGCA's BatchNorms)")
        }
        if let t = instanceTemperature, !(t > 0) { throw ValidationError("--instance-temperature must be positive") }
        guard prototypes >= 1, prototypeFreezeEpochs >= 0 else {
            throw ValidationError("--prototypes must be at least 1 and --prototype-freeze-epochs non-negative")
        }
    }

    func run() async throws {
        var config = try Resources.modelConfig(model)
        let lossWeights: LossWeights
        if let spec = objectives {
            do { lossWeights = try LossWeights.parse(spec) } catch { throw ValidationError("--objectives: \(error)") }
        } else {
            let weights = self.lossWeights.split(separator: ",").compactMap { Float($0) }
            guard weights.count == 3, weights.allSatisfy({ $0 >= 0 }) else {
                throw ValidationError("--loss-weights must be three non-negative numbers, e.g. 1,1,0.5")
            }
            lossWeights = LossWeights(global: weights[0], local: weights[1], graph: weights[2])
        }
        if lossWeights.prototype != 0 && config.prototypes == nil { config.prototypes = prototypes }
        if lossWeights.mim != 0 && config.maskedImageDecoder == nil {
            let d = decoder.split(separator: ",").compactMap { Int($0) }
            guard d.count == 4, d.allSatisfy({ $0 > 0 }), d[0] % d[2] == 0 else {
                throw ValidationError("--decoder must be WIDTH,DEPTH,HEADS,MLP, positive, WIDTH a multiple of HEADS (e.g. 128,2,4,512)")
            }
            config.maskedImageDecoder = .init(width: d[0], depth: d[1], heads: d[2], mlp: d[3])
        }
        guard maskRatio > 0 && maskRatio < 1 else { throw ValidationError("--mask-ratio must be in (0, 1)") }
        guard (1...8).contains(mimTargetScale) else { throw ValidationError("--mim-target-scale must be 1 to 8 (MRM: 2)") }
        if mimTargetScale > 1 {
            guard lossWeights.mim != 0 else {
                throw ValidationError("--mim-target-scale is masked image modelling's target: switch it on (--objectives mim=1 or mrm)")
            }
            if config.maskedImageTargetScale == nil { config.maskedImageTargetScale = mimTargetScale }
        }
        guard wordMaskRatio > 0 && wordMaskRatio <= 1 else { throw ValidationError("--word-mask-ratio must be in (0, 1]") }
        if lossWeights.mlm != 0 {
            guard lossWeights.mim != 0 else {
                throw ValidationError("--objectives: mlm needs mim on too (its visible image tokens condition the report)")
            }
            config.maskedReportHead = true
        }
        if lossWeights.edge != 0 || lossWeights.readout != 0 { config.graphAlignment = true }
        if lossWeights.generation && config.impressionDecoder == nil {
            let d = impressionDecoder.split(separator: ",").compactMap { Int($0) }
            guard d.count == 4, d.allSatisfy({ $0 > 0 }), d[0] % d[2] == 0 else {
                throw ValidationError("--impression-decoder must be WIDTH,DEPTH,HEADS,MLP, positive, WIDTH a multiple of HEADS (e.g. 128,2,4,512)")
            }
            config.impressionDecoder = .init(width: d[0], depth: d[1], heads: d[2], mlp: d[3])
        }
        guard distillTemperature.isFinite && distillTemperature > 0 else {
            throw ValidationError("--distill-temperature must be a positive number (HybridMED: 2)")
        }
        if let h = projectionHidden {
            guard h >= 1 else { throw ValidationError("--projection-hidden must be at least 1") }
            config.projectionHidden = h
        }
        if projectionNorm == ModelConfig.ProjectionNorm.batch.rawValue {
            guard config.projectionHidden != nil else {
                throw ValidationError("--projection-norm batch needs 2-layer heads: add --projection-hidden H (MGCA: 2048)")
            }
            config.projectionNorm = .batch
        }
        var loaderOptions = LoaderOptions()
        loaderOptions.batchSize = loaderFlags.batch
        loaderOptions.seed = seed
        loaderOptions.textLength = config.textLength
        loaderOptions.conceptCount = config.concepts
        if lossWeights.graphAlignment { loaderOptions.fields.insert(.graph) }
        if lossWeights.mim != 0 { loaderOptions.targetScale = config.targetScale }
        var augmentation = ImageAugmentation(size: config.imageSize, randomCrop: cropScale < 1)
        augmentation.cropScale = cropScale...1
        loaderOptions.augmentation = augmentation
        loaderOptions.workers = threads
        let splits = try selection.splits(default: "train")
        loaderOptions.splits = splits
        loaderOptions.uncertainLabels = try selection.uncertainPolicy()
        var loader = try StreamingLoader(directory: dir, vocabulary: loaderFlags.vocab, options: loaderOptions)
        guard loader.samplesPerEpoch >= 2 else {
            throw CLIError("\(dir) holds \(loader.samplesPerEpoch) sample(s) for this rank; contrastive training needs at least 2")
        }
        if loader.samplesPerEpoch < loaderFlags.batch {
            // Full batches only (a batch of one has no contrastive negatives): shrink the batch to the epoch.
            loaderOptions.batchSize = loader.samplesPerEpoch
            loader = try StreamingLoader(directory: dir, vocabulary: loaderFlags.vocab, options: loaderOptions)
            print("train: batch reduced to \(loaderOptions.batchSize), the number of samples per epoch")
        }
        let stepsPerEpoch = max(1, loader.samplesPerEpoch / loaderOptions.batchSize)
        var settings = ObjectiveSettings(
            instanceText: InstanceText(rawValue: instanceText)!,
            instance: InstanceAlignment(fixedTemperature: instanceTemperature),
            prototypeFreezeSteps: lossWeights.prototype != 0 ? prototypeFreezeEpochs * stepsPerEpoch : 0)
        settings.maskRatio = maskRatio
        settings.wordMaskRatio = wordMaskRatio
        settings.distillTemperature = distillTemperature
        let tokenizer = try WordPieceTokenizer(vocabularyPath: loaderFlags.vocab)
        if lossWeights.mlm != 0 {
            guard let mask = tokenizer.vocabulary["[MASK]"] else {
                throw CLIError("\(loaderFlags.vocab) has no [MASK] token, which masked report modelling needs; use a BERT vocab.txt")
            }
            settings.maskTokenID = mask
        }
        let words = WordSegmenter(tokenizer: tokenizer)
        let options = TrainOptions(
            steps: steps, batchSize: loaderOptions.batchSize, learningRate: lr, warmupSteps: warmup,
            lossWeights: lossWeights, objectives: settings, words: words,
            checkpointDirectory: checkpoint, checkpointEvery: checkpointEvery, resume: resume, seed: seed,
            logEvery: logEvery, threads: threads)
        let trainer = try Trainer(config: config, options: options)
        // Which records trained the model, so that `carina eval` can refuse to score it on them.
        // (Not for a --resume that will find no checkpoint: that run stops without writing anything.)
        if let checkpoint, !resume || Checkpoint.latest(in: checkpoint) != nil {
            try TrainingData(dataset: dir, splits: splits).write(toCheckpointFolder: checkpoint)
        }
        var source = LoaderBatchSource(loader: loader)
        let splitText = splits.map { $0.sorted().joined(separator: ",") } ?? "all"
        let arena = trainer.model.arena
        let buffers = arena.count > arena.trainableCount ? " (and \(arena.count - arena.trainableCount) BatchNorm statistics)" : ""
        print("train: \(config.name), \(arena.trainableCount) parameters\(buffers), \(loader.samplesPerEpoch) samples per epoch "
            + "(split \(splitText)), "
            + "batch \(loaderOptions.batchSize), \(steps) steps")
        let named = zip(LossWeights.names, [lossWeights.global, lossWeights.local, lossWeights.graph, lossWeights.token,
                                            lossWeights.prototype, lossWeights.mim, lossWeights.mlm, lossWeights.anatomy,
                                            lossWeights.pathology, lossWeights.edge, lossWeights.readout,
                                            lossWeights.caption, lossWeights.summary, lossWeights.distill]).filter { $0.1 != 0 }
        print("train: objectives " + named.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
            + (lossWeights.global != 0 || lossWeights.prototype != 0 ? ", report text \(instanceText)" : "")
            + (lossWeights.distill != 0 ? ", distillation temperature \(distillTemperature)" : "")
            + (settings.prototypeFreezeSteps > 0 ? ", prototypes frozen for \(settings.prototypeFreezeSteps) steps" : ""))
        let summary = try trainer.train(source: &source) { print($0.line) }
        if summary.startStep > 0 { print("train: resumed at step \(summary.startStep)") }
        if let first = summary.losses.first, let last = summary.losses.last {
            print(String(format: "train: loss %.4f -> %.4f over %d steps, %.0f ms/step, %.1f samples/s",
                         first.total, last.total, summary.losses.count, summary.secondsPerStep * 1000,
                         summary.samplesPerSecond))
        }
        if let path = summary.lastCheckpoint { print("train: checkpoint \(path)") }
    }
}
