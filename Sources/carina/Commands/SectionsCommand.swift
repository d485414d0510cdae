import ArgumentParser
import CarinaCore
import CarinaOpenI
import CarinaReports
import Foundation

/// `carina sections`: split reports into sections and inspect the split.
struct SectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sections",
        abstract: "Split reports into sections and inspect the split.",
        discussion: """
            PATH is a report (.txt, .xml), a folder of them, or a MIMIC-CXR dump root (files/pXX/pSUBJECT/sSTUDY.txt).
            --mode mimic reproduces the MIT-LCP section parser exactly: `--format csv` writes mimic_cxr_sectioned.csv,
            `--format conclusions` the per-study conclusion file the CheXpert/NegBio labellers read
            (mimic_cxr_sections.csv). --mode clean (the default) is Carina's own splitter.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, csv, conclusions }

    @Argument(help: "A report (.txt, .xml), a folder of them, or a dump root.") var path: String
    @Option(help: "clean (Carina's splitter) or mimic (the MIT-LCP parser exactly).") var mode: SectionMode = .clean
    @Option(help: "text (coloured on a terminal), json, csv, or conclusions.") var format: Format = .text
    @Flag(help: "Corpus statistics: findings/impression/both/neither, every header seen and its mapping.")
    var stats = false
    @Option(help: """
        Write the upstream files into this folder in one pass, as create_section_files.py does: \
        mimic_cxr_sectioned.csv and the conclusion files mimic_cxr_NN.csv (10,000 studies each), or one \
        mimic_cxr_sections.csv with --no-split.
        """)
    var out: String?
    @Flag(help: "With --out: one conclusion file (mimic_cxr_sections.csv) instead of batches of 10,000.")
    var noSplit = false

    func run() async throws {
        let corpus = try ReportFiles.corpus(path)
        if let dir = out { return try writeFiles(corpus, to: dir) }

        let out = StandardOutputBuffer()
        var stats = SectionStats()
        var failures = 0
        let colour = format == .text && isatty(STDOUT_FILENO) == 1
        let single = corpus.entries.count == 1 && !corpus.isDump
        if format == .csv && !self.stats { out.write(PythonCSV.sectionedHeader) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = single ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            : [.sortedKeys, .withoutEscapingSlashes]
        for entry in corpus.entries {
            let loaded: ReportLoader.Loaded
            do {
                loaded = try ReportLoader.load(bytes: corpus.bytes(entry), entry: entry, mode: mode)
            } catch {
                if corpus.entries.count == 1 { throw CLIError(error.description) }
                failures += 1
                stats.failed += 1
                FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
                continue
            }
            let r = loaded.report
            if let problem = r.problem {
                FileHandle.standardError.write(Data("Warning: \(entry.path): \(problem)\n".utf8))
            }
            if self.stats { stats.add(r); continue }
            switch format {
            case .text: out.write(SectionInspector.render(r, raw: loaded.raw, colour: colour))
            case .json: out.write(String(decoding: try encoder.encode(r), as: UTF8.self) + "\n")
            case .csv: if let row = PythonCSV.sectionedRow(r) { out.write(row) }
            case .conclusions: out.write(PythonCSV.conclusionRow(r))
            }
        }
        if self.stats {
            if format == .json {
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                out.write(String(decoding: try encoder.encode(stats), as: UTF8.self) + "\n")
            } else {
                out.write(stats.text)
            }
        }
        out.flush()
        if failures > 0 {
            throw CLIError("\(failures) of \(corpus.entries.count) report(s) could not be read (listed above)")
        }
    }

    /// Writes both upstream files in one pass over the corpus.
    func writeFiles(_ corpus: ReportCorpus, to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var sectioned = Array(PythonCSV.sectionedHeader.utf8)
        var conclusions: [[UInt8]] = [[]]
        var failures = 0
        var studies = 0
        for entry in corpus.entries {
            do {
                let r = try ReportLoader.load(bytes: corpus.bytes(entry), entry: entry, mode: mode).report
                if let p = r.problem {
                    FileHandle.standardError.write(Data("Warning: \(entry.path): \(p)\n".utf8))
                }
                if let fields = PythonCSV.sectionedFields(r) { PythonCSV.appendRow(fields, to: &sectioned) }
                if !noSplit && studies > 0 && studies % 10_000 == 0 { conclusions.append([]) }
                PythonCSV.appendRow([r.studyID ?? "", r.conclusion ?? ""], to: &conclusions[conclusions.count - 1])
                studies += 1
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("Error: \(error.description)\n".utf8))
            }
        }
        try Data(sectioned).write(to: URL(fileURLWithPath: dir).appendingPathComponent("mimic_cxr_sectioned.csv"))
        if noSplit {
            try Data(conclusions[0]).write(to: URL(fileURLWithPath: dir).appendingPathComponent("mimic_cxr_sections.csv"))
        } else if studies > 0 {
            for (k, batch) in conclusions.enumerated() {
                let name = "mimic_cxr_" + (k < 10 ? "0\(k)" : "\(k)") + ".csv"
                try Data(batch).write(to: URL(fileURLWithPath: dir).appendingPathComponent(name))
            }
        }
        if failures > 0 {
            throw CLIError("\(failures) of \(corpus.entries.count) report(s) could not be read (listed above)")
        }
    }
}

extension SectionMode: ExpressibleByArgument {}
