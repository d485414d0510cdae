import Foundation
import Testing

@testable import carina

/// Every refusal of a command line: usage errors exit 64 with one line saying what the option accepts, before any
/// work is done.
@Suite struct RefusalTests {
    @Test func parserRefusals() async {
        await expectRefused(["nonsense"], "nonsense")
        await expectRefused(["ingest", "DUMP"], "--out")
        await expectRefused(["ingest", "DUMP", "--out", "O", "--bogus"], "--bogus")
        await expectRefused(["ingest", "DUMP", "--out", "O", "--format", "zip"], "zip")
        await expectRefused(["ingest", "DUMP", "--out", "O", "--image", "gif"], "gif")
        await expectRefused(["ingest", "DUMP", "--out", "O", "--transform", "log"], "log")
        await expectRefused(["ingest", "DUMP", "--out", "O", "--mode", "fancy"], "fancy")
        await expectRefused(["ingest", "DUMP", "--out", "O", "--size", "big"], "big")
        await expectRefused(["dicom", "render", "F.dcm"], "--output")
        await expectRefused(["sections", "P", "--mode", "fancy"], "fancy")
        await expectRefused(["sections", "P", "--format", "xml"], "xml")
        await expectRefused(["graph", "P", "--format", "xml"], "xml")
        await expectRefused(["graph", "P", "--source", "title"], "title")
        await expectRefused(["labels", "P", "--format", "json"], "json")
        await expectRefused(["synth", "OUT"], "--studies")
        await expectRefused(["shards", "merge", "A"], "--out")
        await expectRefused(["show", "D"], "--out")
        await expectRefused(["eval", "C"], "dir")
    }

    @Test func ingest() async {
        let base = ["ingest", "DUMP", "--out", "O"]
        await expectRefused(base + ["--size", "-1"], "--size must be 0")
        await expectRefused(base + ["--size", "9000"], "--size 9000 is larger than 8192")
        await expectRefused(base + ["--size", "8192", "--threads", "100000"], "more than half")
        await expectRefused(base + ["--views", "PA;AP"], "--views must be view positions")
        await expectRefused(base + ["--views", "PA,,AP"], "--views must be view positions")
        await expectRefused(base + ["--threads", "0"], "--threads must be at least 1")
        await expectRefused(base + ["--quality", "0"], "--quality must be in 1...100")
        await expectRefused(base + ["--quality", "101"], "--quality must be in 1...100")
        await expectRefused(base + ["--shard-size", "1000"], "--shard-size must be between")
        await expectRefused(base + ["--shard-size", "\(1 << 32)"], "--shard-size must be between")
        await expectRefused(base + ["--partition", "4/4"], "--partition: partition \"4/4\" must be i/N")
        await expectRefused(base + ["--partition", "x"], "--partition")
    }

    @Test func dicom() async {
        let base = ["dicom", "render", "F.dcm", "-o", "O.png"]
        await expectRefused(base + ["--bits", "12"], "--bits must be 8 or 16")
        await expectRefused(base + ["--size", "0"], "--size must be at least 1")
        await expectRefused(base + ["--quality", "0"], "--quality must be in 1...100")
        await expectRefused(["dicom", "render", "F.dcm", "-o", "O.jpg", "--bits", "16"], "JPEG output is 8-bit")
        await expectRefused(["dicom", "render", "F.dcm", "-o", "O.raw", "--bits", "8"], ".raw output is uint16")
    }

    @Test func shardsAndShow() async {
        await expectRefused(["shards", "cat", "D", "--index", "1", "--id", "X"], "give --index or --id, not both")
        await expectRefused(["show", "D", "--out", "S", "--page-size", "0"], "must be positive")
        await expectRefused(["show", "D", "--out", "S", "--workers", "0"], "must be positive")
    }

    @Test func synth() async {
        await expectRefused(["synth", "O", "--studies", "0"], "--studies must be at least 1")
        await expectRefused(
            ["synth", "O", "--studies", "1", "--rows", "8"], "--rows and --cols must be between 16 and 8192")
        await expectRefused(["synth", "O", "--studies", "1", "--cols", "9000"], "--rows and --cols")
        await expectRefused(["synth", "O", "--studies", "1", "--monochrome1", "2"], "--monochrome1 must be in 0...1")
        await expectRefused(
            ["synth", "O", "--studies", "1", "--syntax", "jpeg-xl"], "unknown transfer syntax \"jpeg-xl\"")
        await expectRefused(["synth", "O", "--studies", "1", "--syntax", ","], "--syntax names no transfer syntax")
    }

