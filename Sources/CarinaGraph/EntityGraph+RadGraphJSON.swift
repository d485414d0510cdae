import Foundation

extension EntityGraph {
    /// The graph as RadGraph's JSON for one report:
    /// `{"text": …, "entities": {"1": {"tokens", "label", "start_ix", "end_ix", "relations"}}, "data_source": null,
    /// "data_split": "inference"}`. Deterministic: entities in `orderedIDs` order, keys in RadGraph's order.
    ///
    /// - Parameter includeConcepts: also write Carina's extra keys, which RadGraph tools ignore: each entity's
    ///   `concept` id and its placement (`section`, `char_start`, `char_end`).
    public func radGraphJSON(includeConcepts: Bool) -> String {
        var out = "{\"text\": " + JSONText.quote(text) + ", \"entities\": {"
        for (n, id) in orderedIDs.enumerated() {
            let e = entities[id]!
            if n > 0 { out += ", " }
            out += JSONText.quote(id) + ": {\"tokens\": " + JSONText.quote(e.tokens)
            out += ", \"label\": " + JSONText.quote(e.label)
            out += ", \"start_ix\": \(e.startIndex), \"end_ix\": \(e.endIndex), \"relations\": ["
            out += e.relations.map { "[" + $0.map(JSONText.quote).joined(separator: ", ") + "]" }
                .joined(separator: ", ")
            out += "]"
            if includeConcepts, let c = e.concept { out += ", \"concept\": " + JSONText.quote(c) }
            if includeConcepts, let s = e.section, let a = e.charStart, let b = e.charEnd {
                out += ", \"section\": \(s), \"char_start\": \(a), \"char_end\": \(b)"
            }
            out += "}"
        }
        return out + "}, \"data_source\": null, \"data_split\": \"inference\"}"
    }

    /// The RadGraph JSON text of one report, as `radGraphJSON()` writes it.
    public func radGraphJSON() -> String { radGraphJSON(includeConcepts: false) }

    /// Reads RadGraph JSON: one report object (`{"text", "entities"}`), or RadGraph's output map holding exactly
    /// one report (`{"0": {"text", "entities"}}`). RadGraph-XL labels (`Observation::definitely present`) are
    /// read as their short forms (`OBS-DP`).
    ///
    /// - Throws: `GraphError.badRadGraphJSON` saying what is missing or malformed.
    public init(radGraphJSON: String) throws {
        let documents = try Self.radGraphDocuments(json: radGraphJSON)
        guard documents.count == 1 else {
            throw GraphError(.badRadGraphJSON, "expected one report, found \(documents.count); read a file of "
                             + "several reports with EntityGraph.radGraphDocuments(json:)")
        }
        self = documents[0].graph
    }

