import ArgumentParser
import CarinaCore
import CarinaGraph
import CarinaOpenI
import CarinaReports
import Foundation

// The report benchmarks of Scripts/bench-sections.sh, Scripts/graph-bench.sh and Scripts/sections-oracle.sh: the
// section splitter and the graph + labels path timed over reports held in memory, and the MIMIC-style corpus those
// scripts time and check against the MIT-LCP parser. Built with -c release by the scripts.

@main
struct ReportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carina-report-bench",
        abstract: "Time report splitting and labelling; write the MIMIC-style IU corpus the report benchmarks read.",
        subcommands: [Sections.self, Labels.self, EmitMimicCorpus.self]
    )
}

extension SectionMode: ExpressibleByArgument {}
extension LabelSource: ExpressibleByArgument {}

/// Times the splitter over every text report under PATH, decoded once into memory, one core; prints one JSON line.
struct Sections: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time the section splitter over reports in memory.")

    @Argument(help: "A report, a folder of them, a dump root, or mimic-cxr-reports.zip.") var path: String
    @Option(help: "clean or mimic.") var mode: SectionMode = .clean
    @Option(help: "Time for at least this many CPU seconds.") var seconds: Double = 5
    @Flag(help: "Time the mimic parser alone (sections, names and byte ranges, as section_text returns them).")
    var parserOnly = false

    func run() throws {
        let corpus = try ReportFiles.corpus(path)
        var texts: [(String, String)] = []
        for e in corpus.entries where !e.isXML {
            guard let bytes = try? corpus.bytes(e),
                let text = try? ReportText.decode(bytes, mode: mode, path: e.path)
            else { continue }
            texts.append((text, e.studyID))
        }
        guard !texts.isEmpty else { throw ValidationError("no text reports to time under \(path)") }
        var passes = 0
        var sink = 0
        let wallStart = ContinuousClock.now
        let start = ThreadCPUTime.seconds()
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
            elapsed = ThreadCPUTime.seconds() - start
        } while elapsed < seconds
        let wall = ContinuousClock.now - wallStart
        let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let n = passes * texts.count
        print(
            "{\"tool\": \"carina\", \"mode\": \"\(parserOnly ? "mimic parser alone" : mode.rawValue)\", "
                + "\"reports\": \(texts.count), \"passes\": \(passes), \"cpu_seconds\": \(elapsed), "
                + "\"wall_seconds\": \(wallSeconds), \"reports_per_cpu_s\": \(Double(n) / elapsed), \"sections\": \(sink)}"
        )
    }
}

/// Sections, the findings+impression graph and the labels of every report under PATH, PASSES times on one thread;
/// the reports are read once before timing. Prints one JSON line.
struct Labels: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time sections + graph + labels over reports in memory.")

    @Argument(help: "A report, a folder of them, a dump root, or mimic-cxr-reports.zip.") var path: String
    @Option(help: "Passes over the reports.") var passes = 1
    @Option(help: "Label text: impression or report.") var source: LabelSource = .impression

    func run() throws {
        let texts = try ReportFiles.find(path).map { String(decoding: try $0.bytes(), as: UTF8.self) }
        let passes = max(1, passes)
        var checksum = 0
        let clock = ContinuousClock()
        let cpuStart = ThreadCPUTime.seconds()
        let start = clock.now
        for _ in 0..<passes {
            for text in texts {
                let sections = SectionSplitter.split(text, studyID: nil, mode: .clean).sections.map {
                    ($0.name, $0.text)
                }
                let (graph, labels) = GraphExtractor.extractWithLabels(sections: sections, source: source)
                checksum &+= graph.entities.count &+ labels.values.count
            }
        }
        let elapsed = clock.now - start
        let cpu = ThreadCPUTime.seconds() - cpuStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let count = texts.count * passes
        let bytes = texts.reduce(0) { $0 + $1.utf8.count } * passes
        print(
            "{\"reports\": \(count), \"seconds\": \(String(format: "%.3f", seconds)), "
                + "\"reports_per_second\": \(Int(Double(count) / seconds)), "
                + "\"cpu_seconds\": \(String(format: "%.3f", cpu)), "
                + "\"reports_per_cpu_second\": \(Int(Double(count) / cpu)), "
                + "\"mb_per_second\": \(String(format: "%.2f", Double(bytes) / seconds / 1e6)), "
                + "\"checksum\": \(checksum)}")
    }
}

/// Writes the MIMIC-style corpus made from the IU reports (the OpenI XML archive or folder at PATH).
struct EmitMimicCorpus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emit-mimic-corpus", abstract: "Write the MIMIC-style corpus made from the IU reports.")

    @Argument(help: "The IU reports (NLMCXR_reports.tgz or its folder).") var path: String
    @Option(help: "Output folder (the dump root; reports go under files/).") var out: String
    @Option(help: "Header spellings file (negbio_section_titles.txt).") var titles: String
    @Option(help: "Seed of the renderings.") var seed: UInt64 = MimicStyleCorpus.defaultSeed
    @Option(help: "Copies of the IU collection.") var copies = 1

    func run() throws {
        let reports = try MimicStyleCorpus.loadIU(path)
        let rendered = MimicStyleCorpus.render(
            reports, titles: try MimicStyleCorpus.loadTitles(titles),
            seed: seed, copies: copies)
        try MimicStyleCorpus.write(rendered, to: out)
        FileHandle.standardError.write(Data("wrote \(rendered.count) reports under \(out)/files\n".utf8))
    }
}
