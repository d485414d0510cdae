import CarinaShards

/// The Carina record schema: every column's name and MDS encoding, and the schema version each record carries.
///
/// `schemas/records/README.md` documents each column's meaning. Nothing outside this module spells a column name:
/// ingest writes through ``CarinaRecord``, and the loader, the shard tools and the exports read through it.
public enum RecordSchema {
    /// The version this Carina writes.
    public static let version = "carina-record/2"
    /// The earlier version, which still reads (without the graph's structure, see ``RecordLayout``).
    public static let version1 = "carina-record/1"

    /// The column names.
    public enum Column: String, Sendable, CaseIterable {
        case concepts, dicomID = "dicom_id", entities, findings, graph, height, image, imageFormat = "image_format"
        case impression, labelSource = "label_source", labels, meta, rawRange = "raw_range", relations, report
        case schema, sections, source, split, studyID = "study_id", subjectID = "subject_id", view, width
    }

    /// Values in the `labels` column: the 14 CheXpert classes in `mimic-cxr-2.0.0-chexpert.csv` order.
    public static let labelCount = 14
    /// Values in the `concepts` column (`schemas/lexicon/training-concepts.txt`).
    public static let conceptCount = 64

    /// The columns of a `carina-record/2` record whose image is stored as `format`, sorted by name as MDS requires.
    public static func columns(imageFormat format: RecordImageFormat) -> [ColumnSpec] {
        let encodings: [Column: String] = [
            .concepts: "ndarray:float32:\(conceptCount)", .dicomID: "str", .entities: "json", .findings: "str",
            .graph: "json", .height: "int", .image: format.mdsEncoding, .imageFormat: "str", .impression: "str",
            .labelSource: "str", .labels: "ndarray:float32:\(labelCount)", .meta: "json", .rawRange: "ndarray:int32:2",
            .relations: "json", .report: "str", .schema: "str", .sections: "json", .source: "str", .split: "str", .studyID: "str",
            .subjectID: "str", .view: "str", .width: "int",
        ]
        return Column.allCases.map { ColumnSpec(name: $0.rawValue, encoding: encodings[$0]!) }
            .sorted { $0.name < $1.name }
    }

    /// The columns of a `carina-record/1` record (no `entities`, `relations`, `raw_range` or `label_source`).
    public static func version1Columns(imageFormat format: RecordImageFormat) -> [ColumnSpec] {
        let added: Set<String> = [Column.entities, .relations, .rawRange, .labelSource, .source].map(\.rawValue).reduce(into: []) {
            $0.insert($1)
        }
        return columns(imageFormat: format).filter { !added.contains($0.name) }
    }

    /// The CheXpert class names, in the `labels` column's order.
    public static let labelNames = [
        "Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Enlarged Cardiomediastinum", "Fracture",
        "Lung Lesion", "Lung Opacity", "No Finding", "Pleural Effusion", "Pleural Other", "Pneumonia", "Pneumothorax",
        "Support Devices",
    ]
}

/// Which version of the record a dataset holds, told from its columns.
public enum RecordLayout: Sendable, Equatable {
    /// `carina-record/2`: every column, the graph's entities and relations among them.
    case version2
    /// `carina-record/1`: images, texts, labels and the graph JSON, but no entity offsets, `raw_range` (read from
    /// `meta`) or `label_source`.
    case version1

    /// The layout of a dataset with these columns.
    ///
    /// - Throws: ``RecordError`` (`unsupportedSchema`) when the columns are not a Carina record's.
    public init(columns: [ColumnSpec]) throws(RecordError) {
        let names = Set(columns.map(\.name))
        let required: [RecordSchema.Column] = [.image, .imageFormat, .impression, .findings, .dicomID]
        guard required.allSatisfy({ names.contains($0.rawValue) }) else {
            let missing = required.filter { !names.contains($0.rawValue) }.map(\.rawValue)
            throw RecordError(.unsupportedSchema, "these shards are not Carina records (no "
                + missing.joined(separator: ", ") + " column); write them with `carina ingest`")
        }
        self = names.contains(RecordSchema.Column.entities.rawValue) ? .version2 : .version1
    }

    public var version: String {
        switch self {
        case .version2: RecordSchema.version
        case .version1: RecordSchema.version1
        }
    }
}
