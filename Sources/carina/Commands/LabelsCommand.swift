import CarinaCore
import ArgumentParser
import CarinaGraph
import CarinaReports
import Foundation

/// `carina labels PATH [--format csv]`: CheXpert-14 labels per study, in the `mimic-cxr-2.0.0-chexpert.csv` layout.
struct LabelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "Derive CheXpert-14 labels per study.",
        discussion: """
            PATH is a report (.txt or OpenI .xml), a folder of them, or a MIMIC-CXR dump root
            (files/pXX/pSUBJECT/sSTUDY.txt): everything `carina sections` reads. With --source impression (the
            default) labels come from the impression, else the findings, else the last section, as MIMIC-CXR made its
            CSV; with --source report from the findings and impression together. `carina graph` and `carina ingest`
            (for studies without a CheXpert CSV row) derive the same labels from the same report. A PATH
            ending in .json is read as precomputed RadGraph output (a map from report id, e.g.
            p10/p10000032/s50414267.txt, to {text, entities}) and the labels come from those graphs. Output is
            exactly the mimic-cxr-2.0.0-chexpert.csv layout: subject_id,study_id and the 14 classes, with 1.0, 0.0,
            -1.0 or blank.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv
    }

    @Argument(help: "A report (.txt), a folder of them, or a dump root.") var path: String
    @Option(help: "Output format: csv.") var format: Format = .csv
    @Option(help: "Label text: impression (the impression, else the findings, as MIMIC-CXR) or report (findings + impression).")
    var source: LabelSource = .impression
    @Option(help: ArgumentHelp(
        "Time sections + graph + labels over the reports held in memory, this many passes on one thread, and print "
            + "reports per second to stderr instead of the labels.", visibility: .hidden))
    var bench: Int?

    func run() async throws {
        if path.hasSuffix(".json") {
            let out = StandardOutput()
            out.write(CheXpertLabels.csvHeader + "\n")
            for (id, graph) in try RadGraphFile.read(path) {
                let ids = ReportFiles.file(id)
                out.write(CheXpertLabels(graph: graph).csvRow(subjectID: ids.subjectID, studyID: ids.studyID) + "\n")
            }
            out.flush()
            return
        }
        let reports = try ReportFiles.find(path)
        if let passes = bench {
            try runBenchmark(reports, passes: max(1, passes))
            return
        }
        let out = StandardOutput()
        out.write(CheXpertLabels.csvHeader + "\n")
        let progress = ProgressLine()
        for (n, report) in reports.enumerated() {
            progress.update(done: n + 1, total: reports.count, unit: "reports")
            let labels = GraphExtractor.labels(sections: try report.sections(), source: source)
            out.write(labels.csvRow(subjectID: report.subjectID, studyID: report.studyID) + "\n")
        }
        out.flush()
    }

    /// Sections, the findings+impression graph and the labels of every report, `passes` times; the reports are read
    /// once before timing.
    func runBenchmark(_ reports: [ReportFile], passes: Int) throws {
        let texts = try reports.map { r -> String in
            guard let data = try? (r.corpus?.bytes(r.entry!) ?? ReportCorpus.readBytes(r.path)) else {
                throw CLIError("cannot read report \(r.path)")
            }
            return String(decoding: data, as: UTF8.self)
        }
        var checksum = 0
        let clock = ContinuousClock()
        let cpuStart = Self.threadCPUSeconds()
        let start = clock.now
        for _ in 0..<passes {
            for text in texts {
                let sections = SectionSplitter.split(text, studyID: nil, mode: .clean).sections.map { ($0.name, $0.text) }
                let (graph, labels) = GraphExtractor.extractWithLabels(sections: sections, source: source)
                checksum &+= graph.entities.count &+ labels.values.count
            }
        }
        let elapsed = clock.now - start
        let cpu = Self.threadCPUSeconds() - cpuStart
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let count = texts.count * passes
        let bytes = texts.reduce(0) { $0 + $1.utf8.count } * passes
        FileHandle.standardError.write(Data((
            "{\"reports\": \(count), \"seconds\": \(String(format: "%.3f", seconds)), "
                + "\"reports_per_second\": \(Int(Double(count) / seconds)), "
                + "\"cpu_seconds\": \(String(format: "%.3f", cpu)), "
                + "\"reports_per_cpu_second\": \(Int(Double(count) / cpu)), "
                + "\"mb_per_second\": \(String(format: "%.2f", Double(bytes) / seconds / 1e6)), "
                + "\"checksum\": \(checksum)}\n").utf8))
    }

    /// CPU time of the calling thread (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`): the figure that a busy, shared
    /// machine does not inflate.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

extension LabelSource: ExpressibleByArgument {}
