/// A batch as text a person can check: each sample's sequences as WordPiece tokens, its entities on the tokens they
/// cover, the relations between them, and its labels (`carina stream --show-batch`).
public struct BatchText {
    public let text: String

    static let kinds = ["anatomy", "observation", "device"]
    static let certainties = ["present", "uncertain", "absent"]
    static let relationKinds = ["located_at", "modify", "suggestive_of"]
    static let labelNames = [
        "Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Enlarged Cardiomediastinum", "Fracture",
        "Lung Lesion", "Lung Opacity", "No Finding", "Pleural Effusion", "Pleural Other", "Pneumonia", "Pneumothorax",
        "Support Devices",
    ]

    public init(batch: TrainingBatch, tokenizer: WordPieceTokenizer, concepts: [String] = []) {
        var names = [Int32: String]()
        for (token, id) in tokenizer.vocabulary where names[id] == nil { names[id] = token }
        let t = batch.textLength
        var lines: [String] = []
        lines.append("batch: \(batch.batchSize) samples, images \(batch.batchSize)x1x\(batch.imageSize)x\(batch.imageSize), "
            + "text \(batch.batchSize)x\(t), entities \(batch.batchSize)x\(batch.maxEntities), "
            + "relations \(batch.batchSize)x\(batch.maxRelations)x3, [MASK] id \(batch.maskTokenID)")
        for i in 0..<batch.batchSize {
            lines.append("")
            lines.append("sample \(i): \(batch.keys[i])")
            var sequences: [[String]] = []
            for (name, ids, mask, present, words) in [
                ("impression", batch.impressionIDs, batch.impressionMask, batch.impressionPresent, batch.impressionWordIndex),
                ("findings", batch.findingsIDs, batch.findingsMask, batch.findingsPresent, batch.findingsWordIndex),
            ] {
                var tokens: [String] = []
                for p in 0..<t where mask[i * t + p] != 0 {
                    let token = names[ids[i * t + p]] ?? "?"
                    let word = words.isEmpty ? "" : words[i * t + p] >= 0 ? "/\(words[i * t + p])" : ""
                    tokens.append("\(p):\(token)\(word)")
                }
                sequences.append((0..<t).map { names[ids[i * t + $0]] ?? "?" })
                lines.append("  \(name)\(present[i] == 0 ? " (absent)" : ""): " + tokens.joined(separator: " "))
            }
            let n = batch.maxEntities
            var entityNames: [String] = []
            for k in 0..<n where !batch.entityMask.isEmpty && batch.entityMask[i * n + k] != 0 {
                let at = i * n + k
                let sequence = Int(batch.entityText[at])
                let span = Int(batch.entityStart[at])..<Int(batch.entityEnd[at])
                let words = span.map { sequences[sequence][$0] }.joined(separator: " ")
                let concept = batch.entityConcept[at]
                let conceptName = concept >= 0 && Int(concept) < concepts.count ? concepts[Int(concept)] : "\(concept)"
                entityNames.append("\"\(words)\"")
                lines.append("  entity \(k): \"\(words)\" \(sequence == 0 ? "impression" : "findings")[\(span.lowerBound)..<"
                    + "\(span.upperBound)] \(Self.kinds[Int(batch.entityKind[at])]) "
                    + "\(Self.certainties[Int(batch.entityCertainty[at])]) concept \(conceptName)")
            }
            let e = batch.maxRelations
            for r in 0..<e where !batch.relationMask.isEmpty && batch.relationMask[i * e + r] != 0 {
                let at = (i * e + r) * 3
                let head = Int(batch.relations[at]), tail = Int(batch.relations[at + 1])
                lines.append("  relation: \(head) \(entityNames[head]) --\(Self.relationKinds[Int(batch.relations[at + 2])])--> "
                    + "\(tail) \(entityNames[tail])")
            }
            if !batch.labels.isEmpty {
                let l = TrainingBatch.labelCount
                let labels = (0..<l).compactMap { c -> String? in
                    batch.labelMask[i * l + c] == 0 ? nil : "\(Self.labelNames[c])=\(Int(batch.labels[i * l + c]))"
                }
                lines.append("  labels: " + (labels.isEmpty ? "(none)" : labels.joined(separator: ", ")))
            }
        }
        text = lines.joined(separator: "\n")
    }
}
