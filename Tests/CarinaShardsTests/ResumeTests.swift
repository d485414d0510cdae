@testable import CarinaShards
import CarinaTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Crash safety: a writer process killed with SIGKILL at every file-writing step, then resumed, leaves the same bytes
/// as an uninterrupted run.
@Suite struct ResumeTests {
    static let caseName = "record-3shards"

    /// Writes the golden record samples into `directory`, resuming, and SIGKILLs itself at step `killAt` (if any).
    static func run(directory: String, killAt: Int?) throws {
        let golden = try GoldenCase(caseName)
        let writer = try MDSShardWriter(directory: directory, columns: golden.columns, sizeLimit: golden.sizeLimit,
                                        hashes: ["sha1"], resume: true)
        var steps = 0
        writer.onStep = { _ in
            if steps == killAt { kill(getpid(), SIGKILL) }
            steps += 1
        }
        for sample in golden.samples.dropFirst(writer.durableSampleCount) { try writer.write(sample) }
        try writer.finish()
    }

    /// The number of steps an uninterrupted run takes, and its folder.
    static func reference() throws -> (steps: Int, files: [String: [UInt8]], dir: TemporaryDirectory) {
        let dir = try TemporaryDirectory("resume-ref")
        let golden = try GoldenCase(caseName)
        let writer = try MDSShardWriter(directory: dir.path, columns: golden.columns, sizeLimit: golden.sizeLimit,
                                        hashes: ["sha1"])
        var steps = 0
        writer.onStep = { _ in steps += 1 }
        for sample in golden.samples { try writer.write(sample) }
        try writer.finish()
        return (steps, try folderContents(dir.path), dir)
    }

    @Test func killedAtEveryStepThenResumedIsByteIdentical() async throws {
        let reference = try Self.reference()
        #expect(reference.steps > 20)
        for killAt in 0..<reference.steps {
            let out = try TemporaryDirectory("resume")
            let path = out.path
            await #expect(processExitsWith: .signal(SIGKILL), "kill at step \(killAt)") { [path = path as String, killAt = killAt as Int] in
                try ResumeTests.run(directory: path, killAt: killAt)
            }
            #expect(FileManager.default.fileExists(atPath: path + "/index.json") == (killAt >= reference.steps - 2),
                    "index.json exists only once it is renamed (step \(killAt))")
            try Self.run(directory: path, killAt: nil)
            let files = try folderContents(path)
            #expect(files == reference.files, "resumed after a kill at step \(killAt) differs")
        }
    }

    @Test func killedTwiceThenResumedIsByteIdentical() async throws {
        let reference = try Self.reference()
        let out = try TemporaryDirectory("resume-twice")
        let path = out.path
        await #expect(processExitsWith: .signal(SIGKILL)) { [path = path as String] in try ResumeTests.run(directory: path, killAt: 4) }
        await #expect(processExitsWith: .signal(SIGKILL)) { [path = path as String] in try ResumeTests.run(directory: path, killAt: 5) }
        try Self.run(directory: path, killAt: nil)
        #expect(try folderContents(path) == reference.files)
    }

    @Test func resumeReportsDurableSamplesAfterEachCompletedShard() throws {
        let golden = try GoldenCase(Self.caseName)
        let out = try TemporaryDirectory("resume-count")
        let writer = try MDSShardWriter(directory: out.path, columns: golden.columns, sizeLimit: golden.sizeLimit)
        for sample in golden.samples.prefix(3) { try writer.write(sample) }
        // Abandoned without finish(): the completed shards are durable, the cached samples are not.
        let index = try MDSIndex(directory: golden.expectedDirectory)
        let completed = index.shards.prefix { $0.samples > 0 }.reduce(into: (0, 0)) { acc, s in
            if acc.1 + s.samples < 3 { acc.0 += s.samples }
            acc.1 += s.samples
        }.0
        let resumed = try MDSShardWriter(directory: out.path, columns: golden.columns, sizeLimit: golden.sizeLimit, resume: true)
        #expect(resumed.durableSampleCount == completed)
        #expect(resumed.durableSampleCount > 0)
    }

    @Test func resumeWithOtherOptionsIsRefused() throws {
        let golden = try GoldenCase(Self.caseName)
        let out = try TemporaryDirectory("resume-conflict")
        let writer = try MDSShardWriter(directory: out.path, columns: golden.columns, sizeLimit: golden.sizeLimit)
        for sample in golden.samples { try writer.write(sample) }
        let error = #expect(throws: ShardError.self) {
            _ = try MDSShardWriter(directory: out.path, columns: golden.columns, sizeLimit: 999_999, resume: true)
        }
        #expect(error?.code == .conflict)
        let fresh = #expect(throws: ShardError.self) {
            _ = try MDSShardWriter(directory: out.path, columns: golden.columns, sizeLimit: golden.sizeLimit)
        }
        #expect(fresh?.code == .conflict)
    }

    @Test func resumingAFinishedDatasetKeepsItAndRefusesMoreSamples() throws {
        let golden = try GoldenCase(Self.caseName)
        let out = try TemporaryDirectory("resume-finished")
        let writer = try MDSShardWriter(directory: out.path, columns: golden.columns, sizeLimit: golden.sizeLimit)
        for sample in golden.samples { try writer.write(sample) }
        try writer.finish()
        let before = try folderContents(out.path)
        let again = try MDSShardWriter(directory: out.path, columns: golden.columns, sizeLimit: golden.sizeLimit, resume: true)
        #expect(again.durableSampleCount == golden.samples.count)
        #expect(throws: ShardError.self) { try again.write(golden.samples[0]) }
        try again.finish()
        #expect(try folderContents(out.path) == before)
    }
}

@Suite struct ResumeDamageTests {
    @Test func aListedShardChangedAfterTheInterruptionIsRefused() throws {
        let golden = try GoldenCase("record-3shards")
        let out = try TemporaryDirectory("resume-damaged")
        let writer = try MDSShardWriter(directory: out.path, columns: golden.columns, sizeLimit: golden.sizeLimit)
        for sample in golden.samples.prefix(5) { try writer.write(sample) }
        // Interrupted (no finish); then the first shard loses its tail.
        let shard = out.file("shard.00000.mds")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: shard))
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: shard))
        let error = #expect(throws: ShardError.self) {
            _ = try MDSShardWriter(directory: out.path, columns: golden.columns, sizeLimit: golden.sizeLimit, resume: true)
        }
        #expect(error?.code == .malformed)
        #expect(error?.message.contains("shard.00000.mds") == true)
    }

    @Test func unrelatedFilesInTheFolderAreLeftAlone() throws {
        let golden = try GoldenCase("record-3shards")
        let out = try TemporaryDirectory("resume-unrelated")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: out.file("notes.tmp")))
        let writer = try MDSShardWriter(directory: out.path, columns: golden.columns, sizeLimit: golden.sizeLimit)
        for sample in golden.samples.prefix(5) { try writer.write(sample) }
        try Data("half".utf8).write(to: URL(fileURLWithPath: out.file("shard.00009.mds.tmp")))
        _ = try MDSShardWriter(directory: out.path, columns: golden.columns, sizeLimit: golden.sizeLimit, resume: true)
        #expect(FileManager.default.fileExists(atPath: out.file("notes.tmp")))
        #expect(!FileManager.default.fileExists(atPath: out.file("shard.00009.mds.tmp")))
    }
}
