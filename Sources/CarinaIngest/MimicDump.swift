import CarinaCore
import CarinaGraph
import Foundation

/// One image of a study (a DICOM, or a MIMIC-CXR-JPG JPEG), with what the CSVs (or, failing them, the layout) say
/// about it.
///
/// A dump lists every image before the ingest starts, so an image keeps only its id, its view and the study folder's
/// string (shared by all images of the study, not copied) and builds its path when asked.
public struct DumpImage: Sendable, Equatable {
    public let dicomID: String
    /// `ViewPosition` from the metadata CSV; nil when the CSV is absent or the field is blank (the DICOM header decides).
    public let view: String?
    /// The study folder, `files/pXX/pSUBJECT/sSTUDY`.
    let folder: String
    /// `.dcm` (or `.jpg`, `.png`) as spelled on disk.
    let fileExtension: String
    /// The release, when the image does not come from MIMIC-CXR (`nih-cxr14`, `chexpert`).
    var release: String? = nil
    /// The file name without extension, when it is not the id (CheXpert's `view1_frontal`).
    var fileStem: String? = nil
    /// JSON members the source adds to the record's `meta` object (RSNA's `"rsna_boxes":[…]`).
    var metaExtra: String? = nil

    /// `files/pXX/pSUBJECT/sSTUDY/DICOM_ID.dcm` (or `.jpg`).
    public var path: String { folder + "/" + (fileStem ?? dicomID) + fileExtension }

    /// Whether the image is a DICOM (else a JPEG or PNG file).
    public var isDICOM: Bool { fileExtension.lowercased() == ".dcm" }
    /// Whether the image is a JPEG (MIMIC-CXR-JPG, CheXpert).
    public var isJPEG: Bool { [".jpg", ".jpeg"].contains(fileExtension.lowercased()) }

    /// `meta`, a JSON object, with ``metaExtra``'s members added at its end.
    func meta(_ meta: String) -> String {
        guard let extra = metaExtra, meta.hasSuffix("}") else { return meta }
        return String(meta.dropLast()) + (meta == "{}" ? "" : ",") + extra + "}"
    }

    /// The release the image comes from: the record's `source` column.
    public var source: String { release ?? (isDICOM ? "mimic-cxr-dicom" : "mimic-cxr-jpg") }
}

/// Where a study's report is: a file, an entry of the reports archive, or nowhere.
public enum ReportLocation: Sendable, Equatable {
    case none
    case file(String)
    case archive(ZipArchive, ZipArchive.Entry)

    public static func == (a: ReportLocation, b: ReportLocation) -> Bool {
        switch (a, b) {
        case (.none, .none): true
        case (.file(let x), .file(let y)): x == y
        case (.archive(let x, let e), .archive(let y, let f)): x.path == y.path && e.name == f.name
        default: false
        }
    }
}

/// Which of the MIMIC-CXR-JPG release's label tables fills the records' labels: both have the 14 CheXpert classes
/// in the same columns and value convention, labelled by the CheXpert labeller or by NegBio.
public enum MimicLabelTable: String, Sendable, CaseIterable {
    case chexpert, negbio

    /// The table's name without `.csv(.gz)`: `mimic-cxr-2.0.0-chexpert` or `mimic-cxr-2.0.0-negbio`.
    public var tableName: String { "mimic-cxr-2.0.0-" + rawValue }
}

/// One study: its images, its report file, its split and its CheXpert labels.
public struct DumpStudy: Sendable, Equatable {
    public let subjectID: String
    public let studyID: String
    public let images: [DumpImage]
    /// The study folder, `files/pXX/pSUBJECT/sSTUDY`.
    let folder: String
    /// The report: `files/pXX/pSUBJECT/sSTUDY.txt` beside the study folder or in a reports folder, or its entry in
    /// `mimic-cxr-reports.zip`.
    public let report: ReportLocation
    /// `train`, `validate` or `test`: from the split CSV, else derived from the subject id.
    public let split: String
    /// The 14 CheXpert values in CSV order (nil = blank), when the chexpert CSV has the study.
    public let labels: [Float?]?

    /// The report file, or nil when the report is missing or in an archive.
    public var reportPath: String? {
        if case .file(let path) = report { return path }
        return nil
    }

    /// The report's name for messages: its path, or `ARCHIVE.zip:ENTRY`.
    public var reportName: String {
        switch report {
        case .none: folder + ".txt"
        case .file(let path): path
        case .archive(let zip, let entry): zip.path + ":" + entry.name
        }
    }

