import CarinaCore
/// The free-text report of a synthetic study, in MIMIC-CXR's layout, saying where each drawn finding is.
struct SynthReport {
    let findings: Set<SynthFinding>
    let view: String

    func text(rng: inout SplitMix64) -> String {
        func pick(_ options: [String]) -> String { options[Int(rng.next() % UInt64(options.count))] }
        var findingSentences: [String] = []
        var impression: [String] = []

        if findings.contains(.cardiomegaly) {
            findingSentences.append(pick(["The heart is moderately enlarged.", "There is cardiomegaly.",
                                          "The cardiac silhouette is enlarged."]))
            impression.append("Cardiomegaly.")
        } else {
            findingSentences.append(pick(["The heart size is normal.", "Heart size is within normal limits.",
                                          "The cardiomediastinal silhouette is normal."]))
        }
        let opacities: [(SynthFinding, String)] = [
            (.opacityLeftLower, "left lower lobe"), (.opacityRightLower, "right lower lobe"),
            (.opacityRightUpper, "right upper lobe"),
        ]
        var anyOpacity = false
        for (finding, place) in opacities where findings.contains(finding) {
            anyOpacity = true
            findingSentences.append(pick(["There is a focal opacity in the \(place).",
                                          "A patchy opacity is seen in the \(place), concerning for pneumonia.",
                                          "New consolidation in the \(place)."]))
            impression.append("\(place.prefix(1).uppercased() + place.dropFirst()) opacity.")
        }
        if !anyOpacity { findingSentences.append(pick(["The lungs are clear.", "No focal consolidation.",
                                                       "There is no focal opacity."])) }
        let left = findings.contains(.effusionLeft), right = findings.contains(.effusionRight)
        switch (left, right) {
        case (true, true):
            findingSentences.append("Small bilateral pleural effusions are present.")
            impression.append("Bilateral pleural effusions.")
        case (true, false):
            findingSentences.append(pick(["There is a small left pleural effusion.", "Small left pleural effusion."]))
            impression.append("Small left pleural effusion.")
        case (false, true):
            findingSentences.append(pick(["There is a small right pleural effusion.", "Small right pleural effusion."]))
            impression.append("Small right pleural effusion.")
        case (false, false):
            break
        }
        if findings.contains(.pneumothoraxRight) {
            findingSentences.append("There is a small right apical pneumothorax.")
            impression.append("Small right apical pneumothorax.")
        }
        var negatives: [String] = []
        if !left && !right { negatives.append("pleural effusion") }
        if !findings.contains(.pneumothoraxRight) { negatives.append("pneumothorax") }
        if !negatives.isEmpty { findingSentences.append("No \(negatives.joined(separator: " or ")).") }
        if findings.contains(.centralLine) {
            findingSentences.append("A right internal jugular central venous catheter terminates in the superior vena cava.")
            impression.append("Right internal jugular line in the superior vena cava.")
        }
        if impression.isEmpty { impression.append(pick(["No acute cardiopulmonary process.",
                                                        "No acute intrathoracic abnormality."])) }

        let examination = view == "AP" ? "CHEST (PORTABLE AP)" : "CHEST (PA AND LAT)"
        var lines = ["                                 FINAL REPORT"]
        lines += Self.wrap("EXAMINATION:  \(examination)") + [" "]
        lines += Self.wrap("INDICATION:  ___ year old with " + pick(["cough", "shortness of breath", "fever",
                                                                     "chest pain"]) + ".") + [" "]
        lines += Self.wrap("TECHNIQUE:  Chest \(view == "AP" ? "portable AP" : "PA and lateral")") + [" "]
        lines += Self.wrap("COMPARISON:  " + pick(["None.", "___", "Chest radiograph from ___."])) + [" "]
        lines += [" FINDINGS: ", " "] + Self.wrap(findingSentences.joined(separator: " ")) + [" "]
        lines += [" IMPRESSION: ", " "] + Self.wrap(impression.joined(separator: " "))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Wraps at 79 columns with MIMIC's one leading space.
    static func wrap(_ text: String) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !line.isEmpty && line.count + 1 + word.count > 78 {
                lines.append(" " + line)
                line = String(word)
            } else {
                line += (line.isEmpty ? "" : " ") + word
            }
        }
        if !line.isEmpty { lines.append(" " + line) }
        return lines
    }
}
