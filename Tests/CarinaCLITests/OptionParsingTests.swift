import ArgumentParser
import Foundation
import Testing

@testable import carina

/// Every option of every command, given on one command line, lands in the command's field.
@Suite struct OptionParsingTests {
    @Test func ingest() throws {
        let c = try parse(
            [
                "ingest", "DUMP", "--out", "OUT", "--format", "wds", "--image", "png8", "--reports", "R.zip",
                "--reencode-jpeg", "--strict", "--keep-viewless", "--size", "0", "--pad", "--transform", "window",
                "--quality", "80", "--views", "PA,AP", "--threads", "2", "--partition", "1/4", "--mode", "mimic",
                "--shard-size", "2048", "--radgraph", "G.json", "--drop-cache", "--split-folders",
            ], as: IngestCommand.self)
        #expect(c.dump == "DUMP" && c.out == "OUT" && c.format == .wds && c.image?.rawValue == "png8")
        #expect(c.reports == "R.zip" && c.reencodeJpeg && c.strict && c.keepViewless && c.size == 0 && c.pad)
        #expect(c.transform.rawValue == "window" && c.quality == 80 && c.views == "PA,AP" && c.threads == 2)
        #expect(c.partition == "1/4" && c.mode.rawValue == "mimic" && c.shardSize == 2048)
        #expect(c.radgraph == "G.json" && c.dropCache && c.splitFolders)
        let d = try parse(["ingest", "DUMP", "--out", "OUT"], as: IngestCommand.self)
        #expect(d.format == .mds && d.image == nil && d.size == 512 && !d.pad && d.partition == "0/1")
        #expect(d.mode.rawValue == "clean" && d.shardSize == 1 << 26 && d.quality == 95)
        // --sections, the option's earlier name, stays an alias.
        #expect(
            try parse(["ingest", "D", "--out", "O", "--sections", "mimic"], as: IngestCommand.self).mode.rawValue
                == "mimic")
    }

    @Test func dicom() throws {
        let info = try parse(["dicom", "info", "F.dcm", "--json"], as: DicomInfoCommand.self)
        #expect(info.file == "F.dcm" && info.json)
        let r = try parse(
            [
                "dicom", "render", "F.dcm", "-o", "O.png", "--transform", "mimic-jpg", "--bits", "8", "--size", "256",
                "--pad", "--quality", "90", "--frame", "1", "--threads", "2",
            ], as: DicomRenderCommand.self)
        #expect(r.file == "F.dcm" && r.output == "O.png" && r.transform.rawValue == "mimic-jpg" && r.bits == 8)
        #expect(r.size == 256 && r.pad && r.quality == 90 && r.frame == 1 && r.threads == 2)
        #expect(r.encoding.rawValue == "png8")
        // --pad-square, the option's earlier name, stays an alias.
        #expect(
            try parse(["dicom", "render", "F.dcm", "-o", "O.png", "--pad-square"], as: DicomRenderCommand.self).pad)
        #expect(try !parse(["dicom", "render", "F.dcm", "-o", "O.png"], as: DicomRenderCommand.self).pad)
        #expect(
            try parse(["dicom", "render", "F.dcm", "--output", "O.jpg"], as: DicomRenderCommand.self).encoding.rawValue
                == "jpeg8")
        #expect(
            try parse(["dicom", "render", "F.dcm", "-o", "O.raw"], as: DicomRenderCommand.self).encoding.rawValue
                == "raw16")
        #expect(
            try parse(["dicom", "render", "F.dcm", "-o", "O.png"], as: DicomRenderCommand.self).encoding.rawValue
                == "png16")
    }

    @Test func sections() throws {
        let c = try parse(
            ["sections", "P", "--mode", "mimic", "--format", "csv", "--stats", "--out", "D", "--no-split"],
            as: SectionsCommand.self)
        #expect(c.path == "P" && c.mode.rawValue == "mimic" && c.format == .csv && c.stats && c.out == "D" && c.noSplit)
        let d = try parse(["sections", "P"], as: SectionsCommand.self)
        #expect(d.mode.rawValue == "clean" && d.format == .text && !d.stats && d.out == nil && !d.noSplit)
        for format in ["text", "json", "csv", "conclusions"] {
            #expect(
                try parse(["sections", "P", "--format", format], as: SectionsCommand.self).format.rawValue == format)
        }
    }

    @Test func graphAndLabels() throws {
        let g = try parse(["graph", "P", "--format", "json", "--source", "report"], as: GraphCommand.self)
        #expect(g.input.path == "P" && g.format == .json && g.input.source.rawValue == "report")
        let dg = try parse(["graph", "P"], as: GraphCommand.self)
        #expect(dg.format == .radgraph && dg.input.source.rawValue == "impression")
        let l = try parse(["labels", "P", "--format", "csv", "--source", "report"], as: LabelsCommand.self)
        #expect(l.input.path == "P" && l.format == .csv && l.input.source.rawValue == "report")
    }

    @Test func shards() throws {
        let stats = try parse(["shards", "stats", "D", "--no-verify", "--json"], as: ShardsStats.self)
        #expect(stats.options.dir == "D" && stats.options.noVerify && stats.json)
        let verify = try parse(["shards", "verify", "D", "--no-verify"], as: ShardsVerify.self)
        #expect(verify.dir == "D" && verify.noVerify)
        // --allow-missing-sidecars, the option's earlier name, stays an alias.
        #expect(try parse(["shards", "verify", "D", "--allow-missing-sidecars"], as: ShardsVerify.self).noVerify)
        #expect(try !parse(["shards", "verify", "D"], as: ShardsVerify.self).noVerify)
        let ls = try parse(["shards", "ls", "D", "--no-verify", "--shards-only"], as: ShardsList.self)
        #expect(ls.options.dir == "D" && ls.options.noVerify && ls.shardsOnly)
        let cat = try parse(["shards", "cat", "D", "--index", "3", "--json"], as: ShardsCat.self)
        #expect(cat.options.dir == "D" && cat.index == 3 && cat.id == nil && cat.json)
        #expect(try parse(["shards", "cat", "D", "--id", "X"], as: ShardsCat.self).id == "X")
        let merge = try parse(["shards", "merge", "A", "B", "--out", "O"], as: ShardsMerge.self)
        #expect(merge.dirs == ["A", "B"] && merge.out == "O")
        let export = try parse(["shards", "export-wds", "D", "--out", "W", "--no-verify"], as: ShardsExportWDS.self)
        #expect(export.options.dir == "D" && export.out == "W" && export.options.noVerify)
    }

    @Test func synth() throws {
        let c = try parse(
            [
                "synth", "OUT", "--studies", "3", "--rows", "64", "--cols", "48", "--syntax", "mixed", "--seed", "7",
                "--monochrome1", "0.5", "--jpg", "--reports-zip", "--threads", "2",
            ], as: SynthCommand.self)
        #expect(c.out == "OUT" && c.studies == 3 && c.rows == 64 && c.cols == 48 && c.syntax == "mixed" && c.seed == 7)
        #expect(c.monochrome1 == 0.5 && c.jpg && c.reportsZip && c.threads == 2)
        #expect(try c.syntaxes().count > 1)
        let d = try parse(["synth", "OUT", "--studies", "1"], as: SynthCommand.self)
        #expect(try d.syntaxes().map(\.rawValue) == [d.syntax])
    }

    @Test func show() throws {
        let c = try parse(
            [
                "show", "D", "--out", "S", "--page-size", "10", "--thumbnail-size", "64", "--image-size", "256",
                "--workers", "2", "--rewrite-images", "--no-verify",
            ], as: ShowCommand.self)
        #expect(c.dir == "D" && c.out == "S" && c.pageSize == 10 && c.thumbnailSize == 64 && c.imageSize == 256)
        #expect(c.workers == 2 && c.rewriteImages && c.noVerify)
    }

    @Test func stream() throws {
        let c = try parse(
            [
                "stream", "D", "--batch", "4", "--seed", "3", "--epoch", "1", "--rank", "1", "--world", "2",
                "--resume", "S.state", "--save-state", "T.state", "--batches", "5", "--size", "64", "--text-length",
                "32",
                "--vocab", "V.txt", "--workers", "2", "--skip-corrupt", "--no-augment", "--bench", "--no-decode",
                "--no-verify", "--impression-column", "none", "--findings-column", "f", "--key-column", "k",
                "--split", "train,test", "--uncertain", "zeros", "--show-batch", "--graph-fields",
            ], as: StreamCommand.self)
        #expect(c.dir == "D" && c.loaderFlags.batch == 4 && c.seed == 3 && c.epoch == 1 && c.rank == 1 && c.world == 2)
        #expect(
            c.resume == "S.state" && c.saveState == "T.state" && c.batches == 5 && c.size == 64 && c.textLength == 32)
        #expect(c.loaderFlags.vocab == "V.txt" && c.workers == 2 && c.skipCorrupt && c.noAugment && c.bench && c.noDecode)
        #expect(c.noVerify && c.impressionColumn == "none" && c.findingsColumn == "f" && c.keyColumn == "k")
        #expect(try c.selection.splits(default: "all") == ["train", "test"] && c.showBatch && c.graphFields)
        #expect(try c.selection.uncertainPolicy().rawValue == "zeros")
        let d = try parse(["stream", "D"], as: StreamCommand.self)
        #expect(try d.selection.splits(default: "all") == nil && d.loaderFlags.batch == 32 && d.size == 224 && d.textLength == 128)
    }

    @Test func train() throws {
        let c = try parse(
            [
                "train", "D", "--steps", "5", "--batch", "4", "--checkpoint", "C", "--checkpoint-every", "2",
                "--resume",
                "--model", "M.json", "--lr", "0.001", "--warmup", "1", "--loss-weights", "1,0,1", "--objectives",
                "mgca",
                "--instance-text", "both", "--instance-temperature", "0.07", "--prototypes", "8", "--projection-hidden",
                "16",
                "--decoder", "64,1,2,128", "--mask-ratio", "0.5", "--word-mask-ratio", "0.25",
                "--prototype-freeze-epochs", "0",
                "--crop-scale", "0.5", "--seed", "9", "--log-every", "2", "--threads", "2", "--vocab", "V.txt",
                "--split", "validate", "--uncertain", "ignore",
            ], as: TrainCommand.self)
        #expect(
            c.dir == "D" && c.steps == 5 && c.loaderFlags.batch == 4 && c.checkpoint == "C" && c.checkpointEvery == 2 && c.resume)
        #expect(
            c.model == "M.json" && c.lr == 0.001 && c.warmup == 1 && c.lossWeights == "1,0,1" && c.objectives == "mgca")
        #expect(
            c.instanceText == "both" && c.instanceTemperature == 0.07 && c.prototypes == 8 && c.projectionHidden == 16)
        #expect(
            c.decoder == "64,1,2,128" && c.maskRatio == 0.5 && c.wordMaskRatio == 0.25 && c.prototypeFreezeEpochs == 0)
        #expect(c.cropScale == 0.5 && c.seed == 9 && c.logEvery == 2 && c.threads == 2 && c.loaderFlags.vocab == "V.txt")
        #expect(try c.selection.splits(default: "train") == ["validate"])
        #expect(try c.selection.uncertainPolicy().rawValue == "ignore")
        #expect(try parse(["train", "D"], as: TrainCommand.self).selection.splits(default: "train") == ["train"])
    }

    @Test func eval() throws {
        let c = try parse(
            [
                "eval", "C", "D", "--batch", "4", "--vocab", "V.txt", "--seed", "2", "--json", "--split", "validate",
                "--uncertain", "zeros", "--allow-training-records", "--reconstruction", "R.png", "--instance-text",
                "findings", "--threads", "1",
            ], as: EvalCommand.self)
        #expect(c.checkpoint == "C" && c.dir == "D" && c.loaderFlags.batch == 4 && c.loaderFlags.vocab == "V.txt" && c.seed == 2 && c.json)
        #expect(try c.selection.splits(default: "test") == ["validate"] && c.allowTrainingRecords)
        #expect(c.reconstruction == "R.png" && c.instanceText == "findings" && c.computeThreads.threads == 1)
    }

    @Test func probe() throws {
        let c = try parse(
            [
                "probe", "untrained:carina-tiny", "D", "--train-split", "validate", "--test-split", "train",
                "--fractions", "5,50", "--seed", "4", "--uncertain", "ignore", "--batch", "8", "--vocab", "V.txt",
                "--json", "--threads", "1",
            ], as: ProbeCommand.self)
        #expect(c.checkpoint == "untrained:carina-tiny" && c.dir == "D" && c.trainSplit == "validate")
        #expect(c.testSplit == "train" && c.fractions == "5,50" && c.seed == 4 && c.uncertain == "ignore")
        #expect(c.loaderFlags.batch == 8 && c.loaderFlags.vocab == "V.txt" && c.json && c.computeThreads.threads == 1)
    }

    /// `--steps -5` reaches the command's own check (a usage error saying what is allowed), not the parser's
    /// "unknown option".
    @Test func negativeNumbersAreValues() throws {
        #expect(
            CommandLineValues.joiningNegativeNumbers(["--steps", "-5", "--", "--x", "-1"])
                == ["--steps=-5", "--", "--x", "-1"])
        #expect(CommandLineValues.joiningNegativeNumbers(["--lr", "-inf"]) == ["--lr=-inf"])
        #expect(CommandLineValues.joiningNegativeNumbers(["--flag", "-o", "x"]) == ["--flag", "-o", "x"])
    }
}
