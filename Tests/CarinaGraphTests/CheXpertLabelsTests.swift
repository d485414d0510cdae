import CarinaTestSupport
import Foundation
import Testing
@testable import CarinaGraph

/// CheXpert-14 labels against the golden outputs of the CheXpert labeller and NegBio in ../shared/data.
@Suite struct CheXpertLabelsTests {
    @Test func columnsAreTheMIMICCSVOrder() {
        #expect(CheXpertLabels.csvHeader == "subject_id,study_id,Atelectasis,Cardiomegaly,Consolidation,Edema,"
                + "Enlarged Cardiomediastinum,Fracture,Lung Lesion,Lung Opacity,No Finding,Pleural Effusion,"
                + "Pleural Other,Pneumonia,Pneumothorax,Support Devices")
    }

    @Test func goldenCheXpertLabellerReportsMatchExactly() throws {
        let path = SharedData.path("reports/chexpert-labeler/labeled_reports.csv")
        let rows = try CSV.parse(try String(contentsOfFile: path, encoding: .utf8))
        let header = rows[0]
        #expect(rows.count == 5)
        for row in rows.dropFirst() {
            let labels = CheXpertLabels(sections: [("impression", row[0])])
            for (k, name) in header.enumerated().dropFirst() {
                let expected: Float? = row[k].isEmpty ? nil : Float(row[k])
                #expect(labels[name] == expected, "\(name) of \"\(row[0])\"")
            }
        }
    }

    @Test func goldenNegBioCheXpertAnnotations() throws {
        let xml = try String(contentsOfFile: SharedData.path("reports/negbio/negbio2-pipeline-golden/1.neg_chexpert.xml"),
                             encoding: .utf8)
        let report = try String(contentsOfFile: SharedData.path("reports/negbio/00019248.txt"), encoding: .utf8)
        let labels = CheXpertLabels(sections: [("findings", report)])
        // NegBio's document-level infons for 00019248 (its "Airspace Opacity" is CheXpert's Lung Opacity).
        #expect(xml.contains("<infon key=\"CheXpert/Cardiomegaly\">Positive</infon>"))
        #expect(labels["Cardiomegaly"] == 1)
        #expect(labels["Lung Opacity"] == 0)
        #expect(labels["Pneumothorax"] == 0)
        #expect(labels["Pleural Effusion"] == 0)
        #expect(labels["Support Devices"] == 1)
        #expect(labels["No Finding"] == nil)
        let other = try String(contentsOfFile: SharedData.path("reports/negbio/00000086.txt"), encoding: .utf8)
        let otherLabels = CheXpertLabels(sections: [("findings", other)])
        #expect(otherLabels["Pneumothorax"] == 0)
        // NegBio calls `heart and mediastinum are stable` a positive Enlarged Cardiomediastinum mention; Carina,
        // like the CheXpert convention for stable heart size, makes a stable mediastinum uncertain.
        #expect(otherLabels["Enlarged Cardiomediastinum"] == -1)
    }

    @Test func noFindingRule() {
        #expect(CheXpertLabels(graph: GraphExtractor.extract(text: "Lungs are clear. No effusion."))["No Finding"] == 1)
        #expect(CheXpertLabels(graph: GraphExtractor.extract(text: "Right PICC. Lungs are clear."))["No Finding"] == 1)
        #expect(CheXpertLabels(graph: GraphExtractor.extract(text: "Mild scoliosis."))["No Finding"] == nil)
        #expect(CheXpertLabels(graph: GraphExtractor.extract(text: "Possible small effusion."))["No Finding"] == nil)
        let empty = CheXpertLabels(graph: EntityGraph())
        #expect(empty.csvFields() == ["", "", "", "", "", "", "", "", "1.0", "", "", "", "", ""])
    }

    @Test func heartFailureMakesCardiomegalyUncertain() {
        let labels = CheXpertLabels(graph: GraphExtractor.extract(text: "Findings consistent with CHF."))
        #expect(labels["Edema"] == 1)
        #expect(labels["Cardiomegaly"] == -1)
    }

    @Test func strongestCertaintyWins() {
        let labels = CheXpertLabels(graph: GraphExtractor.extract(
            text: "No right effusion. Possible left effusion. Heart size is stable. The heart is enlarged."))
        #expect(labels["Pleural Effusion"] == -1)
        #expect(labels["Cardiomegaly"] == 1)
        #expect(labels.csvRow(subjectID: "1", studyID: "2").hasPrefix("1,2,,1.0,"))
    }

    @Test func multiHotHasSixtyFourTargets() throws {
        let hot = ConceptVocabulary.multiHot(GraphExtractor.extract(
            text: "Right lower lobe consolidation. Endotracheal tube in place. No pneumothorax."))
        #expect(hot.count == 64)
        let on = Set(zip(ConceptVocabulary.trainingConcepts, hot).filter { $0.1 == 1 }.map(\.0))
        #expect(on == ["consolidation", "endotracheal_tube", "lung_base"])
        let normal = ConceptVocabulary.multiHot(GraphExtractor.extract(text: "The lungs are clear."))
        #expect(Set(zip(ConceptVocabulary.trainingConcepts, normal).filter { $0.1 == 1 }.map(\.0)) == ["normal"])
        #expect(ConceptVocabulary.multiHot(EntityGraph()).allSatisfy { $0 == 0 })
    }
}

/// A small RFC 4180 csv reader for the golden files (quoted fields may hold commas and newlines).
enum CSV {
    static func parse(_ text: String) throws -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var it = Array(text).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = it.next() {
                        if n == "\"" { field.append("\"") } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else { field.append(c) }
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n":
                row.append(field); field = ""
                rows.append(row); row = []
            default: field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
