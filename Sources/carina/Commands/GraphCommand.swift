import ArgumentParser
import CarinaCore
import CarinaGraph
import CarinaIngest
import CarinaOpenI
import CarinaReports
import Foundation

/// `carina graph PATH [--format radgraph|json|text]`: the entity graph of every report under PATH.
struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Extract the entity graph (RadGraph shape) of reports.",
        discussion: """
            PATH is a report (.txt or OpenI .xml), a folder of them, or a MIMIC-CXR dump root
            (files/pXX/pSUBJECT/sSTUDY.txt): everything `carina sections` reads. The graph is built from the findings
            and impression sections; the labels of `json` and `text` come from --source, exactly as `carina labels`
            gives them. `radgraph` writes RadGraph's own JSON
            (a map from study id to {text, entities, data_source, data_split}); `json` adds each entity's Carina
            concept, the study's CheXpert labels and its resolved findings (concept, certainty, anatomy); `text` is a readable view.
            A PATH ending in .json is read as precomputed RadGraph output and written in the chosen format.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case radgraph, json, text
    }

    @OptionGroup var input: ReportInput
    @Option(help: "Output format: radgraph, json or text.") var format: Format = .radgraph

    func run() async throws {
        if input.isRadGraphJSON {
            try convertRadGraph()
            return
        }
        let reports = try ReportFiles.find(input.path)
        let out = StandardOutputBuffer()
        if format != .text { out.write("{\n") }
        let progress = ProgressLine()
        for (n, report) in reports.enumerated() {
            progress.update(done: n + 1, total: reports.count, unit: "reports")
            let sections = try report.sections()
            let (graph, labels) = GraphExtractor.extractWithLabels(sections: sections, source: input.source)
            switch format {
            case .radgraph:
                out.write(JSONText.quote(report.studyID) + ": " + graph.radGraphJSON()
                          + (n + 1 < reports.count ? ",\n" : "\n"))
            case .json:
                var body = graph.radGraphJSON(includeConcepts: true)
                body.removeLast()
                body += ", \"subject_id\": " + JSONText.quote(report.subjectID) + ", \"labels\": {"
                body += zip(CheXpertLabels.columns, labels.csvFields())
                    .map { JSONText.quote($0) + ": " + ($1.isEmpty ? "null" : $1) }.joined(separator: ", ")
                body += "}, \"findings\": ["
                body += ConceptResolver.findings(graph).map { f in
                    "{\"concept\": " + JSONText.quote(f.concept) + ", \"certainty\": " + JSONText.quote(f.certainty.rawValue)
                        + ", \"anatomy\": [" + f.anatomy.map(JSONText.quote).joined(separator: ", ") + "]}"
                }.joined(separator: ", ")
                body += "]}"
                out.write(JSONText.quote(report.studyID) + ": " + body + (n + 1 < reports.count ? ",\n" : "\n"))
            case .text:
                let positive = zip(CheXpertLabels.columns, labels.values).compactMap { c, v in
                    v.map { "\(c)=\($0 == 1 ? "1" : $0 == 0 ? "0" : "-1")" }
                }
                out.write("== \(report.studyID) (\(report.path))\n" + graph.textView() + "\n  labels: "
                          + positive.joined(separator: ", ") + "\n\n")
            }
        }
        if format != .text { out.write("}\n") }
        out.flush()
    }
}

extension GraphCommand {
    /// Reads precomputed RadGraph JSON and writes it in the chosen format (labels from the graphs themselves).
    func convertRadGraph() throws {
        let documents = try RadGraphFile.documents(path: input.path)
        let out = StandardOutputBuffer()
        if format != .text { out.write("{\n") }
        for (n, (id, graph)) in documents.enumerated() {
            let separator = n + 1 < documents.count ? ",\n" : "\n"
            switch format {
            case .radgraph:
                out.write(JSONText.quote(id) + ": " + graph.radGraphJSON() + separator)
            case .json:
                var body = graph.radGraphJSON(includeConcepts: true)
                body.removeLast()
                let labels = CheXpertLabels(graph: graph)
                body += ", \"labels\": {" + zip(CheXpertLabels.columns, labels.csvFields())
                    .map { JSONText.quote($0) + ": " + ($1.isEmpty ? "null" : $1) }.joined(separator: ", ") + "}}"
                out.write(JSONText.quote(id) + ": " + body + separator)
            case .text:
                out.write("== \(id)\n" + graph.textView() + "\n\n")
            }
        }
        if format != .text { out.write("}\n") }
        out.flush()
    }
}
