import CarinaTestSupport
import Foundation
import Testing
@testable import CarinaGraph

/// The lexicon: every concept is found by every one of its terms, the compiled-in text is the schemas/ files.
@Suite struct LexiconTests {
    static let conceptIDs = Lexicon.standard.concepts.map(\.id)

    @Test(arguments: conceptIDs)
    func everyTermOfTheConceptIsFound(id: String) throws {
        let concept = try #require(Lexicon.standard.concept(named: id))
        #expect(!concept.terms.isEmpty)
        for term in concept.terms {
            let g = GraphExtractor.extract(text: "\(term).")
            // The term's last word carries the concept (leading anatomy and side words are entities of their own).
            let words = Tokenizer.tokenize(term).map(\.text)
            let hit = g.entities.values.first { $0.concept == id && $0.endIndex == words.count - 1 }
            #expect(hit != nil, "term '\(term)' of \(id) gave \(g.entities.values.map { ($0.tokens, $0.concept) })")
            if let hit {
                #expect(hit.label == (concept.isObservation ? "OBS-DP" : "ANAT-DP"), "term '\(term)'")
            }
        }
    }

    @Test(arguments: conceptIDs)
    func everyFindingAndDeviceIsNegatedAfterNo(id: String) throws {
        let concept = try #require(Lexicon.standard.concept(named: id))
        guard concept.kind == .finding || concept.kind == .device else { return }
        let term = concept.terms[0]
        let g = GraphExtractor.extract(text: "No \(term).")
        #expect(g.entities.values.first { $0.concept == id }?.label == "OBS-DA", "No \(term)")
        let u = GraphExtractor.extract(text: "Possible \(term).")
        #expect(u.entities.values.first { $0.concept == id }?.label == "OBS-U", "Possible \(term)")
    }

    @Test func everyCheXpertClassHasAConceptAndEveryClassNameIsValid() {
        let covered = Set(Lexicon.standard.concepts.flatMap { $0.chexpertClasses + $0.chexpertUncertainClasses })
        #expect(covered == Set(CheXpertLabels.columns).subtracting(["No Finding"]))
    }

    @Test func trainingConceptsAreSixtyFourKnownConcepts() {
        let ids = ConceptVocabulary.trainingConcepts
        #expect(ids.count == 64)
        #expect(Set(ids).count == 64)
        for id in ids { #expect(Lexicon.standard.concept(named: id) != nil, "\(id)") }
    }

    @Test func pluralsAndHyphensMatch() {
        #expect(Lexicon.standard.conceptID(forTerm: "opacities") == "opacity")
        #expect(Lexicon.standard.conceptID(forTerm: "Air-space disease") == "airspace_disease")
        #expect(Lexicon.standard.conceptID(forTerm: "masses") == "mass")
        #expect(Lexicon.standard.conceptID(forTerm: "atelectasis") == "atelectasis")
        #expect(Lexicon.standard.conceptID(forTerm: "zebra") == nil)
    }

    @Test func compiledLexiconIsTheSchemasFiles() throws {
        let folder = SharedData.repositoryRoot.appendingPathComponent("schemas/lexicon")
        let files = [("concepts.tsv", LexiconData.concepts), ("cues.tsv", LexiconData.cues),
                     ("compositions.tsv", LexiconData.compositions), ("mesh.tsv", LexiconData.mesh),
                     ("training-concepts.txt", LexiconData.trainingConcepts)]
        for (name, embedded) in files {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(text.trimmingCharacters(in: .newlines) == embedded,
                    "\(name) changed: run python3 Scripts/graph-lexicon.py")
        }
    }

    @Test func malformedLexiconRowsAreRejectedWithTheirLine() {
        #expect(throws: GraphError.self) {
            _ = try Lexicon(concepts: "# version 1\nx\tfinding\tOBS\n", cues: "", compositions: "")
        }
        do {
            _ = try Lexicon(concepts: "a\tfinding\tOBS\t-\tyes\tfoo\nb\tfinding\tOBS\t-\tyes\tfoo\n", cues: "",
                            compositions: "")
            Issue.record("a term in two concepts was accepted")
        } catch {
            #expect(error.message.contains("line 2"))
        }
        #expect(throws: GraphError.self) {
            _ = try Lexicon(concepts: "a\tfinding\tOBS\tNot A Class\tyes\tfoo\n", cues: "", compositions: "")
        }
    }
}
