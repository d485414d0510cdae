import ArgumentParser
import CarinaGraph
import Foundation

/// `carina graph PATH [--format radgraph|json|text]`: the entity graph of every report under PATH.
struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Extract the entity graph (RadGraph shape) of reports.",
        discussion: """
            PATH is a report (.txt), a folder of them, or a MIMIC-CXR dump root (files/pXX/pSUBJECT/sSTUDY.txt).
            The graph is built from the findings and impression sections. `radgraph` writes RadGraph's own JSON
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

    func run() async throws {
        if path.hasSuffix(".json") {
            try convertRadGraph()
            return
        }
        let reports = try ReportFiles.find(path)
        let out = StandardOutput()
        if format != .text { out.write("{\n") }
        let progress = Progress(total: reports.count, label: "graph")
        for (n, report) in reports.enumerated() {
            progress.update(n + 1)
            let sections = try report.sections()
            let (graph, labels) = GraphExtractor.extractWithLabels(sections: sections)
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

/// Progress of a long command on stderr, shown only when stderr is a terminal (quiet in a pipe).
struct Progress {
    let total: Int
    let label: String
    private let enabled = isatty(2) == 1

    init(total: Int, label: String) {
        self.total = total
        self.label = label
    }

    func update(_ done: Int) {
        guard enabled, total >= 1000, done % 500 == 0 || done == total else { return }
        FileHandle.standardError.write(Data("\r\(label) \(done)/\(total)\(done == total ? "\n" : "")".utf8))
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

    /// The report text, split into sections.
    func sections() throws -> [(name: String, text: String)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read report \(path): check that it exists and is readable")
        }
        return MIMICHeaderSplit.split(String(decoding: data, as: UTF8.self))
    }
}

/// Finds the report files under a PATH.
enum ReportFiles {
    /// PATH itself if it is a file; every `.txt` below it (sorted by path) if it is a folder.
    static func find(_ path: String) throws -> [ReportFile] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError("no such file or folder: \(path)")
        }
        if !isDirectory.boolValue {
            guard !path.lowercased().hasSuffix(".xml") else {
                throw CLIError("\(path): OpenI XML reports are not read by this command yet; give a .txt report, a "
                               + "folder of them, or a MIMIC-CXR dump root")
            }
            return [file(path)]
        }
        guard let walker = FileManager.default.enumerator(atPath: path) else {
            throw CLIError("cannot list the folder \(path): check its permissions")
        }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative.hasSuffix(".txt") { found.append((path as NSString).appendingPathComponent(relative)) }
        }
        guard !found.isEmpty else { throw CLIError("no .txt reports under \(path)") }
        return found.sorted().map(file)
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

/// A minimal split of a report on MIMIC-CXR section headers (newline, one space, `[A-Z ()/,-]+`, colon,
/// whitespace); text before the first header is `preamble`, a report with no header is one `full report`.
/// To be replaced by CarinaReports.SectionSplitter once it lands.
enum MIMICHeaderSplit {
    static func split(_ text: String) -> [(name: String, text: String)] {
        let b = Array(text.utf8)
        var headers: [(start: Int, nameStart: Int, nameEnd: Int, bodyStart: Int)] = []
        var i = 0
        while i + 3 < b.count {
            if b[i] == 0x0A && b[i + 1] == 0x20 {
                var j = i + 2
                while j < b.count && isHeaderByte(b[j]) { j += 1 }
                if j > i + 2 && j + 1 < b.count && b[j] == 0x3A && isSpace(b[j + 1]) {
                    headers.append((i, i + 2, j, j + 2))
                    i = j + 2
                    continue
                }
            }
            i += 1
        }
        if headers.isEmpty { return [("full report", text)] }
        var out: [(name: String, text: String)] = []
        let preamble = String(decoding: b[0..<headers[0].start], as: UTF8.self)
        if preamble.contains(where: { !$0.isWhitespace }) { out.append(("preamble", preamble)) }
        for (k, h) in headers.enumerated() {
            let end = k + 1 < headers.count ? headers[k + 1].start : b.count
            var nameEnd = h.nameEnd
            while nameEnd > h.nameStart && b[nameEnd - 1] == 0x20 { nameEnd -= 1 }
            let name = String(decoding: b[h.nameStart..<nameEnd], as: UTF8.self).lowercased()
            out.append((name, String(decoding: b[min(h.bodyStart, end)..<end], as: UTF8.self)))
        }
        return out
    }

    static func isHeaderByte(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || c == 0x20 || c == 0x28 || c == 0x29 || c == 0x2F || c == 0x2C || c == 0x2D
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }
}
