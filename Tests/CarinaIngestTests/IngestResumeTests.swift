import Foundation
import Testing
import CarinaTestSupport

/// `carina ingest` killed with SIGKILL at several points, then run again: the output must be byte-identical to an
/// uninterrupted run.
@Suite(.serialized) struct IngestResumeTests {
    static let arguments = ["--size", "96", "--shard-size", "20000", "--threads", "2"]

    static func files(_ dir: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir) {
            result[name] = FileManager.default.contents(atPath: dir + "/" + name)
        }
        return result
    }

    @Test func resumesAfterSIGKILLToTheSameBytes() throws {
        let dump = try TemporaryDirectory("carina-synth")
        let made = try CarinaExecutable.run(["synth", dump.path, "--studies", "24", "--rows", "160", "--cols", "192",
                                             "--syntax", "explicitLittle,rle", "--seed", "5"])
        #expect(made.status == 0, "\(made.stderr)")
        let reference = try TemporaryDirectory()
        let full = try CarinaExecutable.run(["ingest", dump.path, "--out", reference.path] + Self.arguments)
        #expect(full.status == 0, "\(full.stderr)")
        let expected = try Self.files(reference.path)
        #expect(expected.keys.filter { $0.hasSuffix(".mds") }.count >= 3)

        for delay in [0.05, 0.15, 0.3, 0.5] {
            let out = try TemporaryDirectory()
            let process = try CarinaExecutable.start(["ingest", dump.path, "--out", out.path] + Self.arguments)
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let again = try CarinaExecutable.run(["ingest", dump.path, "--out", out.path] + Self.arguments)
            #expect(again.status == 0, "\(again.stderr)")
            let got = try Self.files(out.path)
            #expect(got.keys.sorted() == expected.keys.sorted(), "files after a kill at \(delay) s")
            for (name, data) in expected { #expect(got[name] == data, "\(name) differs after a kill at \(delay) s") }
        }
    }

    #if os(Linux)
        /// A kill can only leave files a resumed ingest recognises: every file an ingest creates in its folder, even
        /// for an instant (seen with inotify), has one of Carina's names, never a hidden temporary of Foundation's
        /// atomic writes (`.dat.nosync…`), which nothing would clean up.
        @Test func everyFileAnIngestCreatesHasCarinasName() throws {
            let dump = try TemporaryDirectory("carina-synth")
            let made = try CarinaExecutable.run(
                ["synth", dump.path, "--studies", "12", "--rows", "160", "--cols", "192", "--seed", "5"])
            #expect(made.status == 0, "\(made.stderr)")
            let out = try TemporaryDirectory()
            let watch = try CreatedFileWatch(out.path)
            let run = try CarinaExecutable.run(["ingest", dump.path, "--out", out.path] + Self.arguments)
            #expect(run.status == 0, "\(run.stderr)")
            let names = watch.names()
            #expect(names.contains("shard.00000.mds.tmp"))
            for name in names { #expect(!name.hasPrefix("."), "ingest created the hidden file \(name)") }
        }
    #endif
}
