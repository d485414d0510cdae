import Testing
@testable import CarinaGraph

/// Bad input gives a sensible graph, never a crash.
@Suite struct BadInputTests {
    @Test(arguments: [
        "", "   \n\n  ", ".", "___", "XXXX XXXX.", "\u{0}\u{1}\u{7f}", "?!?!;;;,,,", "-", "a-", "-a", "1.2.3.",
        "Ünïcödé çhäracters ñ 日本語 テキスト 😀", "NO ACUTE CARDIOPULMONARY PROCESS. NO PNEUMOTHORAX OR EFFUSION.",
        "Comparison: ___. Findings: ___ ___ effusion ___.", "s/p ___ with XXXX-XXXX ___ .",
        String(repeating: "no ", count: 2000), String(repeating: "(", count: 500),
    ])
    func oddTextNeverCrashes(text: String) {
        let g = GraphExtractor.extract(text: text)
        let labels = CheXpertLabels(graph: g)
        #expect(labels.values.count == 14)
        #expect(ConceptVocabulary.multiHot(g).count == 64)
        for e in g.entities.values {
            #expect(e.startIndex <= e.endIndex)
            for r in e.relations { #expect(g.entities[r[1]] != nil) }
        }
        _ = g.textView()
    }

    @Test func allCapsReadsLikeLowerCase() {
        let upper = CheXpertLabels(graph: GraphExtractor.extract(text: "SMALL LEFT PLEURAL EFFUSION. NO PNEUMOTHORAX."))
        let lower = CheXpertLabels(graph: GraphExtractor.extract(text: "small left pleural effusion. no pneumothorax."))
        #expect(upper == lower)
        #expect(upper["Pleural Effusion"] == 1)
    }

    @Test func deidentificationMarksAreOrdinaryTokens() {
        let g = GraphExtractor.extract(text: "Compared to ___, there is a new ___ opacity. There are no XXXX of effusion.")
        #expect(g.text.contains("___"))
        let labels = CheXpertLabels(graph: g)
        #expect(labels["Lung Opacity"] == 1)
        #expect(labels["Pleural Effusion"] == 0)
    }

    @Test(arguments: ["left ", "mild ", "no effusion , mild ", "heart and ", "effusion may represent ", "- ", "the "])
    func longRunsWithoutPunctuationStayLinear(unit: String) {
        // 60,000 tokens in one sentence: every rule looks at most a fixed window away, so this is fast.
        let text = String(repeating: unit, count: 60_000 / max(1, unit.split(separator: " ").count))
        let g = GraphExtractor.extract(text: text)
        #expect(g.entities.count <= 60_000)
        #expect(CheXpertLabels(graph: g).values.count == 14)
    }

    @Test func veryLongReportIsLinearAndComplete() {
        let sentence = "Small left pleural effusion with adjacent atelectasis, no pneumothorax. "
        let text = String(repeating: sentence, count: 5000)
        let g = GraphExtractor.extract(text: text)
        #expect(g.entities.values.filter { $0.concept == "pneumothorax" }.count == 5000)
        #expect(g.entities.values.allSatisfy { $0.concept != "pneumothorax" || $0.label == "OBS-DA" })
    }
}
