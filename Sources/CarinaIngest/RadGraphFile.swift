import CarinaGraph
import Foundation

/// A precomputed RadGraph output file, as MIMIC users already have it: one JSON object whose keys name reports
/// (a study id, `s<study_id>`, or a report path ending in `s<study_id>.txt`) and whose values are RadGraph graphs
/// (`{"text": …, "entities": {…}}`).
enum RadGraphFile {
    /// The graphs of the file, keyed by study id.
    static func read(path: String) throws -> [String: EntityGraph] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IngestError(.unreadableFile, "cannot read the RadGraph file \(path)")
        }
        guard let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw IngestError(.unreadableFile, "\(path) is not a JSON object of RadGraph graphs keyed by report")
        }
        var graphs: [String: EntityGraph] = [:]
        for (key, value) in top {
            let json = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
            do {
                graphs[studyID(fromKey: key)] = try EntityGraph(radGraphJSON: String(decoding: json, as: UTF8.self))
            } catch {
                throw IngestError(.unreadableFile, "\(path): the graph of \"\(key)\" is not RadGraph JSON: \(error)")
            }
        }
        return graphs
    }

    /// `s50414267`, `50414267`, `files/p10/p10000032/s50414267.txt` → `50414267`.
    static func studyID(fromKey key: String) -> String {
        var name = (key as NSString).lastPathComponent
        if name.hasSuffix(".txt") { name = String(name.dropLast(4)) }
        if name.hasPrefix("s"), name.dropFirst().allSatisfy(\.isNumber) { name = String(name.dropFirst()) }
        return name
    }
}
