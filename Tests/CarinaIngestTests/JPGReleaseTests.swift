import CarinaCore
import CarinaDICOM
import CarinaGraph
import CarinaImage
import CarinaRecord
import CarinaShards
import CarinaSynth
import Foundation
import Testing
import CarinaTestSupport
@testable import CarinaIngest

/// The MIMIC-CXR-JPG release with the reports archive, on a small real-shaped dump built from real images: two real
/// chest radiographs (DICOMs of `../shared/data` rendered as MIMIC-CXR-JPG renders them, JPEG quality 95) and a real
/// NIH ChestX-ray14 image, plus a corrupt (truncated) JPEG, a study whose report is not in the archive and a metadata
/// row naming a file that is not there.
@Suite struct JPGReleaseTests {
    struct Built {
        let dir: TemporaryDirectory
        var root: String { dir.path }
        /// dicom id → the JPEG bytes written.
        var jpegs: [String: [UInt8]]
    }

    static let reports = [
        "s50000001": "FINAL REPORT\n\nFINDINGS: The lungs are clear. No pleural effusion.\n\nIMPRESSION: No acute cardiopulmonary process.\n",
        "s50000002": "FINAL REPORT\n\nFINDINGS: Small left pleural effusion.\n\nIMPRESSION: Small left pleural effusion.\n",
        "s50000003": "FINAL REPORT\n\nIMPRESSION: Cardiomegaly without edema.\n",
    ]

    static func build() throws -> Built {
        let dir = try TemporaryDirectory()
        let fm = FileManager.default
        var jpegs: [String: [UInt8]] = [:]
        func write(_ study: String, _ subject: String, _ id: String, _ bytes: [UInt8]) throws {
            let folder = dir.file("files/p\(subject.prefix(2))/p\(subject)/\(study)")
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/\(id).jpg"))
            jpegs[id] = bytes
        }
        // Real chest DICOMs, windowed to 8 bits as MIMIC-CXR-JPG does, at 512 pixels.
        for (study, subject, id, file) in [("s50000001", "10000001", "aaaa0001", "dicom/chest/RG1_UNCR.dcm"),
                                           ("s50000002", "10000002", "aaaa0002", "dicom/chest/SIIM_CR_chest_jpeg_baseline.dcm")] {
            let rendered = try DicomRenderer.render(path: SharedData.path(file),
                                                    options: RenderOptions(transform: .mimicJPG, size: 512, encoding: .jpeg8))
            try write(study, subject, id, rendered.image.bytes)
        }
        // A real NIH image, as a JPEG.
        let png = try [UInt8](Data(contentsOf: URL(fileURLWithPath: SharedData.path("images/nih-512/00000001_000.png"))))
        let nih = try PNGCodec.decode(png).converted(toBitDepth: 8)
        try write("s50000003", "10000003", "aaaa0003", try JPEGCodec.encode(nih, quality: 95))
        // A truncated JPEG in the first study, and a study whose report the archive lacks.
        try write("s50000001", "10000001", "aaaa0009", Array(jpegs["aaaa0002"]!.prefix(4000)))
        try write("s50000004", "10000004", "aaaa0004", jpegs["aaaa0003"]!)
        jpegs["aaaa0009"] = nil

        let entries = reports.sorted { $0.key < $1.key }.map { study, text in
            let subject = "1000000" + study.suffix(1)
            return (name: "files/p10/p\(subject)/\(study).txt", bytes: Array(text.utf8))
        }
        try ZipWriter.write(entries, to: dir.file("mimic-cxr-reports.zip"))
        let metadata = """
            dicom_id,subject_id,study_id,ViewPosition
            aaaa0001,10000001,50000001,PA
            aaaa0002,10000002,50000002,AP
            aaaa0003,10000003,50000003,PA
            aaaa0004,10000004,50000004,
            aaaa0009,10000001,50000001,PA
            bbbb0404,10000005,50000005,PA

            """
        try GzipFile.write(Array(metadata.utf8), to: dir.file("mimic-cxr-2.0.0-metadata.csv.gz"))
        return Built(dir: dir, jpegs: jpegs)
    }

    static func records(_ dir: String) throws -> [CarinaRecord] {
        let dataset = try MDSDataset(directory: dir)
        return try (0..<dataset.count).map { try CarinaRecord(columns: dataset.sample(at: $0)) }
    }

