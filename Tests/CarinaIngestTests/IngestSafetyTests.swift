import Foundation
import Testing
import CarinaTestSupport
@testable import CarinaIngest

/// Ingest runs that must never lose or mix records: a resume after the dump or the options changed, two runs into one
/// folder, a report that must stay byte-identical whatever the interruption.
@Suite(.serialized) struct IngestSafetyTests {
    static let arguments = ["--size", "48", "--shard-size", "12000", "--threads", "2"]

    /// A synthetic dump of `studies` studies (real DICOMs written by DCMTK).
    static func synth(_ studies: Int, seed: Int = 3) throws -> TemporaryDirectory {
        let dump = try TemporaryDirectory("carina-synth")
        let made = try CarinaExecutable.run(["synth", dump.path, "--studies", String(studies), "--rows", "64",
                                             "--cols", "64", "--syntax", "explicitLittle", "--seed", String(seed)])
        #expect(made.status == 0, "\(made.stderr)")
        return dump
    }

    static func ingest(_ dump: String, _ out: String, _ extra: [String] = []) throws -> (status: Int32, stdout: String, stderr: String) {
        try CarinaExecutable.run(["ingest", dump, "--out", out] + arguments + extra)
    }

    /// The files under `root/files` whose names end in `suffix`, sorted.
    static func files(_ root: String, ending suffix: String) -> [String] {
        let files = (root as NSString).appendingPathComponent("files")
        let all = FileManager.default.enumerator(atPath: files)?.compactMap { $0 as? String } ?? []
        return all.filter { $0.hasSuffix(suffix) }.sorted().map { files + "/" + $0 }
    }

    static func dicoms(_ root: String) -> [String] { files(root, ending: ".dcm") }

    @Test func resumeIntoAFolderOfAChangedDumpIsRefusedNamingTheChange() throws {
        let dump = try Self.synth(6)
        let out = try TemporaryDirectory()
        #expect(try Self.ingest(dump.path, out.path).status == 0)
        // A study that sorts first is added (a copy of an existing image under a new patient).
        let first = try #require(Self.dicoms(dump.path).first)
        let added = dump.path + "/files/p10/p10000000/s10000000"
        try FileManager.default.createDirectory(atPath: added, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: first, toPath: added + "/00000000-aaaaaaaa.dcm")
        let again = try Self.ingest(dump.path, out.path)
        #expect(again.status != 0)
        #expect(again.stderr.contains("files/p10/p10000000/s10000000/00000000-aaaaaaaa.dcm was added"), "\(again.stderr)")
        #expect(again.stderr.split(separator: "\n").count == 1)
        // A removed DICOM is named too (the finished folder would otherwise say "found 6, written 7").
        try FileManager.default.removeItem(atPath: added)
        let victim = try #require(Self.dicoms(dump.path).last)
        try FileManager.default.removeItem(atPath: victim)
        let removed = try Self.ingest(dump.path, out.path)
        #expect(removed.status != 0)
        #expect(removed.stderr.contains("was removed"), "\(removed.stderr)")
    }

    @Test(arguments: [(["--image", "png8"], "--image was png16, now png8"),
                      (["--size", "256"], "--size was 48, now 256"),
                      (["--transform", "window"], "--transform was raw, now window"),
                      (["--views", "PA"], "--views was all, now PA"),
                      (["--mode", "mimic"], "--mode was clean, now mimic"),
                      (["--sections", "mimic"], "--mode was clean, now mimic"),
                      (["--pad"], "--pad was no, now yes")])
    func resumeWithOtherRecordOptionsIsRefused(extra: [String], named: String) throws {
        let dump = try Self.synth(3)
        let out = try TemporaryDirectory()
        #expect(try Self.ingest(dump.path, out.path).status == 0)
        let index = try Data(contentsOf: URL(fileURLWithPath: out.file("index.json")))
        let again = try Self.ingest(dump.path, out.path, extra)
        #expect(again.status != 0)
        #expect(again.stderr.contains(named), "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out.file("index.json"))) == index)
    }

    /// A file the first run's record depends on, removed before the same command runs again.
    struct RemovedFile: Sendable, CustomTestStringConvertible {
        var studies: Int
        /// In the output folder, else in the dump.
        var inOutput: Bool
        var name: String
        /// What the refusal must say.
        var named: String
        var testDescription: String { name }
    }

    /// The dump's label CSV (the labels would come from elsewhere), and the output's fingerprint (the folder may then
    /// hold another dataset).
    @Test(arguments: [
        RemovedFile(studies: 3, inOutput: false, name: "mimic-cxr-2.0.0-chexpert.csv.gz",
                    named: "the labels came from mimic-cxr-2.0.0-chexpert.csv, now from carina"),
        RemovedFile(studies: 2, inOutput: true, name: IngestFingerprint.fileName,
                    named: "without carina.fingerprint.tsv"),
    ])
    func resumeAfterAFileOfTheFirstRunIsRemovedIsRefused(removed: RemovedFile) throws {
        let dump = try Self.synth(removed.studies)
        let out = try TemporaryDirectory()
        #expect(try Self.ingest(dump.path, out.path).status == 0)
        try FileManager.default.removeItem(atPath: (removed.inOutput ? out.path : dump.path) + "/" + removed.name)
        let again = try Self.ingest(dump.path, out.path)
        #expect(again.status != 0)
        #expect(again.stderr.contains(removed.named), "\(again.stderr)")
    }

