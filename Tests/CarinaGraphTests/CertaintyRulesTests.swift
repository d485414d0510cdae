import CarinaTestSupport
import Testing
@testable import CarinaGraph

/// Mention, negation and uncertainty conventions of the CheXpert labels (see `schemas/lexicon/cues.tsv` and
/// `CertaintyScope`), one sentence pattern each.
@Suite struct CertaintyRulesTests {
    static func label(_ text: String, _ column: String) -> Float? {
        GraphExtractor.labels(sections: [("impression", text)])[column]
    }

    @Test func negationCoversListsAndConjunctions() {
        let text = "No pleural effusion, pneumothorax or focal consolidation."
        #expect(Self.label(text, "Pleural Effusion") == 0)
        #expect(Self.label(text, "Pneumothorax") == 0)
        #expect(Self.label(text, "Consolidation") == 0)
        // A missing comma before an or-list keeps the list negated.
        let missing = "No evidence of focal airspace consolidation large pleural effusion or pneumothorax."
        #expect(Self.label(missing, "Pneumothorax") == 0)
        #expect(Self.label(missing, "Pleural Effusion") == 0)
        // Stacked modifiers stay in the negated noun phrase; a new noun phrase after a head does not.
        let stacked = "Negative for pneumothorax, pleural effusion or large focal airspace consolidation."
        #expect(Self.label(stacked, "Consolidation") == 0)
        let hernia = GraphExtractor.extract(text: "No acute process moderate hiatal hernia.")
        #expect(hernia.entities.values.first { $0.tokens == "hernia" }?.label == "OBS-DP")
        // A new clause ends the scope.
        let clauses = "No pleural effusion is seen and there is a small right pneumothorax."
        #expect(Self.label(clauses, "Pleural Effusion") == 0)
        #expect(Self.label(clauses, "Pneumothorax") == 1)
    }

    @Test func pseudoNegationIsNotNegation() {
        #expect(Self.label("No change in the small left pleural effusion.", "Pleural Effusion") == 1)
        #expect(Self.label("No interval increase in the right pneumothorax.", "Pneumothorax") == 1)
        #expect(Self.label("Almost completely resolved right apical pneumothorax.", "Pneumothorax") == 1)
        #expect(Self.label("Small left apical pneumothorax, not seen on the prior study.", "Pneumothorax") == 1)
    }

    @Test func resolutionAndHistoryAreAbsent() {
        #expect(Self.label("Resolved left lower lobe pneumonia.", "Pneumonia") == 0)
        #expect(Self.label("The right pneumothorax has resolved.", "Pneumothorax") == 0)
        #expect(Self.label("The left effusion is no longer seen.", "Pleural Effusion") == 0)
        #expect(Self.label("The right basilar consolidation has cleared.", "Consolidation") == 0)
        #expect(Self.label("Interval resolution of the left effusion.", "Pleural Effusion") == 0)
        #expect(Self.label("The pneumothorax is no longer visible.", "Pneumothorax") == 0)
    }

    @Test func hedgesAreUncertain() {
        #expect(Self.label("Early pulmonary edema cannot be excluded.", "Edema") == -1)
        #expect(Self.label("Left basilar opacity may represent pneumonia.", "Pneumonia") == -1)
        #expect(Self.label("Differential includes pneumonia.", "Pneumonia") == -1)
        #expect(Self.label("Left basilar atelectasis versus consolidation.", "Atelectasis") == -1)
        #expect(Self.label("Left basilar atelectasis versus consolidation.", "Consolidation") == -1)
        #expect(Self.label("Aspiration or edema are also possible.", "Edema") == -1)
        #expect(Self.label("Please correlate clinically for pneumonia.", "Pneumonia") == -1)
        // "likely" is a hedge (RadGraph's OBS-U); "suggestive of" states the finding, as in the CheXpert labeller.
        #expect(Self.label("Bibasilar opacities, likely atelectasis.", "Atelectasis") == -1)
        #expect(Self.label("Opacities most suggestive of pulmonary edema.", "Edema") == 1)
    }

