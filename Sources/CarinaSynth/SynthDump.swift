import CarinaDICOM
import CarinaCore
import CarinaGraph
import CarinaImage
import Foundation

/// Options of `carina synth`.
public struct SynthOptions: Sendable {
    public var studies: Int
    public var rows = 2544
    public var columns = 3056
    /// Transfer syntaxes to draw from, one per image (round robin by a seeded choice); default: all Carina writes.
    public var syntaxes: [DicomTransferSyntax] = [.explicitLittle]
    public var seed: UInt64 = 0
    /// Fraction of images stored MONOCHROME1 (inverted).
    public var monochrome1Fraction = 0.25
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Write the MIMIC-CXR-JPG layout: `DICOM_ID.jpg` (8-bit MONOCHROME2 JPEGs at quality 95, as the JPG release
    /// stores them) instead of DICOMs, and the negbio table beside the chexpert one.
    public var jpg = false
    /// Put the reports in `mimic-cxr-reports.zip` (entries `files/pXX/pSUBJECT/sSTUDY.txt`) instead of beside the
    /// study folders.
    public var reportsZip = false

    public init(studies: Int) { self.studies = studies }
}

/// A synthetic MIMIC-CXR-shaped dump: phantom chest DICOMs (written through DCMTK) whose findings are drawn where
/// their reports put them, the reports in MIMIC's text layout, and the metadata, split and chexpert CSVs.
///
/// Every byte is a function of the options: the same seed gives the same dump, whatever the thread count.
public enum SynthDump {
    struct PlannedStudy {
        var subjectID: String
        var studyID: String
        var dicomID: String
        var view: String
        var findings: Set<SynthFinding>
        var syntax: DicomTransferSyntax
        var monochrome1: Bool
        var split: String
        var seed: UInt64
    }

    /// Writes the dump under `root`, calling `progress(done, total)` as studies are finished.
    public static func write(to root: String, options: SynthOptions,
                             progress: @Sendable (Int, Int) -> Void = { _, _ in }) throws {
        guard options.studies >= 1, options.rows >= 16, options.columns >= 16 else {
            throw SynthError(.badOptions, "synth needs at least 1 study and a matrix of at least 16×16")
        }
        let plan = plan(options)
        let fm = FileManager.default
        for study in plan {
            try fm.createDirectory(atPath: folder(root, study), withIntermediateDirectories: true)
        }
        let failures = IndexedResults<any Error>(count: plan.count)
        let counter = SharedCount()
        let threads = max(1, min(options.threads, plan.count))
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            var i = worker
            while i < plan.count {
                do {
                    try writeStudy(plan[i], root: root, options: options)
                } catch {
                    failures.set(i, error)
                }
                progress(counter.fetchAdd(1) + 1, plan.count)
                i += threads
            }
        }
        // The first failure in study order, whichever worker met it first.
        if let first = failures.values.lazy.compactMap({ $0 }).first {
            throw SynthError(.writeFailed, "\(first)", underlying: first)
        }
        try writeTables(plan, root: root, options: options)
        if options.reportsZip {
            var entries: [(name: String, bytes: [UInt8])] = []
            for study in plan {
                let path = folder(root, study) + ".txt"
                guard let data = fm.contents(atPath: path) else { throw SynthError(.writeFailed, "cannot read back \(path)", path: path) }
                entries.append((String(path.dropFirst(root.count + 1)), [UInt8](data)))
                try fm.removeItem(atPath: path)
            }
            do { try ZipWriter.write(entries, to: root + "/mimic-cxr-reports.zip") } catch {
                throw SynthError(.writeFailed, error.description, underlying: error)
            }
        }
    }

    static func plan(_ options: SynthOptions) -> [PlannedStudy] {
        var rng = SplitMix64(seed: options.seed, stream: 0x5359_4E54, index: 0)
        var plan: [PlannedStudy] = []
        var subject = 10_000_000 + Int(rng.next() % 1000)
        var studiesLeftForSubject = 0
        var split = "train"
        for index in 0..<options.studies {
            if studiesLeftForSubject == 0 {
                subject += 1 + Int(rng.next() % 997)
                studiesLeftForSubject = 1 + Int(rng.next() % 3)
                let r = rng.next() % 100
                split = r < 80 ? "train" : (r < 90 ? "validate" : "test")
            }
            studiesLeftForSubject -= 1
            var findings = Set<SynthFinding>()
            for finding in SynthFinding.allCases where rng.nextUnitDouble() < finding.prevalence {
                findings.insert(finding)
            }
            let dicomID = (0..<5).map { _ in String(format: "%08x", UInt32(truncatingIfNeeded: rng.next())) }
                .joined(separator: "-")
            plan.append(PlannedStudy(
                subjectID: String(subject), studyID: String(50_000_000 + index * 7 + Int(rng.next() % 7)),
                dicomID: dicomID, view: rng.next() % 4 == 0 ? "AP" : "PA", findings: findings,
                syntax: options.syntaxes[Int(rng.next() % UInt64(options.syntaxes.count))],
                monochrome1: rng.nextUnitDouble() < options.monochrome1Fraction, split: split, seed: rng.next()))
        }
        return plan
    }

    static func folder(_ root: String, _ s: PlannedStudy) -> String {
        "\(root)/files/p\(s.subjectID.prefix(2))/p\(s.subjectID)/s\(s.studyID)"
    }

