import CarinaTestSupport
import Foundation
import Testing

/// The built `carina` binary, run as a user runs it.
@Suite struct ExecutableTests {
    @Test func versionAndHelp() throws {
        let version = try CarinaExecutable.run(["--version"])
        #expect(version.status == 0 && version.stdout == "0.1.0\n")
        let help = try CarinaExecutable.run(["help", "ingest"])
        #expect(help.status == 0)
        for option in ["--out", "--format", "--image", "--size", "--partition", "--split-folders"] {
            #expect(help.stdout.contains(option), "\(option) missing from carina help ingest")
        }
    }

    @Test func usageErrorIsOneLineAndExits64() throws {
        let result = try CarinaExecutable.run(["ingest", "DUMP", "--out", "O", "--quality", "0"])
        #expect(result.status == 64)
        #expect(result.stderr == "Error: --quality must be in 1...100\n")
        #expect(result.stdout.isEmpty)
        let negative = try CarinaExecutable.run(["train", "D", "--steps", "-5"])
        #expect(negative.status == 64 && negative.stderr.hasPrefix("Error: --steps, --batch"), "\(negative.stderr)")
    }

    @Test func missingFileExitsOne() throws {
        let result = try CarinaExecutable.run(["dicom", "info", "/nonexistent-carina.dcm"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("Error: ") && result.stderr.contains("/nonexistent-carina.dcm"))
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test func sectionsOfASampleReport() throws {
        let report = SharedData.sample("mimic-cxr-mini/files/p11/p11000011/s55902471.txt")
        let result = try CarinaExecutable.run(["sections", report, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(json?["sections"] != nil, "\(result.stdout)")
    }

    /// Every displayed option of every command (its first long name; later names are aliases) is in the README's
    /// command synopsis, on the lines of its command.
    @Test func readmeSynopsisListsEveryOption() throws {
        let dump = try CarinaExecutable.run(["--experimental-dump-help"])
        #expect(dump.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        let readme = try String(
            contentsOf: SharedData.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "```\ncarina ingest DUMP"))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        // Each synopsis entry runs from `carina NAME` to the next `carina ` at a line start or after ` ;  `.
        var entries: [String: String] = [:]
        let synopsis = readme[readme.index(start.lowerBound, offsetBy: 4)..<end.lowerBound].replacingOccurrences(
            of: " ;  carina ", with: "\ncarina ")
        var current = ""
        for line in synopsis.split(separator: "\n") {
            if line.hasPrefix("carina ") {
                let words = line.split(separator: " ")
                current = words[1] == "shards" || words[1] == "dicom" ? "\(words[1]) \(words[2])" : String(words[1])
            }
            entries[current, default: ""] += " " + line
        }
        var checked = 0
        func visit(_ command: [String: Any], path: [String]) {
            let name = command["commandName"] as? String ?? ""
            let here = path + [name]
            for case let argument as [String: Any] in command["arguments"] as? [Any] ?? [] {
                guard argument["shouldDisplay"] as? Bool ?? true,
                    ["option", "flag"].contains(argument["kind"] as? String),
                    let long = (argument["names"] as? [[String: Any]])?.first(where: { $0["kind"] as? String == "long" }
                    )?["name"] as? String,
                    !["help", "version"].contains(long)
                else { continue }
                let key = here.dropFirst().joined(separator: " ")
                #expect(entries[key]?.contains("--\(long)") == true, "README synopsis of carina \(key) lacks --\(long)")
                checked += 1
            }
            for case let sub as [String: Any] in command["subcommands"] as? [Any] ?? []
            where sub["commandName"] as? String != "help" {
                visit(sub, path: here)
            }
        }
        visit(try #require(root["command"] as? [String: Any]), path: [])
        #expect(checked > 100)
    }
}