    /// The report's bytes, or nil when it is missing or cannot be read.
    public func reportBytes() -> [UInt8]? {
        switch report {
        case .none: return nil
        case .file(let path): return FileManager.default.contents(atPath: path).map { [UInt8]($0) }
        case .archive(let zip, let entry): return try? zip.data(entry)
        }
    }
}

/// A MIMIC-CXR dump on disk: `files/p{XX}/p{subject}/s{study}/{dicom_id}.dcm` (the DICOM release) or `.jpg` (the
/// MIMIC-CXR-JPG release), reports beside the study folders, in a reports folder or in `mimic-cxr-reports.zip`, and
/// the optional `mimic-cxr-2.0.0-{metadata,split,chexpert}.csv(.gz)` tables.
///
/// Studies are listed in (subject, study) order and images in dicom-id order, so every run sees the same order.
public struct MimicDump: Sendable {
    public let root: String
    public let studies: [DumpStudy]
    /// Which of the optional tables were found (`metadata`, `split`, `chexpert`).
    public let tablesFound: [String]
    /// Inputs not taken as they are (rows that disagree with the layout, images without a split row, DICOMs outside
    /// the layout…), counted and named. Reports are checked by the ingest, which reads them.
    public let notices: DumpNotices
    /// The release: `mimic-cxr` (DICOM or JPG, with reports), or an image–label dataset without reports
    /// (`nih-cxr14`, `chexpert`).
    public internal(set) var release = "mimic-cxr"
    /// The table the studies' labels come from, the records' `label_source`.
    public internal(set) var labelTable = "mimic-cxr-2.0.0-chexpert.csv"
    /// Whether the studies have reports (a MIMIC-CXR release); image–label datasets have none, and no notice says so.
    public var hasReports: Bool { release == "mimic-cxr" }

