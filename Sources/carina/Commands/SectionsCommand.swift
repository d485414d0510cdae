import ArgumentParser
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
    @Option(help: ArgumentHelp("Time the splitter over reports already in memory for at least this many seconds.",
                               visibility: .hidden))
    var bench: Double?
    @Flag(help: ArgumentHelp("With --bench: time the mimic parser alone (sections, names and byte ranges, as "
                             + "section_text returns them) instead of the whole split.", visibility: .hidden))
    var parserOnly = false
    @Option(help: ArgumentHelp("Write the MIMIC-style corpus made from the IU reports at PATH into this folder.",
                               visibility: .hidden))
    var emitMimicCorpus: String?
    @Option(help: ArgumentHelp("Header spellings file for --emit-mimic-corpus.", visibility: .hidden))
    var titles: String?
    @Option(help: ArgumentHelp("Seed for --emit-mimic-corpus.", visibility: .hidden))
    var seed: UInt64 = MimicStyleCorpus.defaultSeed
    @Option(help: ArgumentHelp("Copies of the IU collection for --emit-mimic-corpus.", visibility: .hidden))
    var copies = 1
    @Option(help: """
        Write the upstream files into this folder in one pass, as create_section_files.py does: \
        mimic_cxr_sectioned.csv and the conclusion files mimic_cxr_NN.csv (10,000 studies each), or one \
        mimic_cxr_sections.csv with --no-split.
        """)
    var out: String?
    @Flag(help: "With --out: one conclusion file (mimic_cxr_sections.csv) instead of batches of 10,000.")
    var noSplit = false

    func run() async throws {
        if let out = emitMimicCorpus { return try emitCorpus(out) }
        let corpus: ReportCorpus
        corpus = try ReportFiles.corpus(path)
        if let seconds = bench { return try runBench(corpus, seconds: seconds) }
        if let dir = out { return try writeFiles(corpus, to: dir) }

        let out = OutputBuffer()
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

    /// Times the splitter over every report already decoded in memory, one core.
    func runBench(_ corpus: ReportCorpus, seconds: Double) throws {
        var texts: [(String, String)] = []
        for e in corpus.entries where !e.isXML {
            guard let bytes = try? corpus.bytes(e),
                  let text = try? ReportText.decode(bytes, mode: mode, path: e.path) else { continue }
            texts.append((text, e.studyID))
        }
        guard !texts.isEmpty else { throw CLIError("no text reports to time under \(path)") }
        var passes = 0
        var sink = 0
        // CPU time of this thread: the figure per core, whatever else the machine runs.
        func cpu() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        let wallStart = ContinuousClock.now
        let start = cpu()
        var elapsed = 0.0
        repeat {
            if parserOnly {
                for (t, _) in texts {
                    var t = t
                    sink &+= t.withUTF8 { MimicSectionParser.scan($0).pieces.count }
                }
            } else {
                for (t, id) in texts { sink &+= SectionSplitter.split(t, studyID: id, mode: mode).sections.count }
            }
            passes += 1
            elapsed = cpu() - start
        } while elapsed < seconds
        let wall = ContinuousClock.now - wallStart
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let n = passes * texts.count
        print("{\"tool\": \"carina\", \"mode\": \"\(parserOnly ? "mimic parser alone" : mode.rawValue)\", \"reports\": \(texts.count), \"passes\": \(passes), "
            + "\"cpu_seconds\": \(elapsed), \"wall_seconds\": \(wallSeconds), \"reports_per_cpu_s\": \(Double(n) / elapsed), "
            + "\"sections\": \(sink)}")
    }

    /// Writes the IU-derived MIMIC-style corpus (a hidden option for the oracle and benchmark scripts).
    func emitCorpus(_ out: String) throws {
        guard let titles else { throw CLIError("--emit-mimic-corpus needs --titles negbio_section_titles.txt") }
        do {
            let reports = try MimicStyleCorpus.loadIU(path)
            let rendered = MimicStyleCorpus.render(reports, titles: try MimicStyleCorpus.loadTitles(titles),
                                                   seed: seed, copies: copies)
            try MimicStyleCorpus.write(rendered, to: out)
            FileHandle.standardError.write(Data("wrote \(rendered.count) reports under \(out)/files\n".utf8))
        } catch {
            throw CLIError(error.description)
        }
    }
}

extension SectionMode: ExpressibleByArgument {}

/// Buffered standard output: one write per 1 MiB instead of one per report.
final class OutputBuffer {
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(1 << 20) }

    func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