    @Test func stream() async {
        await expectRefused(["stream", "D", "--batch", "0"], "--batch and --workers must be at least 1")
        await expectRefused(["stream", "D", "--workers", "0"], "--batch and --workers must be at least 1")
        await expectRefused(["stream", "D", "--size", "4"], "--size at least 8")
        await expectRefused(["stream", "D", "--text-length", "1"], "--text-length at least 2")
        await expectRefused(["stream", "D", "--size", "5000"], "--size 5000 is larger than 4096")
        await expectRefused(["stream", "D", "--text-length", "9000"], "--text-length 9000 is larger than 8192")
        await expectRefused(["stream", "D", "--batch", "100000", "--size", "4096"], "more than half")
        await expectRefused(["stream", "D", "--epoch", "-1"], "--epoch must be 0 or more")
        await expectRefused(["stream", "D", "--batches", "0"], "--batches at least 1")
        await expectRefused(["stream", "D", "--rank", "2", "--world", "2"], "rank 2 is not in 0..<2")
        await expectRefused(["stream", "D", "--world", "0"], "rank 0 is not in 0..<0")
        await expectRefused(["stream", "D", "--split", "dev"], "--split must be train, validate, test")
        await expectRefused(["stream", "D", "--uncertain", "maybe"], "--uncertain must be ones, zeros or ignore")
    }

    @Test func train() async {
        let base = ["train", "/nonexistent-carina-shards"]
        await expectRefused(base + ["--steps", "0"], "--steps, --batch, --log-every and --threads must be at least 1")
        await expectRefused(base + ["--steps", "-5"], "--steps, --batch")
        await expectRefused(base + ["--batch", "0"], "--steps, --batch")
        await expectRefused(base + ["--log-every", "0"], "--steps, --batch")
        await expectRefused(base + ["--threads", "0"], "--steps, --batch")
        await expectRefused(base + ["--checkpoint-every", "-1"], "--steps, --batch")
        await expectRefused(base + ["--crop-scale", "0"], "--crop-scale must be in (0, 1]")
        await expectRefused(base + ["--crop-scale", "1.5"], "--crop-scale must be in (0, 1]")
        await expectRefused(base + ["--resume"], "--resume needs --checkpoint DIR")
        await expectRefused(base + ["--lr", "2"], "--lr must be a number in (0, 1]")
        await expectRefused(base + ["--lr", "-inf"], "--lr must be a number in (0, 1]")
        await expectRefused(base + ["--warmup", "-1"], "--warmup must be 0 or more")
        await expectRefused(base + ["--loss-weights", "1,1"], "--loss-weights must be three")
        await expectRefused(base + ["--loss-weights", "0,0,0"], "--loss-weights must be three")
        await expectRefused(base + ["--instance-text", "title"], "--instance-text must be one of")
        await expectRefused(base + ["--instance-temperature", "0"], "--instance-temperature must be positive")
        await expectRefused(base + ["--prototypes", "0"], "--prototypes must be at least 1")
        await expectRefused(base + ["--prototype-freeze-epochs", "-1"], "--prototypes must be at least 1")
        await expectRefused(base + ["--split", "dev"], "--split must be")
        await expectRefused(base + ["--uncertain", "maybe"], "--uncertain must be")
        // Checked once the model configuration is known, still before any data is read.
        await expectRefused(base + ["--objectives", "bogus=1"], "--objectives:")
        await expectRefused(base + ["--objectives", "mlm=1"], "--objectives: mlm needs mim on too")
        await expectRefused(
            base + ["--objectives", "mim=1", "--decoder", "1,2"], "--decoder must be WIDTH,DEPTH,HEADS,MLP")
        await expectRefused(base + ["--mask-ratio", "1"], "--mask-ratio must be in (0, 1)")
        await expectRefused(base + ["--word-mask-ratio", "0"], "--word-mask-ratio must be in (0, 1]")
        await expectRefused(base + ["--projection-hidden", "0"], "--projection-hidden must be at least 1")
    }

    @Test func evalAndProbe() async {
        await expectRefused(["eval", "C", "D", "--split", "dev"], "--split must be")
        await expectRefused(["eval", "C", "D", "--uncertain", "maybe"], "--uncertain must be")
        await expectRefused(["probe", "C", "D", "--fractions", "0"], "--fractions must be percentages in (0, 100]")
        await expectRefused(["probe", "C", "D", "--fractions", "1,200"], "--fractions must be percentages")
        await expectRefused(["probe", "C", "D", "--uncertain", "maybe"], "--uncertain must be ones, zeros or ignore")
        for command in ["eval", "generate", "probe"] {
            await expectRefused([command, "C", "D", "--threads", "0"], "--threads must be positive")
        }
    }

    /// Failures that are not usage errors exit 1, with one line naming the file.
    @Test func failuresExitOne() async {
        await expectRefused(["dicom", "info", "/nonexistent-carina.dcm"], status: 1, "/nonexistent-carina.dcm")
        await expectRefused(["sections", "/nonexistent-carina-reports"], status: 1, "/nonexistent-carina-reports")
        await expectRefused(["labels", "/nonexistent-carina.json"], status: 1, "/nonexistent-carina.json")
        await expectRefused(["shards", "stats", "/nonexistent-carina-shards"], status: 1, "/nonexistent-carina-shards")
        await expectRefused(
            ["eval", "/nonexistent-carina-checkpoint", "D"], status: 1, "/nonexistent-carina-checkpoint")
    }
}