    /// Scans the dump at `root`, keeping only the subjects of `partition`.
    ///
    /// - Throws: `IngestError.notADump` when `root` has no `files/` folder; CSV errors name the file and line:
    ///   a truncated gzip, a split other than train/validate/test, one image or study given conflicting values, a
    ///   label that is not 1.0, 0.0, -1.0 or blank, a patient that the split table puts in two splits.
    ///   `reports` is a folder holding `files/pXX/pSUBJECT/sSTUDY.txt` (or `pXX/…`), or the reports archive
    ///   `mimic-cxr-reports.zip`, read without unpacking; without it, a report beside the study folder is used, else
    ///   the study's entry in `mimic-cxr-reports.zip` at the dump root when there is one.
    ///   `labels` names the release's label table that fills the studies' labels: `mimic-cxr-2.0.0-chexpert` (the
    ///   default; without it Carina's labeller labels the reports) or `mimic-cxr-2.0.0-negbio` (which must exist).
    public init(root: String, partition: Partition = .whole, reports: String? = nil,
                labels labelChoice: MimicLabelTable = .chexpert) throws(IngestError) {
        self.root = root
        let fm = FileManager.default
        let files = (root as NSString).appendingPathComponent("files")
        var isDirectory: ObjCBool = false
        guard unsafe fm.fileExists(atPath: files, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw IngestError(.notADump, "\(root) is not a MIMIC-CXR dump: it has no files/ folder "
                + "(expected files/pXX/pSUBJECT/sSTUDY/*.dcm)")
        }
        var found: [String] = []
        var notices = DumpNotices()
        var views = try Self.readViews(root: root, found: &found)
        var splits = try Self.readSplits(root: root, found: &found)
        if labelChoice == .negbio && Self.table(root: root, name: labelChoice.tableName) == nil {
            throw IngestError(.notADump, "\(root) has no \(labelChoice.tableName).csv.gz (or .csv): --label-table negbio "
                + "reads the MIMIC-CXR-JPG release's NegBio table; copy it into the dump or use --label-table chexpert")
        }
        var labels = try Self.readLabels(root: root, table: labelChoice, found: &found)
        labelTable = labelChoice.tableName + ".csv"
        let reportSource = try ReportSource(root: root, reports: reports)
        if reportSource.archive != nil { found.append("reports-zip") }

        /// Studies as listed, before the split is settled (it may come from the patient's other studies).
        struct Listed {
            var subjectID: String, studyID: String, images: [DumpImage], folder: String, report: ReportLocation
            var tableSplit: String?
            var labels: [Float?]?
        }
        var listed: [Listed] = []
        for group in Self.sortedEntries(files) {
            let groupPath = (files as NSString).appendingPathComponent(group)
            guard Self.isPrefixedNumber(group, prefix: "p") else {
                Self.countStrayDICOMs(groupPath, root: root, into: &notices)
                continue
            }
            for subjectFolder in Self.sortedEntries(groupPath) {
                let subjectPath = (groupPath as NSString).appendingPathComponent(subjectFolder)
                guard Self.isPrefixedNumber(subjectFolder, prefix: "p") else {
                    Self.countStrayDICOMs(subjectPath, root: root, into: &notices)
                    continue
                }
                let subjectID = String(subjectFolder.dropFirst())
                guard partition.contains(subjectID: subjectID) else { continue }
                let entries = Self.sortedEntries(subjectPath)
                var studyIDs = Set<String>()
                for entry in entries {
                    let name = entry.hasSuffix(".txt") ? String(entry.dropLast(4)) : entry
                    if Self.isPrefixedNumber(name, prefix: "s") {
                        studyIDs.insert(String(name.dropFirst()))
                    } else {
                        Self.countStrayDICOMs((subjectPath as NSString).appendingPathComponent(entry), root: root, into: &notices)
                    }
                }
                for studyID in studyIDs.sorted() {
                    let studyPath = (subjectPath as NSString).appendingPathComponent("s" + studyID)
                    let reportPath = studyPath + ".txt"
                    var studySplits = Set<String>()
                    var images: [DumpImage] = []
                    for file in Self.sortedEntries(studyPath) {
                        let lower = file.lowercased()
                        let suffix = [".dcm", ".jpg", ".jpeg"].first { lower.hasSuffix($0) && lower.count > $0.count }
                        guard let suffix else {
                            Self.countStrayDICOMs((studyPath as NSString).appendingPathComponent(file), root: root, into: &notices)
                            continue
                        }
                        var dicomID = String(file.dropLast(suffix.count))
                        let image = Self.relative(studyPath + "/" + file, root: root)
                        var view: String?
                        if let row = views.removeValue(forKey: dicomID) {
                            if row.agrees(subjectID: subjectID, studyID: studyID) {
                                // The table's copy of the id is kept (shared storage) and the new one freed.
                                dicomID = row.dicomID
                                view = row.view.isEmpty ? nil : row.view
                            } else {
                                notices.add(.metadataRowDisagreesWithPath, "\(image) (line \(row.line): subject \(row.subjectID ?? "?"), study \(row.studyID ?? "?"))")
                            }
                        }
                        if splits.isKeyedByImage {
                            if let row = splits.rows.removeValue(forKey: dicomID) {
                                if row.agrees(subjectID: subjectID, studyID: studyID) {
                                    studySplits.insert(row.split)
                                } else {
                                    notices.add(.splitRowDisagreesWithPath, "\(image) (line \(row.line): subject \(row.subjectID ?? "?"), study \(row.studyID ?? "?"))")
                                    notices.add(.imageWithoutSplitRow, image)
                                }
                            } else if splits.present {
                                notices.add(.imageWithoutSplitRow, image)
                            }
                        }
                        images.append(DumpImage(dicomID: dicomID, view: view, folder: studyPath,
                                                fileExtension: String(file.suffix(suffix.count))))
                    }
                    if !splits.isKeyedByImage, splits.present {
                        if let row = splits.rows.removeValue(forKey: studyID), row.agrees(subjectID: subjectID, studyID: studyID) {
                            studySplits.insert(row.split)
                        } else {
                            images.forEach { notices.add(.imageWithoutSplitRow, Self.relative($0.path, root: root)) }
                        }
                    }
                    var studyLabels: [Float?]?
                    if let row = labels.removeValue(forKey: studyID) {
                        if row.subjectID == nil || row.subjectID == subjectID {
                            studyLabels = row.values
                        } else {
                            notices.add(.chexpertRowDisagreesWithPath, "\(Self.relative(studyPath, root: root)) (line \(row.line): subject \(row.subjectID!))")
                        }
                    }
                    if studySplits.count > 1 {
                        throw IngestError(.badValue, "\(Self.table(root: root, name: "mimic-cxr-2.0.0-split") ?? "split CSV"): "
                            + "the images of study \(studyID) (patient \(subjectID)) are in \(studySplits.sorted().joined(separator: " and ")); "
                            + "a patient must stay in one split: fix the table")
                    }
                    listed.append(Listed(subjectID: subjectID, studyID: studyID, images: images, folder: studyPath,
                                         report: reportSource.locate(beside: reportPath,
                                                                     relative: "\(group)/\(subjectFolder)/s\(studyID).txt"),
                                         tableSplit: studySplits.first,
                                         labels: studyLabels))
                }
            }
        }
        // Rows left over name images or studies that are not in the dump (within this partition).
        func inPartition(_ subjectID: String?) -> Bool { subjectID.map(partition.contains(subjectID:)) ?? true }
        for row in views.values.sorted(by: { $0.line < $1.line }) where inPartition(row.subjectID) {
            notices.add(.metadataRowWithoutImage, "\(row.dicomID) (line \(row.line))")
        }
        for (key, row) in splits.rows.sorted(by: { $0.value.line < $1.value.line }) where inPartition(row.subjectID) {
            notices.add(.splitRowWithoutImage, "\(key) (line \(row.line))")
        }
        for (key, row) in labels.sorted(by: { $0.value.line < $1.value.line }) where inPartition(row.subjectID) {
            notices.add(.chexpertRowWithoutStudy, "\(key) (line \(row.line))")
        }
        // A patient stays in one split: the table's, else (no row for any of the patient's images) the derived one.
        var patientSplit: [String: (split: String, studyID: String)] = [:]
        for study in listed {
            guard let split = study.tableSplit else { continue }
            if let other = patientSplit[study.subjectID], other.split != split {
                throw IngestError(.badValue, "\(Self.table(root: root, name: "mimic-cxr-2.0.0-split") ?? "split CSV"): "
                    + "patient \(study.subjectID) is in \(other.split) (study \(other.studyID)) and in \(split) (study "
                    + "\(study.studyID)); a patient must stay in one split: fix the table")
            }
            patientSplit[study.subjectID] = (split, study.studyID)
        }
        studies = listed.map { study in
            DumpStudy(subjectID: study.subjectID, studyID: study.studyID, images: study.images, folder: study.folder,
                      report: study.report,
                      split: patientSplit[study.subjectID]?.split ?? Self.derivedSplit(subjectID: study.subjectID),
                      labels: study.labels)
        }
        self.tablesFound = found
        self.notices = notices
    }

