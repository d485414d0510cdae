import CarinaShards

/// One Carina record: one image with its study's report, sections, graph and labels (`carina-record/2`).
///
/// Ingest builds records and writes ``columnValues()``; readers get them back with ``init(columns:)`` or, column by
/// column, through ``RecordReader``. `schemas/records/README.md` documents every column.
public struct CarinaRecord: Sendable, Equatable {
    public var dicomID: String
    public var studyID: String
    public var subjectID: String
    /// `train`, `validate` or `test`; empty when unknown.
    public var split: String
    /// View position (`PA`, `AP`, `LATERAL`, …); empty when unknown.
    public var view: String
    public var image: [UInt8]
    public var imageFormat: RecordImageFormat
    public var width: Int
    public var height: Int
    /// The declared range `[low, high]` of the stored pixel values: what the loader scales by (white = `high`).
    public var rawRange: (low: Int32, high: Int32)
    /// The impression and findings sections' text; empty means the report has no such section.
    public var impression: String
    public var findings: String
    /// Every section in report order, as Python's `json.dumps` text of `[{"name", "text", "rule"}]`.
    public var sectionsJSON: String
    /// The raw report.
    public var report: String
    /// The entity graph in RadGraph's JSON shape.
    public var graphJSON: String
    public var entities: [RecordEntity]
    public var relations: [RecordRelation]
    /// CheXpert labels, ``RecordSchema/labelNames`` order: 1 positive, 0 negative, -1 uncertain, NaN blank.
    public var labels: [Float]
    /// Where the labels come from: the CheXpert CSV's file name, or `carina:<text>` when Carina derived them from
    /// the report (`carina:impression` or `carina:report`).
    public var labelSource: String
    /// Multi-hot entity concepts (``RecordSchema/conceptCount`` values).
    public var concepts: [Float]
    /// The image's DICOM metadata as JSON.
    public var metaJSON: String
    /// The release the record was ingested from (`RecordSchema.sources`): `mimic-cxr-dicom`, `mimic-cxr-jpg`,
    /// `nih-cxr14`, `chexpert`; empty in shards written before the column.
    public var source: String
    /// The schema version the record was written with.
    public var schema: String = RecordSchema.version

    public init(dicomID: String, studyID: String, subjectID: String, split: String, view: String, image: [UInt8],
                imageFormat: RecordImageFormat, width: Int, height: Int, rawRange: (low: Int32, high: Int32),
                impression: String, findings: String, sectionsJSON: String, report: String, graphJSON: String,
                entities: [RecordEntity], relations: [RecordRelation], labels: [Float], labelSource: String,
                concepts: [Float], metaJSON: String, source: String = "mimic-cxr-dicom") {
        self.source = source
        self.dicomID = dicomID
        self.studyID = studyID
        self.subjectID = subjectID
        self.split = split
        self.view = view
        self.image = image
        self.imageFormat = imageFormat
        self.width = width
        self.height = height
        self.rawRange = rawRange
        self.impression = impression
        self.findings = findings
        self.sectionsJSON = sectionsJSON
        self.report = report
        self.graphJSON = graphJSON
        self.entities = entities
        self.relations = relations
        self.labels = labels
        self.labelSource = labelSource
        self.concepts = concepts
        self.metaJSON = metaJSON
    }

    /// Records are equal when every column is; labels compare bit for bit, so blank (NaN) equals blank.
    public static func == (a: CarinaRecord, b: CarinaRecord) -> Bool {
        var x = a.columnValues(), y = b.columnValues()
        let labels = RecordSchema.Column.labels.rawValue
        x[labels] = nil
        y[labels] = nil
        return x == y && a.labels.map(\.bitPattern) == b.labels.map(\.bitPattern)
    }

    /// The record as MDS column values, keyed by ``RecordSchema/columns(imageFormat:)``'s names.
    public func columnValues() -> [String: ColumnValue] {
        typealias C = RecordSchema.Column
        let values: [C: ColumnValue] = [
            .concepts: .float32Array(concepts), .dicomID: .string(dicomID), .entities: .json(IntRows.text(entities.map(\.row))),
            .findings: .string(findings), .graph: .json(graphJSON), .height: .int(Int64(height)), .image: .bytes(image),
            .imageFormat: .string(imageFormat.rawValue), .impression: .string(impression),
            .labelSource: .string(labelSource), .labels: .float32Array(labels), .meta: .json(metaJSON),
            .rawRange: .ndarray(Self.int32Array([rawRange.low, rawRange.high])),
            .relations: .json(IntRows.text(relations.map(\.row))), .report: .string(report), .schema: .string(schema),
            .sections: .json(sectionsJSON), .source: .string(source), .split: .string(split), .studyID: .string(studyID),
            .subjectID: .string(subjectID), .view: .string(view), .width: .int(Int64(width)),
        ]
        return Dictionary(uniqueKeysWithValues: values.map { ($0.key.rawValue, $0.value) })
    }

    /// A record from its decoded columns (``MDSDataset/sample(at:)``). `carina-record/1` columns read too: their
    /// raw range comes from `meta`, and they have no entities, relations or label source.
    ///
    /// - Throws: ``RecordError`` naming the missing or malformed column.
    public init(columns: [String: ColumnValue]) throws(RecordError) {
        let reader = RecordReader(columns)
        imageFormat = try reader.imageFormat()
        dicomID = reader.string(.dicomID)
        studyID = reader.string(.studyID)
        subjectID = reader.string(.subjectID)
        split = reader.string(.split)
        view = reader.string(.view)
        guard let image = columns[RecordSchema.Column.image.rawValue]?.bytesValue else {
            throw RecordError(.badColumn, "the record has no image column")
        }
        self.image = image
        width = Int(columns[RecordSchema.Column.width.rawValue]?.intValue ?? 0)
        height = Int(columns[RecordSchema.Column.height.rawValue]?.intValue ?? 0)
        rawRange = reader.rawRange(bitDepth: imageFormat.bitDepth)
        impression = reader.string(.impression)
        findings = reader.string(.findings)
        sectionsJSON = reader.string(.sections)
        report = reader.string(.report)
        graphJSON = reader.string(.graph)
        entities = try reader.entities()
        relations = try reader.relations()
        labels = columns[RecordSchema.Column.labels.rawValue]?.floatArrayValue ?? []
        labelSource = reader.string(.labelSource)
        concepts = columns[RecordSchema.Column.concepts.rawValue]?.floatArrayValue ?? []
        metaJSON = reader.string(.meta)
        source = reader.string(.source)
        schema = reader.string(.schema)
    }

    static func int32Array(_ values: [Int32]) -> NDArrayValue {
        var bytes: [UInt8] = []
        for v in values {
            let u = UInt32(bitPattern: v)
            bytes += [UInt8(u & 0xFF), UInt8(u >> 8 & 0xFF), UInt8(u >> 16 & 0xFF), UInt8(u >> 24)]
        }
        return NDArrayValue(dtype: .int32, shape: [values.count], data: bytes)
    }
}