    @Test func storesEachJPEGAsItIsWithItsArchivedReport() throws {
        let built = try Self.build()
        let dump = try MimicDump(root: built.root)
        #expect(dump.tablesFound.contains("reports-zip"))
        #expect(dump.studies.count == 4)
        // the metadata row of an image that is not there is noted, not fatal
        #expect(dump.notices.items.contains { $0.kind == .metadataRowWithoutImage && $0.what.hasPrefix("bbbb0404") })

        let out = try TemporaryDirectory()
        var options = IngestOptions(output: out.path)
        options.encoding = .jpeg8
        options.threads = 2
        let tally = try IngestPipeline(dump: dump, options: options).run()
        #expect(tally.found == 5 && tally.written == 4 && tally.failed == 1)
        // the study without an archived report is noted and ingested with an empty report
        #expect(tally.notices.items.contains { $0.kind == .reportMissing && $0.what.contains("s50000004") })

        let report = try String(contentsOfFile: out.file("ingest-report.tsv"), encoding: .utf8)
        let failed = try #require(report.split(separator: "\n").first { $0.contains("\tfailed\t") })
        #expect(failed.hasPrefix("aaaa0009\tfailed\t") && failed.contains("JPEG"))

        let records = try Self.records(out.path)
        #expect(records.map(\.dicomID) == ["aaaa0001", "aaaa0002", "aaaa0003", "aaaa0004"])
        for record in records {
            #expect(record.source == "mimic-cxr-jpg")
            #expect(record.imageFormat == .jpeg8)
            // the bytes of the release, not a second lossy encode; width and height from the JPEG's own header
            #expect(record.image == built.jpegs[record.dicomID])
            let decoded = try JPEGCodec.decode(record.image)
            #expect(record.width == decoded.width && record.height == decoded.height)
        }
        #expect(records[0].report == Self.reports["s50000001"])
        #expect(records[1].findings == "Small left pleural effusion.")
        #expect(records[1].view == "AP")
        #expect(records[3].report.isEmpty && records[3].view.isEmpty)
        #expect(records[0].width == 512 || records[0].height == 512)
    }

    @Test func reencodesOnRequest() throws {
        let built = try Self.build()
        let out = try TemporaryDirectory()
        var options = IngestOptions(output: out.path)
        options.encoding = .png8
        options.size = 128
        let tally = try IngestPipeline(dump: MimicDump(root: built.root), options: options).run()
        #expect(tally.written == 4 && tally.failed == 1)
        let records = try Self.records(out.path)
        for record in records {
            #expect(record.imageFormat == .png8 && max(record.width, record.height) == 128)
            let png = try PNGCodec.decode(record.image)
            // the scaled decode (1/4 here) then the area resize; within a few gray levels of a full decode then the
            // resize (3 of 255 on average on these images)
            let full = try JPEGCodec.decode(built.jpegs[record.dicomID]!).resized(longSide: 128)
            let expected = try JPEGCodec.decode(built.jpegs[record.dicomID]!, atLeast: 128)
                .resized(width: full.width, height: full.height)
            #expect(png.width == expected.width && png.pixels == expected.pixels)
            let meanDifference = zip(png.pixels, full.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / png.pixels.count
            #expect(full.width == png.width && meanDifference <= 4, "mean difference \(meanDifference)")
        }
    }

    @Test func viewsKeepOrDropImagesWithNoRecordedView() throws {
        let built = try Self.build()
        for keep in [false, true] {
            let out = try TemporaryDirectory()
            var options = IngestOptions(output: out.path)
            options.encoding = .jpeg8
            options.views = ["PA"]
            options.keepImagesWithoutView = keep
            let tally = try IngestPipeline(dump: MimicDump(root: built.root), options: options).run()
            #expect(tally.keptWithoutView == (keep ? 1 : 0) && tally.droppedWithoutView == (keep ? 0 : 1))
            // PA: aaaa0001, aaaa0003 (aaaa0009 PA but corrupt); AP aaaa0002 always skipped
            #expect(tally.written == (keep ? 3 : 2) && tally.failed == 1 && tally.skipped == (keep ? 1 : 2))
        }
    }

    @Test func readsAReportsFolderOrAnArchiveGivenApart() throws {
        let built = try Self.build()
        let moved = try TemporaryDirectory()
        try FileManager.default.moveItem(atPath: built.dir.file("mimic-cxr-reports.zip"), toPath: moved.file("r.zip"))
        #expect(try MimicDump(root: built.root).studies.allSatisfy { $0.report == .none })
        let viaArchive = try MimicDump(root: built.root, reports: moved.file("r.zip"))
        #expect(try viaArchive.studies.map { $0.reportBytes().map { String(decoding: $0, as: UTF8.self) } }
            == [Self.reports["s50000001"], Self.reports["s50000002"], Self.reports["s50000003"], nil])
        let folder = moved.file("reports/files/p10/p10000002")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(Self.reports["s50000002"]!.utf8).write(to: URL(fileURLWithPath: folder + "/s50000002.txt"))
        let viaFolder = try MimicDump(root: built.root, reports: moved.file("reports"))
        #expect(viaFolder.studies.map { $0.reportPath != nil } == [false, true, false, false])
        #expect(throws: IngestError.self) { try MimicDump(root: built.root, reports: moved.file("absent.zip")) }
        try Data("not a zip".utf8).write(to: URL(fileURLWithPath: moved.file("bad.zip")))
        #expect(throws: IngestError.self) { try MimicDump(root: built.root, reports: moved.file("bad.zip")) }
    }

