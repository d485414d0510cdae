import ArgumentParser
import CarinaCore
import CarinaDICOM
import CarinaSynth
import Foundation

struct SynthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a synthetic MIMIC-CXR-shaped (or, with --jpg, MIMIC-CXR-JPG-shaped) dump.",
        discussion: """
            Real DICOM files written through DCMTK (phantom chests whose findings are drawn where the report puts \
            them), reports in the MIMIC-CXR text layout, and the metadata, split and chexpert CSVs. The same seed \
            gives the same bytes.
            """
    )

    @Argument(help: "Output folder (the dump root).") var out: String
    @Option(help: "Number of studies.") var studies: Int
    @Option(help: "Image rows.") var rows: Int = 2544
    @Option(help: "Image columns.") var cols: Int = 3056
    @Option(help: ArgumentHelp("Transfer syntax, a comma-separated list to mix, or 'mixed' for all of: "
        + DicomTransferSyntax.allCases.map(\.rawValue).joined(separator: ", ")))
    var syntax: String = DicomTransferSyntax.explicitLittle.rawValue
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Fraction of images stored as MONOCHROME1.") var monochrome1: Double = 0.25
    @Flag(help: "Write the MIMIC-CXR-JPG layout (DICOM_ID.jpg) instead of DICOMs.") var jpg = false
    @Flag(help: "Put the reports in mimic-cxr-reports.zip instead of beside the study folders.") var reportsZip = false
    @Option(help: "Worker threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard studies >= 1 else { throw ValidationError("--studies must be at least 1") }
        guard rows >= 16, cols >= 16, rows <= 8192, cols <= 8192 else {
            throw ValidationError("--rows and --cols must be between 16 and 8192")
        }
        guard (0...1).contains(monochrome1) else { throw ValidationError("--monochrome1 must be in 0...1") }
        _ = try syntaxes()
    }

    /// The transfer syntaxes `--syntax` names.
    func syntaxes() throws -> [DicomTransferSyntax] {
        if syntax == "mixed" { return DicomTransferSyntax.allCases }
        guard !syntax.split(separator: ",").isEmpty else { throw ValidationError("--syntax names no transfer syntax") }
        return try syntax.split(separator: ",").map { name in
            guard let s = DicomTransferSyntax(rawValue: String(name)) else {
                throw ValidationError("--syntax: unknown transfer syntax \"\(name)\"; choose from "
                    + DicomTransferSyntax.allCases.map(\.rawValue).joined(separator: ", ") + " or mixed")
            }
            return s
        }
    }

    func run() async throws {
        var options = SynthOptions(studies: studies)
        options.rows = rows
        options.columns = cols
        options.seed = seed
        options.monochrome1Fraction = monochrome1
        options.threads = max(1, threads)
        options.jpg = jpg
        options.reportsZip = reportsZip
        options.syntaxes = try syntaxes()
        let progress = ProgressLine()
        try SynthDump.write(to: out, options: options) { done, total in
            progress.update(done: done, total: total, unit: "studies")
        }
        progress.finish()
        print(String(format: "synth: %d studies (%dx%d, %@) written to %@ in %.1f s", studies, rows, cols,
                     options.syntaxes.map(\.rawValue).joined(separator: ","), out, progress.elapsed))
    }
}