    /// Reads every report of a RadGraph JSON document: a single report object, or a map from report id to report
    /// (RadGraph's inference output and the precomputed MIMIC-CXR RadGraph files), in id order.
    ///
    /// - Throws: `GraphError.badRadGraphJSON` naming the report and field that is malformed.
    public static func radGraphDocuments(json: String) throws -> [(id: String, graph: EntityGraph)] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        } catch {
            throw GraphError(.badRadGraphJSON, "not valid JSON (\(error.localizedDescription)); "
                             + "give RadGraph's JSON output")
        }
        guard let top = object as? [String: Any] else {
            throw GraphError(.badRadGraphJSON, "the top level is not a JSON object; expected RadGraph's output")
        }
        if top["entities"] != nil {
            return [("0", try graph(from: top, report: "the report"))]
        }
        var out: [(id: String, graph: EntityGraph)] = []
        for key in top.keys.sorted(by: Self.idOrder) {
            guard let report = top[key] as? [String: Any] else {
                throw GraphError(.badRadGraphJSON, "report '\(key)' is not an object with 'text' and 'entities'")
            }
            out.append((key, try graph(from: report, report: "report '\(key)'")))
        }
        return out
    }

    /// The MIMIC-CXR study id a RadGraph report key names: `p10/p10000032/s50414267.txt` → `50414267`; nil when
    /// the key's last path component is not `s<digits>` (with or without `.txt`). For matching precomputed RadGraph
    /// output to the studies of a dump.
    public static func studyID(fromRadGraphKey key: String) -> String? {
        var name = key.split(separator: "/").last.map(String.init) ?? key
        if name.hasSuffix(".txt") { name.removeLast(4) }
        guard name.first == "s", name.count > 1, name.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        return String(name.dropFirst())
    }

    static func idOrder(_ a: String, _ b: String) -> Bool {
        switch (Int(a), Int(b)) {
        case let (x?, y?): return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        case (nil, nil): return a < b
        }
    }

    static let labelAliases: [String: String] = [
        "Observation::definitely present": "OBS-DP", "Observation::uncertain": "OBS-U",
        "Observation::definitely absent": "OBS-DA", "Anatomy::definitely present": "ANAT-DP",
        "Anatomy::uncertain": "ANAT-DP", "Anatomy::definitely absent": "ANAT-DP",
        "OBS-DP": "OBS-DP", "OBS-U": "OBS-U", "OBS-DA": "OBS-DA", "ANAT-DP": "ANAT-DP",
    ]

    static func graph(from report: [String: Any], report name: String) throws -> EntityGraph {
        guard let entities = report["entities"] as? [String: Any] else {
            throw GraphError(.badRadGraphJSON, "\(name): 'entities' is missing or not an object")
        }
        let text = report["text"] as? String ?? ""
        var out: [String: Entity] = [:]
        for (id, value) in entities {
            let at = "\(name), entity '\(id)'"
            guard let e = value as? [String: Any] else {
                throw GraphError(.badRadGraphJSON, "\(at): not an object")
            }
            guard let tokens = e["tokens"] as? String else {
                throw GraphError(.badRadGraphJSON, "\(at): 'tokens' is missing or not a string")
            }
            guard let rawLabel = e["label"] as? String, let label = labelAliases[rawLabel] else {
                throw GraphError(.badRadGraphJSON, "\(at): 'label' must be ANAT-DP, OBS-DP, OBS-U or OBS-DA "
                                 + "(or a RadGraph-XL label), found \(String(describing: e["label"]))")
            }
            guard let start = (e["start_ix"] as? NSNumber)?.intValue, let end = (e["end_ix"] as? NSNumber)?.intValue,
                  start >= 0, end >= start else {
                throw GraphError(.badRadGraphJSON, "\(at): 'start_ix'/'end_ix' must be integers with start <= end")
            }
            var relations: [[String]] = []
            for r in e["relations"] as? [Any] ?? [] {
                guard let pair = r as? [Any], pair.count == 2, let type = pair[0] as? String else {
                    throw GraphError(.badRadGraphJSON, "\(at): a relation is not [type, target]")
                }
                let target = (pair[1] as? String) ?? (pair[1] as? NSNumber)?.stringValue
                guard let target else {
                    throw GraphError(.badRadGraphJSON, "\(at): relation target is not an id")
                }
                relations.append([type, target])
            }
            let section = (e["section"] as? NSNumber)?.intValue
            let charStart = (e["char_start"] as? NSNumber)?.intValue, charEnd = (e["char_end"] as? NSNumber)?.intValue
            let placed = section != nil && charStart != nil && charEnd != nil
            out[id] = Entity(tokens: tokens, label: label, startIndex: start, endIndex: end, relations: relations,
                             concept: e["concept"] as? String, section: placed ? section : nil,
                             charStart: placed ? charStart : nil, charEnd: placed ? charEnd : nil)
        }
        for (id, e) in out {
            for r in e.relations where out[r[1]] == nil {
                throw GraphError(.badRadGraphJSON, "\(name), entity '\(id)': relation to unknown entity '\(r[1])'")
            }
        }
        return EntityGraph(text: text, entities: out)
    }
}
