import CarinaCore
import CarinaImage
import CarinaRecord
import CarinaShards
import Foundation
import Testing
import CarinaTestSupport
@testable import CarinaIngest

/// CheXpert as the small release lays it out (`CheXpert-v1.0-small/{train,valid}.csv` with its column order, the
/// `Path` column, `patientP/studyS/viewN_*.jpg`), with real NIH images as the JPEGs, our own label rows (uncertain
/// and blank values included) and a row naming a file that is not there.
@Suite struct CheXpertDumpTests {
    static let header = "Path,Sex,Age,Frontal/Lateral,AP/PA,No Finding,Enlarged Cardiomediastinum,Cardiomegaly,"
        + "Lung Opacity,Lung Lesion,Edema,Consolidation,Pneumonia,Atelectasis,Pneumothorax,Pleural Effusion,"
        + "Pleural Other,Fracture,Support Devices"

    @Test func ingestsTheTablesJPEGsWithTheirLabels() throws {
        let dir = try TemporaryDirectory()
        let root = dir.file("CheXpert-v1.0-small")
        var jpegs: [String: [UInt8]] = [:]
        for (i, file) in [("train/patient00001/study1/view1_frontal.jpg", "00000001_000.png"),
                          ("train/patient00001/study1/view2_lateral.jpg", "00027426_000.png"),
                          ("valid/patient64541/study1/view1_frontal.jpg", "00027426_000.png")].enumerated() {
            let png = try [UInt8](Data(contentsOf: URL(fileURLWithPath: SharedData.path("images/nih-512/" + file.1))))
            let bytes = try JPEGCodec.encode(PNGCodec.decode(png).converted(toBitDepth: 8).resized(longSide: 320 - 40 * i), quality: 90)
            let path = root + "/" + file.0
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            jpegs[file.0] = bytes
        }
        try """
            \(Self.header)
            CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg,Female,68,Frontal,AP,,,1.0,,,-1.0,,,,0.0,,,,1.0
            CheXpert-v1.0-small/train/patient00001/study1/view2_lateral.jpg,Female,68,Lateral,,,,1.0,,,-1.0,,,,0.0,,,,1.0
            CheXpert-v1.0-small/train/patient00002/study1/view1_frontal.jpg,Male,40,Frontal,PA,1.0,,,,,,,,,,,,,

            """.write(toFile: root + "/train.csv", atomically: true, encoding: .utf8)
        try """
            \(Self.header)
            CheXpert-v1.0-small/valid/patient64541/study1/view1_frontal.jpg,Male,73,Frontal,PA,0.0,1.0,1.0,1.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0

            """.write(toFile: root + "/valid.csv", atomically: true, encoding: .utf8)

        let dump = try MimicDump(chexpert: root)
        #expect(dump.release == "chexpert" && dump.studies.count == 2)
        #expect(dump.notices.items.contains { $0.kind == .metadataRowWithoutImage && $0.what.contains("patient00002") })
        let out = try TemporaryDirectory()
        var options = IngestOptions(output: out.path)
        options.encoding = .jpeg8
        let tally = try IngestPipeline(dump: dump, options: options).run()
        #expect(tally.written == 3 && tally.failed == 0 && tally.notices.count(.reportMissing) == 0)
        let dataset = try MDSDataset(directory: out.path)
        let records = try (0..<dataset.count).map { try CarinaRecord(columns: dataset.sample(at: $0)) }
        #expect(records.map(\.dicomID) == ["00001_1_view1_frontal", "00001_1_view2_lateral", "64541_1_view1_frontal"])
        #expect(records.map(\.view) == ["AP", "LATERAL", "PA"])
        #expect(records.map(\.split) == ["train", "train", "validate"])
        #expect(records.allSatisfy { $0.source == "chexpert" && $0.report.isEmpty })
        #expect(records[0].image == jpegs["train/patient00001/study1/view1_frontal.jpg"])
        // the record's CheXpert order: Cardiomegaly 1, Edema -1 (uncertain), Pneumothorax 0, Support Devices 1, rest blank
        let names = RecordSchema.labelNames
        let first = Dictionary(uniqueKeysWithValues: zip(names, records[0].labels))
        #expect(first["Cardiomegaly"] == 1 && first["Edema"] == -1 && first["Pneumothorax"] == 0 && first["Support Devices"] == 1)
        #expect(first["Atelectasis"]!.isNaN && first["No Finding"]!.isNaN)
        #expect(Dictionary(uniqueKeysWithValues: zip(names, records[2].labels))["Enlarged Cardiomediastinum"] == 1)
    }

    @Test func refusesAFolderWithoutTheTables() throws {
        let dir = try TemporaryDirectory()
        let error = try #require(throws: IngestError.self) { try MimicDump(chexpert: dir.path) }
        #expect(error.description.contains("train.csv"))
    }
}