    @Test func zipArchiveReadsWhatUnzipReads() throws {
        let dir = try TemporaryDirectory()
        let text = String(repeating: "No pleural effusion or pneumothorax. ", count: 200)
        try ZipWriter.write([("files/p10/p1/s1.txt", Array(text.utf8)), ("empty.txt", [])], to: dir.file("a.zip"))
        let zip = try ZipArchive(path: dir.file("a.zip"))
        #expect(try zip.data(named: "files/p10/p1/s1.txt") == Array(text.utf8))
        #expect(try zip.data(named: "empty.txt") == [])
        // `unzip -p` (Info-ZIP) reads the same bytes from the archive Carina wrote
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/unzip") {
            let piped = try Oracle.run("/usr/bin/unzip", ["-p", dir.file("a.zip"), "files/p10/p1/s1.txt"])
            #expect(String(decoding: piped, as: UTF8.self) == text)
        }
        // a damaged entry fails its check instead of giving wrong text
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("a.zip"))))
        bytes[60] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: dir.file("b.zip")))
        #expect(throws: ZipError.self) { try ZipArchive(path: dir.file("b.zip")).data(named: "files/p10/p1/s1.txt") }
    }

    @Test func jpegHeaderRefusesTruncatedFiles() throws {
        let bytes = try JPEGCodec.encode(GrayImage(width: 40, height: 30, bitDepth: 8, pixels: Array(repeating: 90, count: 1200)),
                                         quality: 90)
        let header = try JPEGHeader(bytes)
        #expect(header.width == 40 && header.height == 30 && header.components == 1)
        #expect(throws: ImageCodecError.self) { try JPEGHeader(Array(bytes.dropLast(10))) }
        #expect(throws: ImageCodecError.self) { try JPEGHeader(Array("GIF89a".utf8)) }
    }

    /// The command line: sections and labels read the archive; ingest --strict fails a batch job with a bad image.
    @Test func commandsReadTheArchiveAndStrictFails() throws {
        let built = try Self.build()
        let zip = built.dir.file("mimic-cxr-reports.zip")
        let sections = try CarinaExecutable.run(["sections", zip, "--format", "csv"])
        #expect(sections.status == 0)
        let rows = sections.stdout.split(whereSeparator: \.isNewline)
        #expect(rows.count == 4 && rows[2].hasPrefix("s50000002,Small left pleural effusion.,Small left pleural effusion."))
        let labels = try CarinaExecutable.run(["labels", zip])
        #expect(labels.status == 0)
        let row = try #require(labels.stdout.split(separator: "\n").first { $0.hasPrefix("10000002,50000002,") })
        // Pleural Effusion (the 10th class) positive
        #expect(row.split(separator: ",", omittingEmptySubsequences: false)[2 + 9] == "1.0")

        let out = try TemporaryDirectory()
        let lax = try CarinaExecutable.run(["ingest", built.root, "--out", out.file("lax"), "--threads", "1"])
        #expect(lax.status == 0 && lax.stdout.contains("4 written, 0 skipped, 1 failed"))
        let strict = try CarinaExecutable.run(["ingest", built.root, "--out", out.file("strict"), "--strict"])
        #expect(strict.status == 1 && strict.stderr.contains("--strict: 1 of 5 images failed"))
        let records = try Self.records(out.file("lax"))
        #expect(records.allSatisfy { $0.imageFormat == .jpeg8 && $0.image == built.jpegs[$0.dicomID] })
    }

    /// `--label-table`: the chexpert table fills the labels by default, the negbio one on request; each record says
    /// which, and asking for a negbio table that is not there is an error naming it.
    @Test func labelTableChoosesWhichReleaseTableFillsTheLabels() throws {
        let built = try Self.build()
        let header = "subject_id,study_id," + CheXpertLabels.columns.joined(separator: ",") + "\n"
        func row(_ subject: String, _ study: String, _ values: [Int: String]) -> String {
            "\(subject),\(study)," + CheXpertLabels.columns.indices.map { values[$0] ?? "" }.joined(separator: ",") + "\n"
        }
        // Study 50000002: the CheXpert labeller says effusion (index 9), NegBio says uncertain effusion and edema (4).
        let chexpert = header + row("10000001", "50000001", [8: "1.0"]) + row("10000002", "50000002", [9: "1.0"])
        let negbio = header + row("10000001", "50000001", [8: "1.0"]) + row("10000002", "50000002", [9: "-1.0", 4: "1.0"])
        try GzipFile.write(Array(chexpert.utf8), to: built.dir.file("mimic-cxr-2.0.0-chexpert.csv.gz"))
        #expect(throws: IngestError.self) { try MimicDump(root: built.root, labels: .negbio) }
        let missing = try CarinaExecutable.run(["ingest", built.root, "--out", built.dir.file("none"), "--label-table", "negbio"])
        #expect(missing.status != 0 && missing.stderr.contains("mimic-cxr-2.0.0-negbio.csv"))
        try GzipFile.write(Array(negbio.utf8), to: built.dir.file("mimic-cxr-2.0.0-negbio.csv.gz"))

        var labels: [MimicLabelTable: [CarinaRecord]] = [:]
        for table in MimicLabelTable.allCases {
            let dump = try MimicDump(root: built.root, labels: table)
            #expect(dump.tablesFound.contains(table.rawValue) && dump.labelTable == table.tableName + ".csv")
            let out = try TemporaryDirectory()
            var options = IngestOptions(output: out.path)
            options.threads = 1
            _ = try IngestPipeline(dump: dump, options: options).run()
            labels[table] = try Self.records(out.path)
        }
        let byChexpert = try #require(labels[.chexpert]?.first { $0.studyID == "50000002" })
        let byNegbio = try #require(labels[.negbio]?.first { $0.studyID == "50000002" })
        #expect(byChexpert.labelSource == "mimic-cxr-2.0.0-chexpert.csv" && byNegbio.labelSource == "mimic-cxr-2.0.0-negbio.csv")
        #expect(byChexpert.labels[9] == 1 && byChexpert.labels[4].isNaN)
        #expect(byNegbio.labels[9] == -1 && byNegbio.labels[4] == 1)
        // A study neither table has is labelled from its report either way.
        #expect(labels.values.allSatisfy { $0.first { $0.studyID == "50000003" }?.labelSource == "carina" })
        // The CLI takes the option; NIH and CheXpert dumps have their own labels and refuse it.
        let viaCLI = try CarinaExecutable.run(["ingest", built.root, "--out", built.dir.file("cli"), "--label-table", "negbio",
                                               "--threads", "1"])
        #expect(viaCLI.status == 0)
        #expect(try Self.records(built.dir.file("cli")).first { $0.studyID == "50000002" }?.labels[4] == 1)
    }

    /// `carina synth --jpg --reports-zip` writes what the JPG release and its reports archive look like.
    @Test func synthWritesTheJPGLayoutAndTheArchive() throws {
        let dir = try TemporaryDirectory()
        var options = SynthOptions(studies: 6)
        options.rows = 96
        options.columns = 80
        options.jpg = true
        options.reportsZip = true
        options.threads = 2
        try SynthDump.write(to: dir.path, options: options)
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: dir.file("mimic-cxr-2.0.0-negbio.csv.gz")))
        let dump = try MimicDump(root: dir.path)
        #expect(dump.tablesFound == ["metadata", "split", "chexpert", "reports-zip"])
        #expect(dump.studies.count == 6 && dump.notices.items.isEmpty)
        for study in dump.studies {
            guard case .archive = study.report else { Issue.record("\(study.studyID): report not in the archive"); continue }
            #expect(study.images.allSatisfy { $0.isJPEG && fm.fileExists(atPath: $0.path) })
            #expect(String(decoding: try #require(study.reportBytes()), as: UTF8.self).contains("FINAL REPORT"))
            let header = try JPEGHeader([UInt8](Data(contentsOf: URL(fileURLWithPath: study.images[0].path))))
            #expect(header.width == 80 && header.height == 96 && header.components == 1)
        }
    }
}
