import Testing

@testable import CarinaShards
@testable import CarinaRecord

@Suite("Record schema")
struct RecordSchemaTests {
    func sample() -> CarinaRecord {
        CarinaRecord(
            dicomID: "d1", studyID: "50000001", subjectID: "10000001", split: "train", view: "PA", image: [1, 2, 3],
            imageFormat: .png16, width: 2, height: 3, rawRange: (low: -1024, high: 3071), impression: "No effusion.",
            findings: "", sectionsJSON: "[]", report: "IMPRESSION: No effusion.", graphJSON: "{}",
            entities: [RecordEntity(kind: .observation, certainty: .absent, concept: 7, section: 0, start: 3, end: 11,
                                    text: .impression, textStart: 3, textEnd: 11),
                       RecordEntity(kind: .anatomy, certainty: .present, concept: -1, section: -1, start: -1, end: -1,
                                    text: nil, textStart: -1, textEnd: -1)],
            relations: [RecordRelation(head: 0, tail: 1, kind: .locatedAt)],
            labels: [Float](repeating: .nan, count: 14), labelSource: "carina:impression",
            concepts: [Float](repeating: 0, count: 64), metaJSON: "{}")
    }

    @Test func columnsAreSortedAndComplete() {
        let columns = RecordSchema.columns(imageFormat: .jpeg8)
        #expect(columns.map(\.name) == columns.map(\.name).sorted())
        #expect(Set(columns.map(\.name)) == Set(RecordSchema.Column.allCases.map(\.rawValue)))
        #expect(columns.first { $0.name == "image" }?.encoding == "jpeg")
        #expect(RecordSchema.version1Columns(imageFormat: .png16).count == columns.count - 5)
        #expect(columns.first { $0.name == "source" }?.encoding == "str")
    }

    @Test func recordRoundTripsThroughMDSBytes() throws {
        let record = sample()
        let columns = RecordSchema.columns(imageFormat: .png16)
        var decoded: [String: ColumnValue] = [:]
        for spec in columns {
            let encoding = try MDSEncoding(spec.encoding, column: spec.name)
            var bytes: [UInt8] = []
            try encoding.encode(record.columnValues()[spec.name]!, column: spec.name, into: &bytes)
            decoded[spec.name] = try encoding.decode(bytes[...], column: spec.name)
        }
        let back = try CarinaRecord(columns: decoded)
        #expect(back == record)
        #expect(back.rawRange == (-1024, 3071))
        #expect(back.entities == record.entities)
        #expect(back.relations == record.relations)
        #expect(decoded["entities"]?.stringValue == "[[1, 2, 7, 0, 3, 11, 0, 3, 11], [0, 0, -1, -1, -1, -1, -1, -1, -1]]")
    }

    @Test func version1RecordsTakeTheirRangeFromMeta() throws {
        let reader = RecordReader(["meta": .json("{\"rawValueRange\": [0, 4095]}"), "image_format": .string("png16")])
        #expect(reader.rawRange(bitDepth: 16) == (0, 4095))
        #expect(reader.whiteLevel(bitDepth: 16) == 4095)
        #expect(RecordReader([:]).rawRange(bitDepth: 8) == (0, 255))
        #expect(try reader.entities().isEmpty)
        #expect(try RecordLayout(columns: RecordSchema.version1Columns(imageFormat: .png16)) == .version1)
        #expect(try RecordLayout(columns: RecordSchema.columns(imageFormat: .png16)) == .version2)
        #expect(throws: RecordError.self) { try RecordLayout(columns: [ColumnSpec(name: "x", encoding: "str")]) }
    }

    @Test(arguments: ["", "[", "[[1, 2]]", "[[1, 2, 3],]", "[[1, x, 3]]", "[[1, 2, 3]] x", "{}"])
    func malformedRowsAreRefused(_ text: String) {
        #expect(throws: RecordError.self) { try IntRows.parse(Array(text.utf8), width: 3, column: "relations") }
    }

    @Test func rowsParse() throws {
        #expect(try IntRows.parse(Array("[]".utf8), width: 3, column: "r").isEmpty)
        #expect(try IntRows.parse(Array("[[1, -2, 3], [4,5,6]]".utf8), width: 3, column: "r") == [[1, -2, 3], [4, 5, 6]])
        #expect(IntRows.text([[1, -2, 3], [4, 5, 6]]) == "[[1, -2, 3], [4, 5, 6]]")
        #expect(throws: RecordError.self) { try RecordRelation(row: [0, 1, 7]) }
        #expect(throws: RecordError.self) { try RecordEntity(row: [5, 0, 0, 0, 0, 0, 0, 0, 0]) }
    }
}
