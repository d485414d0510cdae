/// The 14 CheXpert labels of a study, in the column order and value convention of `mimic-cxr-2.0.0-chexpert.csv`.
///
/// Each class takes the strongest certainty among the findings that support it: present (1) over uncertain (−1)
/// over absent (0); a class no finding mentions is blank (nil). A related finding (`Edema~` in the lexicon:
/// `vascular congestion`, `infection`) only rules its class out when it is absent itself. `No Finding` follows the CheXpert labeller's rule:
/// 1 when no finding that rules it out (every finding except support devices, see `blocks_no_finding` in the
/// lexicon) is present or uncertain, else blank.
///
/// ```swift
/// let labels = CheXpertLabels(graph: GraphExtractor.extract(text: "Cardiomegaly without edema."))
/// labels.csvFields()  // ["", "1.0", "", "0.0", …]
/// ```
public struct CheXpertLabels: Sendable, Equatable {
    /// The 14 classes, in csv order.
    public static let columns: [String] = [
        "Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Enlarged Cardiomediastinum", "Fracture",
        "Lung Lesion", "Lung Opacity", "No Finding", "Pleural Effusion", "Pleural Other", "Pneumonia",
        "Pneumothorax", "Support Devices",
    ]

    /// The csv header: `subject_id,study_id` and the 14 classes.
    public static let csvHeader = (["subject_id", "study_id"] + columns).joined(separator: ",")

    /// One value per column: 1, 0, −1, or nil for blank.
    public var values: [Float?]

    /// Labels given directly (14 values in `columns` order).
    public init(values: [Float?]) {
        precondition(values.count == Self.columns.count, "CheXpertLabels needs 14 values, got \(values.count)")
        self.values = values
    }

    /// The labels a graph asserts.
    public init(graph: EntityGraph) {
        self.init(findings: ConceptResolver.findings(graph), lexicon: .standard)
    }

    /// The labels of a report's sections by the MIMIC-CXR convention: the impression, else the findings, else the
    /// last section (`GraphExtractor.labelSections`).
    public init(sections: [(name: String, text: String)]) {
        self = GraphExtractor.labels(sections: sections, source: .impression)
    }

    /// The labels of a report's sections from `source` (`GraphExtractor.labels(sections:source:)`).
    public init(sections: [(name: String, text: String)], source: LabelSource) {
        self = GraphExtractor.labels(sections: sections, source: source)
    }

    static let columnIndex: [String: Int] = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) })
    static let noFindingColumn = columnIndex["No Finding"]!

    /// The labels of resolved findings.
    init(findings: [ConceptResolver.Finding], lexicon: Lexicon) {
        var values = [Float?](repeating: nil, count: Self.columns.count)
        var noFinding = true
        func merge(_ column: Int, _ c: Certainty) {
            let rank: (Float?) -> Int = { v in v == 1 ? 3 : v == -1 ? 2 : v == 0 ? 1 : 0 }
            if rank(c.chexpertValue) > rank(values[column]) { values[column] = c.chexpertValue }
        }
        for f in findings {
            guard let concept = lexicon.concept(named: f.concept) else { continue }
            if concept.blocksNoFinding && f.certainty != .absent { noFinding = false }
            for cls in concept.chexpertClasses {
                guard let column = Self.columnIndex[cls] else { continue }
                merge(column, f.certainty)
                if cls != "Support Devices" && f.certainty != .absent { noFinding = false }
            }
            for cls in concept.chexpertHedgedClasses where f.certainty == .absent {
                // A related finding: its absence says the class is absent, its presence says nothing of it.
                if let column = Self.columnIndex[cls] { merge(column, .absent) }
            }
            if f.certainty != .absent {
                for cls in concept.chexpertUncertainClasses {
                    if let column = Self.columnIndex[cls] { merge(column, .uncertain) }
                }
            }
        }
        if noFinding { values[Self.noFindingColumn] = 1 }
        self.values = values
    }

    /// The 14 values as csv fields: `1.0`, `0.0`, `-1.0` or empty.
    public func csvFields() -> [String] {
        values.map { v in
            switch v {
            case nil: ""
            case let x? where x == 1: "1.0"
            case let x? where x == 0: "0.0"
            case let x? where x == -1: "-1.0"
            case let x?: String(x)
            }
        }
    }

    /// One csv row: `subject_id,study_id,` then the 14 fields.
    public func csvRow(subjectID: String, studyID: String) -> String {
        ([subjectID, studyID] + csvFields()).joined(separator: ",")
    }

    /// The value of a class by name (nil when blank or the name is not a CheXpert class).
    public subscript(_ column: String) -> Float? {
        Self.columnIndex[column].flatMap { values[$0] }
    }
}