    @Test func theSameCommandAgainOnAFinishedFolderStillSucceeds() throws {
        let dump = try Self.synth(3)
        let out = try TemporaryDirectory()
        #expect(try Self.ingest(dump.path, out.path).status == 0)
        let again = try Self.ingest(dump.path, out.path, ["--threads", "1"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("3 written"))
    }

    @Test func theSameCommandAgainOnAFinishedFolderWhoseLastImagesFailedStillSucceeds() throws {
        let dump = try Self.synth(3)
        let out = try TemporaryDirectory()
        // Every record is larger than this shard limit: each image fails after it is encoded.
        let first = try Self.ingest(dump.path, out.path, ["--shard-size", "2000"])
        #expect(first.stdout.contains("0 written, 0 skipped, 3 failed"), "\(first.stdout)")
        let report = try Data(contentsOf: URL(fileURLWithPath: out.file("ingest-report.tsv")))
        let again = try Self.ingest(dump.path, out.path, ["--shard-size", "2000"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("0 written, 0 skipped, 3 failed"), "\(again.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out.file("ingest-report.tsv"))) == report)
    }

    @Test func aSecondIngestIntoALockedFolderIsRefused() throws {
        let dump = try Self.synth(2)
        let out = try TemporaryDirectory()
        var lock: OutputLock? = try OutputLock(directory: out.path)
        let second = try Self.ingest(dump.path, out.path)
        #expect(lock != nil)
        #expect(second.status != 0)
        #expect(second.stderr.contains("is being written by another carina ingest"), "\(second.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.file("ingest-report.tsv")))
        lock = nil
        #expect(try Self.ingest(dump.path, out.path).status == 0)
    }

    @Test func twoConcurrentIngestsNeverBothSucceed() throws {
        let dump = try Self.synth(12)
        let out = try TemporaryDirectory()
        func start() throws -> Process {
            try CarinaExecutable.start(["ingest", dump.path, "--out", out.path] + Self.arguments)
        }
        let a = try start(), b = try start()
        a.waitUntilExit()
        b.waitUntilExit()
        let statuses = [a.terminationStatus, b.terminationStatus]
        // Either one was refused, or the second started after the first had finished (then it resumed a finished folder).
        let report = try String(contentsOfFile: out.file("ingest-report.tsv"), encoding: .utf8)
        #expect(statuses.contains(0))
        #expect(report.split(separator: "\n").count == 13, "\(report)")
        let verify = try CarinaExecutable.run(["shards", "verify", out.path])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func reportStaysByteIdenticalAfterAKillBeforeTheFirstShard() throws {
        let dump = try Self.synth(4)
        let reference = try TemporaryDirectory()
        #expect(try Self.ingest(dump.path, reference.path, ["--shard-size", "10000000"]).status == 0)
        let expected = try Data(contentsOf: URL(fileURLWithPath: reference.file("ingest-report.tsv")))
        // The state a kill leaves before any shard is renamed: the report has lines, no shard is durable; and a line
        // cut short by a full disk.
        let out = try TemporaryDirectory()
        #expect(try Self.ingest(dump.path, out.path, ["--shard-size", "10000000"]).status == 0)
        for name in try FileManager.default.contentsOfDirectory(atPath: out.path)
        where name.hasPrefix("shard.") || name == "index.json" || name == "ingest-summary.json" {
            try FileManager.default.removeItem(atPath: out.file(name))
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out.file("ingest-report.tsv")))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("abc\twrit".utf8))
        try handle.close()
        let again = try Self.ingest(dump.path, out.path, ["--shard-size", "10000000"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out.file("ingest-report.tsv"))) == expected)
    }

    static func reports(_ root: String) -> [String] { files(root, ending: ".txt") }

    @Test func missingEmptyAndNonTextReportsAreCountedAndAnAbsurdOneIsRefusedWithItsSize() throws {
        let dump = try Self.synth(6)
        let reports = Self.reports(dump.path)
        try FileManager.default.removeItem(atPath: reports[0])
        try Data().write(to: URL(fileURLWithPath: reports[1]))
        try Data([0xFF, 0xFE, 0x46, 0x00, 0x49, 0x00]).write(to: URL(fileURLWithPath: reports[2]))
        try Data(repeating: 0x61, count: 3 << 20).write(to: URL(fileURLWithPath: reports[3]))
        let out = try TemporaryDirectory()
        let run = try Self.ingest(dump.path, out.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("1 studies have no report file"), "\(run.stdout)")
        #expect(run.stdout.contains("1 studies have an empty report file"))
        #expect(run.stdout.contains("1 studies have a report that is not UTF-8 text"))
        #expect(run.stderr.contains("is 3145728 bytes"), "\(run.stderr)")
        #expect(run.stdout.contains("5 written, 0 skipped, 1 failed"), "\(run.stdout)")
        let notices = try String(contentsOfFile: out.file("ingest-notices.tsv"), encoding: .utf8)
        #expect(notices.contains("report-missing\t" + String(reports[0].dropFirst(dump.path.count + 1))), "\(notices)")
        let summary = try String(contentsOfFile: out.file("ingest-summary.json"), encoding: .utf8)
        #expect(summary.contains("\"report-empty\" : 1"), "\(summary)")
        // the shard limit is kept: no record is larger than a real report allows
        let verify = try CarinaExecutable.run(["shards", "verify", out.path])
        #expect(verify.status == 0)
    }
}
