import Foundation
import Testing
import CarinaTestSupport

/// Absurd or mistaken command lines: each is refused with one line on stderr that says what to do, usage errors with
/// exit status 64, and nothing is allocated or trained first.
@Suite(.serialized) struct CommandLineErrorTests {
    /// A small ingested dataset shared by the cases.
    static let fixture: Result<(dump: TemporaryDirectory, out: TemporaryDirectory), any Error> = Result {
        let dump = try TemporaryDirectory("carina-synth")
        _ = try CarinaExecutable.run(["synth", dump.path, "--studies", "6", "--rows", "48", "--cols", "48",
                                      "--syntax", "explicitLittle", "--seed", "2"])
        let out = try TemporaryDirectory()
        let made = try CarinaExecutable.run(["ingest", dump.path, "--out", out.path, "--size", "32"])
        guard made.status == 0 else { throw CocoaError(.fileReadUnknown) }
        return (dump, out)
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let (dump, out) = try fixture.get()
        return try CarinaExecutable.run(arguments.map {
            $0.replacingOccurrences(of: "DUMP", with: dump.path).replacingOccurrences(of: "OUT", with: out.path)
        })
    }

    @Test(arguments: [
        (["stream", "OUT", "--size", "100000"], 64, "--size 100000 is larger than 4096"),
        (["stream", "OUT", "--batch", "100000", "--size", "4096"], 64, "of batch tensors"),
        (["ingest", "DUMP", "--out", "/tmp/carina-never", "--size", "100000"], 64, "--size 100000 is larger than 8192"),
        (["stream", "OUT", "--key-column", "nope"], 64, "--key-column nope: "),
        (["stream", "OUT", "--impression-column", "nope"], 64, "--impression-column nope: "),
        (["ingest", "DUMP", "--out", "/tmp/carina-never", "--views", "FOO"], 64, "--views FOO matches none"),
        (["ingest", "DUMP", "--out", "/tmp/carina-never", "--views", "P;A"], 64, "--views must be view positions"),
        (["train", "OUT", "--lr", "1e30"], 64, "--lr must be a number in (0, 1]"),
        (["train", "OUT", "--lr", "nan"], 64, "--lr must be a number in (0, 1]"),
        (["train", "OUT", "--steps", "-5"], 64, "--steps, --batch"),
        (["stream", "OUT", "--batch", "-3"], 64, "--batch and --workers must be at least 1"),
        (["train", "OUT", "--loss-weights", "1,nan,1"], 64, "--loss-weights must be three"),
        (["train", "OUT", "--projection-norm", "layer"], 64, "--projection-norm must be none or batch"),
        (["train", "OUT", "--projection-norm", "batch", "--steps", "1"], 64, "--projection-norm batch needs 2-layer heads"),
        (["train", "OUT", "--mim-target-scale", "2", "--steps", "1"], 64, "--mim-target-scale is masked image modelling's target"),
        (["stream", "OUT", "--resume", "/nonexistent/state.json"], 1, "/nonexistent/state.json: no such file or folder"),
        (["ingest", "DUMP", "--out", "/proc/carina/out"], 1, "/proc/carina/out: no such file or folder"),
        (["eval", "/nonexistent.ckpt", "OUT"], 1, "/nonexistent.ckpt"),
    ] as [([String], Int32, String)])
    func refusedWithOneLine(arguments: [String], status: Int32, message: String) throws {
        let result = try Self.run(arguments)
        #expect(result.status == status, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.contains("Error Domain"))
    }

    @Test func resumeWithAnEmptyCheckpointFolderDoesNotStartFromScratch() throws {
        let checkpoints = try TemporaryDirectory("carina-ckpt")
        let result = try Self.run(["train", "OUT", "--checkpoint", checkpoints.path, "--resume", "--steps", "1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("holds no checkpoint"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).isEmpty)
    }

    @Test func aLoaderStateDoesNotResumeOnAnotherDataset() throws {
        let (dump, out) = try Self.fixture.get()
        let state = try TemporaryDirectory("carina-state")
        let saved = try Self.run(["stream", "OUT", "--batch", "2", "--batches", "1", "--save-state", state.file("s.json")])
        #expect(saved.status == 0, "\(saved.stderr)")
        let other = try TemporaryDirectory()
        #expect(try CarinaExecutable.run(["ingest", dump.path, "--out", other.path, "--size", "40"]).status == 0)
        let resumed = try CarinaExecutable.run(["stream", other.path, "--resume", state.file("s.json")])
        #expect(resumed.status == 1)
        #expect(resumed.stderr.contains("was saved while streaming another dataset"), "\(resumed.stderr)")
        let same = try CarinaExecutable.run(["stream", out.path, "--batch", "2", "--resume", state.file("s.json")])
        #expect(same.status == 0, "\(same.stderr)")
    }

    @Test func skipCorruptPrintsTheCount() throws {
        let result = try Self.run(["stream", "OUT", "--batch", "2", "--skip-corrupt"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("stream: 0 corrupt sample(s) skipped"), "\(result.stdout)")
    }

    @Test func evalRefusesADivergedCheckpoint() throws {
        let checkpoints = try TemporaryDirectory("carina-ckpt")
        let trained = try Self.run(["train", "OUT", "--steps", "1", "--checkpoint", checkpoints.path, "--threads", "2"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let path = try #require(try FileManager.default.contentsOfDirectory(atPath: checkpoints.path)
            .first { $0.hasSuffix(".ckpt") })
        var bytes = try Data(contentsOf: URL(fileURLWithPath: checkpoints.path + "/" + path))
        bytes[bytes.count / 2 + 3] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: checkpoints.path + "/" + path))
        let scored = try Self.run(["eval", checkpoints.path, "OUT", "--split", "all", "--allow-training-records"])
        #expect(scored.status == 1)
        #expect(scored.stderr.contains("CRC-32C"), "\(scored.stderr)")
    }
}
