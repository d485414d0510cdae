import CarinaTestSupport
import Foundation
import Testing
@testable import CarinaGraph

/// Entities, certainty and relations on sentences whose reading is not in doubt.
@Suite struct ExtractionTests {
    /// The (tokens, label, concept) triples of a text's graph, in order.
    func entities(_ text: String) -> [(String, String, String?)] {
        let g = GraphExtractor.extract(text: text)
        return g.orderedIDs.map { (g.entities[$0]!.tokens, g.entities[$0]!.label, g.entities[$0]!.concept) }
    }

    func label(_ text: String, _ tokens: String) -> String? {
        entities(text).first { $0.0 == tokens }?.1
    }

    @Test(arguments: [
        ("No pneumothorax or effusion.", "pneumothorax", "OBS-DA"),
        ("No pneumothorax or effusion.", "effusion", "OBS-DA"),
        ("No pneumothorax, effusion, or focal consolidation.", "consolidation", "OBS-DA"),
        ("Cannot exclude pneumonia.", "pneumonia", "OBS-U"),
        ("Pneumonia cannot be excluded.", "Pneumonia", "OBS-U"),
        ("The left effusion has resolved.", "effusion", "OBS-DA"),
        ("Cardiomegaly without overt edema.", "Cardiomegaly", "OBS-DP"),
        ("Cardiomegaly without overt edema.", "edema", "OBS-DA"),
        ("Possible small left effusion.", "effusion", "OBS-U"),
        ("Opacity may represent atelectasis.", "atelectasis", "OBS-U"),
        ("Opacity may represent atelectasis.", "Opacity", "OBS-DP"),
        ("No change in the small right effusion.", "effusion", "OBS-DP"),
        ("Not only atelectasis but also pneumonia.", "atelectasis", "OBS-DP"),
        ("Not only atelectasis but also pneumonia.", "pneumonia", "OBS-DP"),
        ("No effusion, however there is a small pneumothorax.", "pneumothorax", "OBS-DP"),
        ("No pleural effusion is seen and the heart is enlarged.", "enlarged", "OBS-DP"),
        ("There is no evidence of pneumothorax.", "pneumothorax", "OBS-DA"),
        ("Pleural effusions are not seen.", "effusions", "OBS-DA"),
        ("The nasogastric tube has been removed.", "nasogastric tube", "OBS-DA"),
        ("Heart size is normal.", "normal", "OBS-DP"),
        ("NO PNEUMOTHORAX.", "PNEUMOTHORAX", "OBS-DA"),
    ])
    func certainty(text: String, tokens: String, expected: String) {
        #expect(label(text, tokens) == expected, "\(text) → \(entities(text))")
    }