    /// `path` relative to the dump root.
    static func relative(_ path: String, root: String) -> String {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// Counts the DICOM files at or under `path` (a file or a folder outside the layout), at most 8 folders deep.
    private static func countStrayDICOMs(_ path: String, root: String, into notices: inout DumpNotices, depth: Int = 0) {
        var isDirectory: ObjCBool = false
        guard unsafe FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        if isDirectory.boolValue {
            guard depth < 8 else { return }
            for entry in sortedEntries(path) {
                countStrayDICOMs((path as NSString).appendingPathComponent(entry), root: root, into: &notices, depth: depth + 1)
            }
        } else if [".dcm", ".jpg", ".jpeg"].contains(where: path.lowercased().hasSuffix) {
            notices.add(.dicomOutsideLayout, relative(path, root: root))
        }
    }

    /// The split of a subject when no split CSV is given: a stable hash puts about 1% of patients in `validate`,
    /// 2% in `test` and the rest in `train`, patient-disjoint as MIMIC-CXR's own split is.
    public static func derivedSplit(subjectID: String) -> String {
        switch StableHash.fnv1a(subjectID, salt: "carina-split") % 100 {
        case 0: "validate"
        case 1, 2: "test"
        default: "train"
        }
    }

    private static func sortedEntries(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    private static func isPrefixedNumber(_ name: String, prefix: Character) -> Bool {
        name.count > 1 && name.first == prefix && name.dropFirst().allSatisfy(\.isNumber)
    }

    static func table(root: String, name: String) -> String? {
        for candidate in [name + ".csv.gz", name + ".csv"] {
            let path = (root as NSString).appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }

    // The tables are streamed row by row, keeping only the columns the dump needs; each value is checked, and one
    // image or study given two different values is an error naming both lines.

    /// A metadata row: the view of one image.
    struct ViewRow {
        var dicomID: String, view: String, subjectID: String?, studyID: String?, line: Int
        func agrees(subjectID: String, studyID: String) -> Bool {
            (self.subjectID ?? subjectID) == subjectID && (self.studyID ?? studyID) == studyID
        }
    }

    /// A split row: the split of one image (or, without a `dicom_id` column, of one study).
    struct SplitRow {
        var split: String, subjectID: String?, studyID: String?, line: Int
        func agrees(subjectID: String, studyID: String) -> Bool {
            (self.subjectID ?? subjectID) == subjectID && (self.studyID ?? studyID) == studyID
        }
    }

    struct SplitTable {
        var present = false
        var isKeyedByImage = false
        var rows: [String: SplitRow] = [:]
    }

    /// A chexpert row: the 14 labels of one study.
    struct LabelRow {
        var values: [Float?], subjectID: String?, line: Int
    }

    static let splitValues: Set<String> = ["train", "validate", "test"]

    private static func readViews(root: String, found: inout [String]) throws(IngestError) -> [String: ViewRow] {
        guard let path = table(root: root, name: "mimic-cxr-2.0.0-metadata") else { return [:] }
        found.append("metadata")
        var views: [String: ViewRow] = [:]
        try CSVTable.forEachRow(path: path, columns: ["dicom_id", "ViewPosition"], optional: ["subject_id", "study_id"]) {
            (row: [String], ids: [String?], line: Int) throws(IngestError) in
            guard !row[0].isEmpty else { throw IngestError(.badValue, "\(path):\(line): empty dicom_id; fix the table") }
            if let earlier = views[row[0]] {
                guard earlier.view == row[1], earlier.subjectID == ids[0], earlier.studyID == ids[1] else {
                    throw IngestError(.badValue, "\(path):\(line): dicom_id \(row[0]) is also on line \(earlier.line) with "
                        + "other values (ViewPosition \"\(earlier.view)\" and \"\(row[1])\"); keep one row per image")
                }
                return
            }
            views[row[0]] = ViewRow(dicomID: row[0], view: row[1], subjectID: ids[0], studyID: ids[1], line: line)
        }
        return views
    }

    private static func readSplits(root: String, found: inout [String]) throws(IngestError) -> SplitTable {
        guard let path = table(root: root, name: "mimic-cxr-2.0.0-split") else { return SplitTable() }
        found.append("split")
        var result = SplitTable(present: true)
        var bad: [(line: Int, value: String)] = []
        try CSVTable.forEachRow(path: path, columns: ["study_id", "split"], optional: ["dicom_id", "subject_id"]) {
            (row: [String], ids: [String?], line: Int) throws(IngestError) in
            guard splitValues.contains(row[1]) else {
                bad.append((line, row[1]))
                return
            }
            result.isKeyedByImage = ids[0] != nil
            let key = ids[0] ?? row[0]
            if let earlier = result.rows[key] {
                guard earlier.split == row[1], earlier.studyID == row[0], earlier.subjectID == ids[1] else {
                    throw IngestError(.badValue, "\(path):\(line): \(ids[0] != nil ? "dicom_id" : "study_id") \(key) is also "
                        + "on line \(earlier.line) with other values (\(earlier.split) and \(row[1])); keep one row per image")
                }
                return
            }
            result.rows[key] = SplitRow(split: row[1], subjectID: ids[1], studyID: row[0], line: line)
        }
        if let first = bad.first {
            throw IngestError(.badValue, "\(path):\(first.line): split \"\(first.value)\" is not train, validate or test "
                + "(\(bad.count) such row\(bad.count == 1 ? "" : "s")); fix the table, or remove it to derive the split")
        }
        return result
    }

    private static func readLabels(root: String, table name: MimicLabelTable,
                                   found: inout [String]) throws(IngestError) -> [String: LabelRow] {
        guard let path = table(root: root, name: name.tableName) else { return [:] }
        found.append(name.rawValue)
        var labels: [String: LabelRow] = [:]
        // Most studies share one of a few thousand label vectors: each distinct vector is stored once and shared.
        var distinct: [[String]: [Float?]] = [:]
        var bad: [(line: Int, column: String, value: String)] = []
        try CSVTable.forEachRow(path: path, columns: ["study_id"] + CheXpertLabels.columns, optional: ["subject_id"]) {
            (row: [String], ids: [String?], line: Int) throws(IngestError) in
            let fields = Array(row.dropFirst())
            let values: [Float?]
            if let shared = distinct[fields] {
                values = shared
            } else {
                var parsed: [Float?] = []
                for (column, field) in zip(CheXpertLabels.columns, fields) {
                    if field.isEmpty {
                        parsed.append(nil)
                    } else if let value = Float(field), [1, 0, -1].contains(value) {
                        parsed.append(value)
                    } else {
                        bad.append((line, column, field))
                        parsed.append(nil)
                    }
                }
                values = parsed
                distinct[fields] = values
            }
            if let earlier = labels[row[0]] {
                guard earlier.values == values, earlier.subjectID == ids[0] else {
                    throw IngestError(.badValue, "\(path):\(line): study_id \(row[0]) is also on line \(earlier.line) with "
                        + "other labels; keep one row per study")
                }
                return
            }
            labels[row[0]] = LabelRow(values: values, subjectID: ids[0], line: line)
        }
        if let first = bad.first {
            throw IngestError(.badValue, "\(path):\(first.line): \(first.column) is \"\(first.value)\", not 1.0, 0.0, -1.0 "
                + "or blank (\(bad.count) such value\(bad.count == 1 ? "" : "s")); fix the table")
        }
        return labels
    }
}