    @Test func normalStatesNegateTheirSubject() {
        #expect(Self.label("Heart size is normal.", "Cardiomegaly") == 0)
        #expect(Self.label("Heart size is normal.", "No Finding") == 1)
        let subject = "Heart size and pulmonary vascular engorgement appear within limits of normal."
        #expect(Self.label(subject, "Edema") == 0)
        #expect(Self.label(subject, "No Finding") == 1)
        // A comma ends the subject: the cardiomegaly before it stands.
        #expect(Self.label("Mild cardiomegaly, lungs are clear.", "Cardiomegaly") == 1)
        // `clear` right before a finding is `clear of` it; `clear lungs` and a finding after a comma stand.
        #expect(Self.label("Lungs are expanded and clear airspace disease.", "Lung Opacity") == 0)
        #expect(Self.label("Lungs are expanded and clear airspace disease.", "No Finding") == 1)
        #expect(Self.label("Clear lungs, patchy right basilar opacity.", "Lung Opacity") == 1)
        // Heart size at the upper limit of normal is normal; a borderline heart is cardiomegaly.
        #expect(Self.label("Heart size is at the upper limits of normal.", "Cardiomegaly") == 0)
        #expect(Self.label("Heart size is at the upper limits of normal.", "No Finding") == 1)
        #expect(Self.label("Borderline enlarged heart.", "Cardiomegaly") == 1)
        #expect(Self.label("Borderline heart size.", "Cardiomegaly") == 1)
        // Surgical changes and clips are no CheXpert class: No Finding stands.
        let surgical = "Cholecystectomy clips. Postsurgical changes of sternotomy. Lungs are clear."
        #expect(Self.label(surgical, "No Finding") == 1)
    }

    @Test func compoundFindingsAreNotTheirNeighbours() {
        // Vascular congestion is not edema, but no congestion is no edema.
        #expect(Self.label("Mild pulmonary vascular congestion.", "Edema") == nil)
        #expect(Self.label("Mild pulmonary vascular congestion.", "No Finding") == nil)
        #expect(Self.label("No pulmonary vascular congestion.", "Edema") == 0)
        #expect(Self.label("Moderate pulmonary edema.", "Edema") == 1)
        #expect(Self.label("Soft tissue edema of the ankle.", "Edema") == nil)
        // Infection is not pneumonia; tuberculosis is neither.
        #expect(Self.label("Findings suspicious for infection.", "Pneumonia") == nil)
        #expect(Self.label("Right upper lobe opacity consistent with infection.", "Pneumonia") == nil)
        #expect(Self.label("No evidence of infection.", "Pneumonia") == 0)
        #expect(Self.label("Right lower lobe pneumonia.", "Pneumonia") == 1)
        #expect(Self.label("No evidence of active tuberculosis.", "Pneumonia") == nil)
        // An enlarged cardiac chamber is not cardiomegaly.
        #expect(Self.label("Enlarged left ventricle.", "Cardiomegaly") == nil)
    }

    @Test func devicesAreSupportDevicesAndNeverFindings() {
        #expect(Self.label("Right PICC with tip in the SVC. Lungs are clear.", "Support Devices") == 1)
        #expect(Self.label("Right PICC with tip in the SVC. Lungs are clear.", "No Finding") == 1)
        #expect(Self.label("The endotracheal tube has been removed.", "Support Devices") == 0)
    }

    @Test func noFindingNeedsEveryAbnormalityAbsent() {
        #expect(Self.label("Lungs are clear. Tortuous thoracic aorta.", "No Finding") == nil)
        #expect(Self.label("The lung volumes are low. Lungs are clear.", "No Finding") == nil)
        #expect(Self.label("Mild S-shaped curvature of the thoracic spine.", "No Finding") == nil)
        #expect(Self.label("Lungs are clear. No pneumothorax.", "No Finding") == 1)
    }

    @Test func nodularOpacitiesAreOpacitiesAndLesions() {
        #expect(Self.label("Nodular opacity in the right upper lobe.", "Lung Opacity") == 1)
        #expect(Self.label("Nodular opacity in the right upper lobe.", "Lung Lesion") == 1)
        #expect(Self.label("Small nodule in the right upper lobe.", "Lung Opacity") == nil)
    }

    /// The labels on their own and the labels `extractWithLabels` gives with the graph agree on real reports,
    /// for both sources.
    @Test func labelsAndExtractWithLabelsAgreeOnIUReports() throws {
        let reports = try IUMeSHQualityTests.reports().prefix(800)
        var differ = 0
        var sourcesDiffer = 0
        for r in reports {
            let sections = [("findings", r.findings), ("impression", r.impression)]
            for source in LabelSource.allCases {
                let alone = GraphExtractor.labels(sections: sections, source: source)
                if alone != GraphExtractor.extractWithLabels(sections: sections, source: source).labels { differ += 1 }
            }
            if GraphExtractor.labels(sections: sections, source: .report)
                != GraphExtractor.labels(sections: sections, source: .impression) { sourcesDiffer += 1 }
        }
        #expect(differ == 0)
        #expect(sourcesDiffer > 100)
        // Without a source the MIMIC-CXR convention applies.
        let s = [("findings", "Small left effusion."), ("impression", "No acute process.")]
        #expect(GraphExtractor.extractWithLabels(sections: s).labels == GraphExtractor.labels(sections: s, source: .impression))
        #expect(CheXpertLabels(sections: s) == GraphExtractor.labels(sections: s))
        #expect(CheXpertLabels(sections: s, source: .report)["Pleural Effusion"] == 1)
        #expect(CheXpertLabels(sections: s)["Pleural Effusion"] == nil)
    }
}
