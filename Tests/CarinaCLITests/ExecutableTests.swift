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
}