    static func writeStudy(_ s: PlannedStudy, root: String, options: SynthOptions) throws {
        var rng = SplitMix64(seed: s.seed)
        let jitter = (dx: (rng.nextUnitDouble() - 0.5) * 0.04, dy: (rng.nextUnitDouble() - 0.5) * 0.04,
                      scale: 0.95 + 0.1 * rng.nextUnitDouble())
        let phantom = PhantomChest(rows: options.rows, columns: options.columns, findings: s.findings, jitter: jitter)
        var pixels = phantom.render(rng: &rng)
        if s.monochrome1 {
            for i in pixels.indices { pixels[i] = UInt16(PhantomChest.maxValue) - pixels[i] }
        }
        let report = SynthReport(findings: s.findings, view: s.view).text(rng: &rng)
        try report.write(toFile: folder(root, s) + ".txt", atomically: true, encoding: .utf8)
        if options.jpg {
            // MIMIC-CXR-JPG: the DICOM's values windowed to 8 bits, MONOCHROME2, JPEG quality 95.
            let shift = 12 - 8
            let values = pixels.map { UInt16(min(255, Int(s.monochrome1 ? UInt16(PhantomChest.maxValue) - $0 : $0) >> shift)) }
            let image = GrayImage(width: options.columns, height: options.rows, bitDepth: 8, pixels: values)
            let bytes = try JPEGCodec.encode(image, quality: 95)
            guard FileManager.default.createFile(atPath: folder(root, s) + "/\(s.dicomID).jpg", contents: Data(bytes)) else {
                throw SynthError(.writeFailed, "cannot write \(folder(root, s))/\(s.dicomID).jpg")
            }
            return
        }
        let request = DicomWriteRequest(
            rows: options.rows, columns: options.columns, bitsStored: 12,
            photometric: s.monochrome1 ? "MONOCHROME1" : "MONOCHROME2", pixels: pixels, transferSyntax: s.syntax,
            attributes: [
                "PatientID": s.subjectID, "StudyID": s.studyID,
                "StudyInstanceUID": "2.25.\(UInt64(s.studyID)! &* 2654435761)",
                "SeriesInstanceUID": "2.25.\(s.seed % 1_000_000_000_000)1",
                "SOPInstanceUID": "2.25.\(s.seed % 1_000_000_000_000)2",
                "SOPClassUID": "1.2.840.10008.5.1.4.1.1.1.1",
                "Modality": "DX", "ViewPosition": s.view, "BodyPartExamined": "CHEST",
                "StudyDate": "2150\(String(format: "%02d", 1 + Int(s.seed % 12)))\(String(format: "%02d", 1 + Int(s.seed % 28)))",
                "StudyTime": "120000", "Manufacturer": "Carina synthetic phantom",
                "PixelSpacing": "0.139\\0.139", "PatientOrientation": "L\\F",
            ])
        try DicomWriter.write(request, to: folder(root, s) + "/\(s.dicomID).dcm")
    }

    static func writeTables(_ plan: [PlannedStudy], root: String, options: SynthOptions) throws {
        var metadata = "dicom_id,subject_id,study_id,PerformedProcedureStepDescription,ViewPosition,Rows,Columns,"
            + "StudyDate,StudyTime,ProcedureCodeSequence_CodeMeaning,ViewCodeSequence_CodeMeaning,"
            + "PatientOrientationCodeSequence_CodeMeaning\n"
        var split = "dicom_id,study_id,subject_id,split\n"
        var chexpert = "subject_id,study_id," + CheXpertLabels.columns.joined(separator: ",") + "\n"
        for s in plan {
            let procedure = s.view == "AP" ? "CHEST (PORTABLE AP)" : "CHEST (PA AND LAT)"
            let viewMeaning = s.view == "AP" ? "antero-posterior" : "postero-anterior"
            let date = "2150\(String(format: "%02d", 1 + Int(s.seed % 12)))\(String(format: "%02d", 1 + Int(s.seed % 28)))"
            metadata += "\(s.dicomID),\(s.subjectID),\(s.studyID),\(procedure),\(s.view),\(options.rows),"
                + "\(options.columns),\(date),120000,\(procedure),\(viewMeaning),Erect\n"
            split += "\(s.dicomID),\(s.studyID),\(s.subjectID),\(s.split)\n"
            var values = [String](repeating: "", count: CheXpertLabels.columns.count)
            func set(_ column: String, _ value: String) { values[CheXpertLabels.columns.firstIndex(of: column)!] = value }
            // what the report says is absent is 0.0, what it shows is 1.0, the rest blank (CheXpert's convention)
            let present = Set(s.findings.map(\.chexpertClass))
            if !present.contains("Pleural Effusion") { set("Pleural Effusion", "0.0") }
            if !present.contains("Pneumothorax") { set("Pneumothorax", "0.0") }
            for column in present { set(column, "1.0") }
            if present.isEmpty || present == ["Support Devices"] { set("No Finding", "1.0") }
            chexpert += "\(s.subjectID),\(s.studyID)," + values.joined(separator: ",") + "\n"
        }
        try GzipFile.write(Array(metadata.utf8), to: root + "/mimic-cxr-2.0.0-metadata.csv.gz")
        try GzipFile.write(Array(split.utf8), to: root + "/mimic-cxr-2.0.0-split.csv.gz")
        try GzipFile.write(Array(chexpert.utf8), to: root + "/mimic-cxr-2.0.0-chexpert.csv.gz")
        if options.jpg { try GzipFile.write(Array(chexpert.utf8), to: root + "/mimic-cxr-2.0.0-negbio.csv.gz") }
    }
}

/// What kind of failure `carina synth` met.
public enum SynthErrorCode: String, ErrorCode {
    /// The options ask for no study or a matrix too small to draw on.
    case badOptions
    /// A file of the dump could not be written or read back.
    case writeFailed

    public static let domain = "synth"
}

/// An error of `carina synth`.
public typealias SynthError = ModuleError<SynthErrorCode>
