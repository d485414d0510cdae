import CarinaGraph
import Foundation

/// A precomputed RadGraph output file, as MIMIC users already have it: RadGraph's inference output or the MIMIC-CXR
/// RadGraph release, one JSON object mapping report ids (a study id, `s<study_id>`, or a report path ending in
/// `s<study_id>.txt`) to graphs.
enum RadGraphFile {
    /// The graphs of the file, keyed by study id.
    static func read(path: String) throws -> [String: EntityGraph] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IngestError(.unreadableFile, "cannot read the RadGraph file \(path)")
        }
        let documents: [(id: String, graph: EntityGraph)]
        do {
            documents = try EntityGraph.radGraphDocuments(json: String(decoding: data, as: UTF8.self))
        } catch {
            throw IngestError(.unreadableFile, "\(path) is not RadGraph JSON: \(error)")
        }
        var graphs: [String: EntityGraph] = [:]
        for (id, graph) in documents {
            graphs[EntityGraph.studyID(fromRadGraphKey: id) ?? id] = graph
        }
        return graphs
    }
}
