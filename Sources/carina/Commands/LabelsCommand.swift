import CarinaCore
import ArgumentParser
import CarinaGraph
import CarinaIngest
import CarinaOpenI
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

    @OptionGroup var input: ReportInput
    @Option(help: "Output format: csv.") var format: Format = .csv

    func run() async throws {
        if input.isRadGraphJSON {
            let out = StandardOutputBuffer()
            out.write(CheXpertLabels.csvHeader + "\n")
            for (id, graph) in try RadGraphFile.documents(path: input.path) {
                let ids = ReportFiles.file(id)
                out.write(CheXpertLabels(graph: graph).csvRow(subjectID: ids.subjectID, studyID: ids.studyID) + "\n")
            }
            out.flush()
            return
        }
        let reports = try ReportFiles.find(input.path)
        let out = StandardOutputBuffer()
        out.write(CheXpertLabels.csvHeader + "\n")
        let progress = ProgressLine()
        for (n, report) in reports.enumerated() {
            progress.update(done: n + 1, total: reports.count, unit: "reports")
            let labels = GraphExtractor.labels(sections: try report.sections(), source: input.source)
            out.write(labels.csvRow(subjectID: report.subjectID, studyID: report.studyID) + "\n")
        }
        out.flush()
    }
}