    @Test func radGraphPublicExampleEntitiesMatchRadGraph() throws {
        // RadGraph v1's own output for its README sentence (../shared/data/reports/radgraph): same entities, same
        // spans, same labels; its relations are a subset of Carina's (Carina also writes `modify` and the hernia's
        // location).
        let url = URL(fileURLWithPath: SharedData.path("reports/radgraph/radgraph_public_examples.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let example = try #require(root["radgraph_v1_example"] as? [String: Any])
        let input = try #require((example["input"] as? [String])?.first)
        let output = try JSONSerialization.data(withJSONObject: try #require(example["expected_output"]))
        let expected = try #require(try EntityGraph.radGraphDocuments(json: String(decoding: output, as: UTF8.self)).first)
        let g = GraphExtractor.extract(text: input)
        #expect(g.text == expected.graph.text)
        let ours = g.orderedIDs.map { g.entities[$0]! }.map { "\($0.tokens)|\($0.label)|\($0.startIndex)|\($0.endIndex)" }
        let theirs = expected.graph.orderedIDs.map { expected.graph.entities[$0]! }
            .map { "\($0.tokens)|\($0.label)|\($0.startIndex)|\($0.endIndex)" }
        #expect(ours == theirs)
        for (id, e) in expected.graph.entities {
            for r in e.relations { #expect(g.entities[id]?.relations.contains(r) == true, "\(id) \(r)") }
        }
    }

    /// The id of the entity with these tokens.
    func id(_ g: EntityGraph, _ tokens: String) throws -> String {
        try #require(g.entities.first { $0.value.tokens == tokens }?.key, "no entity '\(tokens)'")
    }

    @Test func relationsOfALocatedFinding() throws {
        let g = GraphExtractor.extract(text: "Small left lower lobe opacity.")
        let lobe = try id(g, "lobe")
        #expect(g.entities[lobe]?.concept == "lung_base")
        #expect(g.entities[try id(g, "lower")]?.relations == [["modify", lobe]])
        #expect(g.entities[try id(g, "opacity")]?.relations.contains(["located_at", lobe]) == true)
        #expect(g.entities[try id(g, "left")]?.relations == [["modify", lobe]])
        #expect(g.entities[try id(g, "Small")]?.relations == [["modify", try id(g, "opacity")]])
    }

    @Test func prepositionalLocationAndSuggestion() throws {
        let g = GraphExtractor.extract(text: "Patchy opacity in the right lung base, likely representing pneumonia.")
        let opacity = g.entities[try id(g, "opacity")]
        #expect(opacity?.relations.contains(["located_at", try id(g, "base")]) == true)
        #expect(opacity?.relations.contains(["suggestive_of", try id(g, "pneumonia")]) == true)
        #expect(g.entities[try id(g, "pneumonia")]?.label == "OBS-U")
    }

    @Test func coordinatedSubjectsOfANormalStatement() throws {
        let g = GraphExtractor.extract(text: "The cardiac and mediastinal contours are within normal limits.")
        let normal = try #require(g.entities.values.first { $0.concept == "normal" })
        let targets = Set(normal.relations.filter { $0[0] == "located_at" }.compactMap { g.entities[$0[1]]?.concept })
        #expect(targets == ["heart", "mediastinum"])
    }

    @Test func tokensAndIndicesFollowRadGraphTokenisation() {
        let g = GraphExtractor.extract(text: "No evidence of pneumothorax following chest tube removal.")
        #expect(g.text == "No evidence of pneumothorax following chest tube removal .")
        let words = g.text.split(separator: " ").map(String.init)
        for e in g.entities.values {
            #expect(words[e.startIndex...e.endIndex].joined(separator: " ") == e.tokens)
        }
    }

    @Test func sectionsFeedTheGraphAndLabelsByTheMIMICConvention() {
        let sections = [("indication", "Pneumonia?"), ("findings", "Small left effusion."),
                        ("impression", "No pneumothorax.")]
        let g = GraphExtractor.extract(sections: sections)
        #expect(Set(g.entities.values.compactMap(\.concept)).isSuperset(of: ["pleural_effusion", "pneumothorax"]))
        #expect(!g.entities.values.contains { $0.concept == "pneumonia" })
        // Labels come from the impression only.
        let labels = CheXpertLabels(sections: sections)
        #expect(labels["Pneumothorax"] == 0)
        #expect(labels["Pleural Effusion"] == nil)
        #expect(GraphExtractor.labelSections([("findings", "Effusion."), ("impression", "  ")]).map(\.name)
                == ["findings"])
    }
}

/// The one-pass graph-and-labels path agrees with the two separate paths.
@Suite struct CombinedExtractionTests {
    @Test(arguments: [
        [("findings", "Small left effusion. Heart size is normal."), ("impression", "No pneumothorax. Possible pneumonia.")],
        [("findings", "Cardiomegaly."), ("impression", "   ")],
        [("indication", "Cough."), ("full report", "Right lower lobe opacity, may represent atelectasis.")],
        [("impression", "")],
    ])
    func sameAsSeparateCalls(sections: [(String, String)]) {
        let s = sections.map { (name: $0.0, text: $0.1) }
        let (graph, labels) = GraphExtractor.extractWithLabels(sections: s)
        #expect(graph == GraphExtractor.extract(sections: s))
        #expect(labels == CheXpertLabels(sections: s))
    }
}
