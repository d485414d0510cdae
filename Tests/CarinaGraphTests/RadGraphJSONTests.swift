import CarinaTestSupport
import Foundation
import Testing
@testable import CarinaGraph

/// RadGraph JSON: reading the public examples, writing, and the round trip.
@Suite struct RadGraphJSONTests {
    func publicExamples() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: SharedData.path("reports/radgraph/radgraph_public_examples.json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func readsTheRadGraphV1Example() throws {
        let example = try #require(try publicExamples()["radgraph_v1_example"] as? [String: Any])
        let output = try JSONSerialization.data(withJSONObject: try #require(example["expected_output"]))
        let docs = try EntityGraph.radGraphDocuments(json: String(decoding: output, as: UTF8.self))
        #expect(docs.count == 1)
        let g = docs[0].graph
        #expect(g.text == "no evidence of acute cardiopulmonary process moderate hiatal hernia")
        #expect(g.entities.count == 6)
        #expect(g.entities["3"] == Entity(tokens: "process", label: "OBS-DA", startIndex: 5, endIndex: 5,
                                          relations: [["located_at", "2"]]))
        // Labels from the graph alone: hernia present rules out No Finding; nothing maps to a class.
        let labels = CheXpertLabels(graph: g)
        #expect(labels["No Finding"] == nil)
    }

    @Test func readsTheRadGraphXLExampleLabels() throws {
        let example = try #require(try publicExamples()["radgraph_xl_readme_example"] as? [String: Any])
        let output = try JSONSerialization.data(withJSONObject: try #require(example["expected_output"]))
        let g = try EntityGraph(radGraphJSON: String(decoding: output, as: UTF8.self))
        #expect(g.entities["1"]?.label == "OBS-DA")
        #expect(g.entities["2"]?.label == "ANAT-DP")
        let labels = CheXpertLabels(graph: g)
        #expect(labels["Pneumothorax"] == 0)
        #expect(labels["Support Devices"] == 1)
    }

    @Test func studyIDsFromRadGraphKeys() {
        #expect(EntityGraph.studyID(fromRadGraphKey: "p10/p10000032/s50414267.txt") == "50414267")
        #expect(EntityGraph.studyID(fromRadGraphKey: "s1") == "1")
        #expect(EntityGraph.studyID(fromRadGraphKey: "0") == nil)
        #expect(EntityGraph.studyID(fromRadGraphKey: "p10/p1/sx.txt") == nil)
    }

    @Test func roundTripIsExact() throws {
        let g = GraphExtractor.extract(text: "Small left pleural effusion, which may represent \"fluid\"\\overload.")
        let json = g.radGraphJSON()
        let back = try EntityGraph(radGraphJSON: json)
        var expected = g
        // RadGraph's keys only: Carina's concept and placement stay out.
        for id in expected.entities.keys {
            expected.entities[id]!.concept = nil
            expected.entities[id]!.section = nil
            expected.entities[id]!.charStart = nil
            expected.entities[id]!.charEnd = nil
        }
        #expect(back == expected)
        #expect(back.radGraphJSON() == json)
        let withConcepts = try EntityGraph(radGraphJSON: g.radGraphJSON(includeConcepts: true))
        #expect(withConcepts == g)
    }

    @Test func writesRadGraphKeysInOrder() {
        let json = GraphExtractor.extract(text: "No effusion.").radGraphJSON()
        #expect(json == #"{"text": "No effusion .", "entities": {"1": {"tokens": "effusion", "label": "OBS-DA", "#
                + #""start_ix": 1, "end_ix": 1, "relations": []}}, "data_source": null, "data_split": "inference"}"#)
    }

    @Test(arguments: [
        "", "[]", "{\"text\": \"x\"}", "{\"entities\": {\"1\": {\"tokens\": \"x\"}}}",
        "{\"entities\": {\"1\": {\"tokens\": \"x\", \"label\": \"BAD\", \"start_ix\": 0, \"end_ix\": 0}}}",
        "{\"entities\": {\"1\": {\"tokens\": \"x\", \"label\": \"OBS-DP\", \"start_ix\": 2, \"end_ix\": 1}}}",
        "{\"entities\": {\"1\": {\"tokens\": \"x\", \"label\": \"OBS-DP\", \"start_ix\": 0, \"end_ix\": 0, "
            + "\"relations\": [[\"modify\", \"9\"]]}}}",
    ])
    func malformedJSONThrowsOneClearError(json: String) {
        #expect(throws: GraphError.self) { _ = try EntityGraph(radGraphJSON: json) }
    }
}
