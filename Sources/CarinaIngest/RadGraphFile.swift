import CarinaGraph
import Foundation

/// A precomputed RadGraph output file, as MIMIC users already have it: RadGraph's inference output or the MIMIC-CXR
/// RadGraph release, one JSON object mapping report ids (a study id, `s<study_id>`, or a report path ending in
/// `s<study_id>.txt`) to graphs. `carina ingest --radgraph` stores its graphs; `carina graph` and `carina labels`
/// read it in place of reports.
public enum RadGraphFile {
    /// The documents of the file in its order, each under the report id the file gives it.
    public static func documents(path: String) throws(IngestError) -> [(id: String, graph: EntityGraph)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IngestError(.unreadableFile, "cannot read the RadGraph file \(path): check that it exists and is readable")
        }
        do {
            return try EntityGraph.radGraphDocuments(json: String(decoding: data, as: UTF8.self))
        } catch {
            throw IngestError(.unreadableFile, "\(path) is not RadGraph JSON: \(error)")
        }
    }

    /// The graphs of the file, keyed by study id.
    static func read(path: String) throws(IngestError) -> [String: EntityGraph] {
        var graphs: [String: EntityGraph] = [:]
        for (id, graph) in try documents(path: path) {
            graphs[EntityGraph.studyID(fromRadGraphKey: id) ?? id] = graph
        }
        return graphs
    }
}
