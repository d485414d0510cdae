import ArgumentParser
import CarinaCore
import CarinaGraph
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

    @Argument(help: "A report (.txt), a folder of them, or a dump root.") var path: String
    @Option(help: "Output format: radgraph, json or text.") var format: Format = .radgraph
    @Option(help: "Label text: impression (the impression, else the findings, as MIMIC-CXR) or report (findings + impression).")
    var source: LabelSource = .impression

    func run() async throws {
        if path.hasSuffix(".json") {
            try convertRadGraph()
            return
        }
        let reports = try ReportFiles.find(path)
        let out = StandardOutput()
        if format != .text { out.write("{\n") }
        let progress = ProgressLine()
        for (n, report) in reports.enumerated() {
            progress.update(done: n + 1, total: reports.count, unit: "reports")
            let sections = try report.sections()
            let (graph, labels) = GraphExtractor.extractWithLabels(sections: sections, source: source)
            switch format {
            case .radgraph:
                out.write(JSONKey.quote(report.studyID) + ": " + graph.radGraphJSON()
                          + (n + 1 < reports.count ? ",\n" : "\n"))
            case .json:
                var body = graph.radGraphJSON(includeConcepts: true)
                body.removeLast()
                body += ", \"subject_id\": " + JSONKey.quote(report.subjectID) + ", \"labels\": {"
                body += zip(CheXpertLabels.columns, labels.csvFields())
                    .map { JSONKey.quote($0) + ": " + ($1.isEmpty ? "null" : $1) }.joined(separator: ", ")
                body += "}, \"findings\": ["
                body += ConceptResolver.findings(graph).map { f in
                    "{\"concept\": " + JSONKey.quote(f.concept) + ", \"certainty\": " + JSONKey.quote(f.certainty.rawValue)
                        + ", \"anatomy\": [" + f.anatomy.map(JSONKey.quote).joined(separator: ", ") + "]}"
                }.joined(separator: ", ")
                body += "]}"
                out.write(JSONKey.quote(report.studyID) + ": " + body + (n + 1 < reports.count ? ",\n" : "\n"))
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
        let documents = try RadGraphFile.read(path)
        let out = StandardOutput()
        if format != .text { out.write("{\n") }
        for (n, (id, graph)) in documents.enumerated() {
            let separator = n + 1 < documents.count ? ",\n" : "\n"
            switch format {
            case .radgraph:
                out.write(JSONKey.quote(id) + ": " + graph.radGraphJSON() + separator)
            case .json:
                var body = graph.radGraphJSON(includeConcepts: true)
                body.removeLast()
                let labels = CheXpertLabels(graph: graph)
                body += ", \"labels\": {" + zip(CheXpertLabels.columns, labels.csvFields())
                    .map { JSONKey.quote($0) + ": " + ($1.isEmpty ? "null" : $1) }.joined(separator: ", ") + "}}"
                out.write(JSONKey.quote(id) + ": " + body + separator)
            case .text:
                out.write("== \(id)\n" + graph.textView() + "\n\n")
            }
        }
        if format != .text { out.write("}\n") }
        out.flush()
    }
}

/// Precomputed RadGraph JSON files (RadGraph's inference output, the MIMIC-CXR RadGraph release).
enum RadGraphFile {
    static func read(_ path: String) throws -> [(id: String, graph: EntityGraph)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read RadGraph file \(path): check that it exists and is readable")
        }
        do {
            return try EntityGraph.radGraphDocuments(json: String(decoding: data, as: UTF8.self))
        } catch let error as GraphError {
            throw CLIError("\(path): \(error.message)")
        }
    }
}

/// JSON string quoting for the command output.
enum JSONKey {
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Buffered standard output, written in large blocks.
final class StandardOutput {
    private var buffer = ""

    func write(_ s: String) {
        buffer += s
        if buffer.utf8.count > 1 << 16 { flush() }
    }

    func flush() {
        FileHandle.standardOutput.write(Data(buffer.utf8))
        buffer = ""
    }
}

/// One report file found under a PATH, with the subject and study ids its MIMIC-CXR path gives.
struct ReportFile {
    let path: String
    /// `SUBJECT` of `pSUBJECT/sSTUDY.txt`, or empty when the path is not MIMIC-shaped.
    let subjectID: String
    /// `STUDY` of `sSTUDY.txt`, or the file name without extension.
    let studyID: String
    /// The corpus entry the file was found as (nil for an id that names no file).
    var entry: ReportCorpus.Entry? = nil
    /// The corpus the entry is read through (a folder's files, or the reports archive).
    var corpus: ReportCorpus? = nil

    /// The report split into sections, as `carina sections` splits it (clean mode; OpenI XML by its fields).
    func sections() throws -> [(name: String, text: String)] {
        guard let entry else { throw CLIError("\(path): not a report file found by ReportFiles.find") }
        let loaded: ReportLoader.Loaded
        do {
            let bytes = try corpus?.bytes(entry) ?? ReportCorpus.readBytes(entry.path)
            loaded = try ReportLoader.load(bytes: bytes, entry: entry, mode: .clean)
        } catch { throw CLIError("\(error)") }
        return loaded.report.sections.map { ($0.name, $0.text) }
    }
}

/// Finds the report files under a PATH: everything `carina sections` reads.
enum ReportFiles {
    /// PATH itself if it is a file (.txt or OpenI .xml); every `.txt` and `.xml` below a folder (sorted by path); the
    /// `pXX/pSUBJECT/sSTUDY.txt` reports of a MIMIC-CXR dump root.
    static func find(_ path: String) throws -> [ReportFile] {
        let corpus = try self.corpus(path)
        return corpus.entries.map { entry in
            var f = file(entry.path)
            f.entry = entry
            f.corpus = corpus
            return f
        }
    }

    /// The reports under PATH; a `.zip` PATH is read as the reports archive (`mimic-cxr-reports.zip`), entry by
    /// entry, without unpacking it.
    static func corpus(_ path: String) throws -> ReportCorpus {
        do {
            if path.lowercased().hasSuffix(".zip") {
                return try ReportCorpus(archive: ZipArchive(path: path))
            }
            return try ReportCorpus(path: path)
        } catch let error as ReportError {
            throw CLIError(error.description)
        } catch {
            throw CLIError("\(error)")
        }
    }

    static func file(_ path: String) -> ReportFile {
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension().lastPathComponent
        let parent = url.deletingLastPathComponent().lastPathComponent
        func digits(after prefix: Character, _ s: String) -> String? {
            guard s.first == prefix, s.count > 1, s.dropFirst().allSatisfy(\.isASCII),
                  s.dropFirst().allSatisfy(\.isNumber) else { return nil }
            return String(s.dropFirst())
        }
        if let study = digits(after: "s", stem), let subject = digits(after: "p", parent) {
            return ReportFile(path: path, subjectID: subject, studyID: study)
        }
        return ReportFile(path: path, subjectID: "", studyID: stem)
    }
}

extension ZipArchive: ReportArchiveReader {
    public var entryNames: [String] { Array(entries.keys) }

    public func bytes(ofEntry name: String) throws -> [UInt8] {
        guard let bytes = try data(named: name) else { throw ZipError(description: "\(path) has no entry \(name)") }
        return bytes
    }
}
