import CarinaCore
import CarinaGraph
import Foundation

/// One DICOM image of a study, with what the CSVs (or, failing them, the layout) say about it.
///
/// A dump lists every image before the ingest starts, so an image keeps only its id, its view and the study folder's
/// string (shared by all images of the study, not copied) and builds its path when asked.
public struct DumpImage: Sendable, Equatable {
    public let dicomID: String
    /// `ViewPosition` from the metadata CSV; nil when the CSV is absent or the field is blank (the DICOM header decides).
    public let view: String?
    /// The study folder, `files/pXX/pSUBJECT/sSTUDY`.
    let folder: String
    /// `.dcm` as spelled on disk.
    let fileExtension: String

    /// `files/pXX/pSUBJECT/sSTUDY/DICOM_ID.dcm`.
    public var path: String { folder + "/" + dicomID + fileExtension }
}

/// One study: its images, its report file, its split and its CheXpert labels.
public struct DumpStudy: Sendable, Equatable {
    public let subjectID: String
    public let studyID: String
    public let images: [DumpImage]
    /// The study folder, `files/pXX/pSUBJECT/sSTUDY`.
    let folder: String
    let hasReport: Bool
    /// `train`, `validate` or `test`: from the split CSV, else derived from the subject id.
    public let split: String
    /// The 14 CheXpert values in CSV order (nil = blank), when the chexpert CSV has the study.
    public let labels: [Float?]?

    /// `files/pXX/pSUBJECT/sSTUDY.txt`, or nil when the dump has no report for the study.
    public var reportPath: String? { hasReport ? folder + ".txt" : nil }
}

/// A MIMIC-CXR dump on disk: `files/p{XX}/p{subject}/s{study}/{dicom_id}.dcm`, reports beside the study folders,
/// and the optional `mimic-cxr-2.0.0-{metadata,split,chexpert}.csv(.gz)` tables.
///
/// Studies are listed in (subject, study) order and images in dicom-id order, so every run sees the same order.
public struct MimicDump: Sendable {
    public let root: String
    public let studies: [DumpStudy]
    /// Which of the optional tables were found (`metadata`, `split`, `chexpert`).
    public let tablesFound: [String]

    /// Scans the dump at `root`, keeping only the subjects of `partition`.
    ///
    /// - Throws: `IngestError.notADump` when `root` has no `files/` folder; CSV errors name the file and line.
    public init(root: String, partition: Partition = .whole) throws(IngestError) {
        self.root = root
        let fm = FileManager.default
        let files = (root as NSString).appendingPathComponent("files")
        var isDirectory: ObjCBool = false
        guard unsafe fm.fileExists(atPath: files, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw IngestError(.notADump, "\(root) is not a MIMIC-CXR dump: it has no files/ folder "
                + "(expected files/pXX/pSUBJECT/sSTUDY/*.dcm)")
        }
        var found: [String] = []
        let views = try Self.readViews(root: root, found: &found)
        let splits = try Self.readSplits(root: root, found: &found)
        let labels = try Self.readLabels(root: root, found: &found)

        var studies: [DumpStudy] = []
        for group in Self.sortedEntries(files) where Self.isPrefixedNumber(group, prefix: "p") {
            let groupPath = (files as NSString).appendingPathComponent(group)
            for subjectFolder in Self.sortedEntries(groupPath) where Self.isPrefixedNumber(subjectFolder, prefix: "p") {
                let subjectID = String(subjectFolder.dropFirst())
                guard partition.contains(subjectID: subjectID) else { continue }
                let subjectPath = (groupPath as NSString).appendingPathComponent(subjectFolder)
                let entries = Self.sortedEntries(subjectPath)
                var studyIDs = Set<String>()
                for entry in entries {
                    let name = entry.hasSuffix(".txt") ? String(entry.dropLast(4)) : entry
                    if Self.isPrefixedNumber(name, prefix: "s") { studyIDs.insert(String(name.dropFirst())) }
                }
                for studyID in studyIDs.sorted() {
                    let studyPath = (subjectPath as NSString).appendingPathComponent("s" + studyID)
                    let reportPath = studyPath + ".txt"
                    let images = Self.sortedEntries(studyPath)
                        .filter { $0.lowercased().hasSuffix(".dcm") }
                        .map { file -> DumpImage in
                            var dicomID = String(file.dropLast(4))
                            var view: String?
                            if let entry = views.index(forKey: dicomID) {
                                // The table's copy of the id is kept (shared storage) and the new one freed.
                                (dicomID, view) = views[entry]
                            }
                            return DumpImage(dicomID: dicomID, view: view, folder: studyPath,
                                             fileExtension: String(file.suffix(4)))
                        }
                    let split = splits[studyID] ?? Self.derivedSplit(subjectID: subjectID)
                    studies.append(DumpStudy(
                        subjectID: subjectID, studyID: studyID, images: images, folder: studyPath,
                        hasReport: fm.fileExists(atPath: reportPath), split: split, labels: labels[studyID]))
                }
            }
        }
        self.studies = studies
        self.tablesFound = found
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

    // The tables are streamed row by row, keeping only the columns the dump needs.

    private static func readViews(root: String, found: inout [String]) throws(IngestError) -> [String: String] {
        guard let path = table(root: root, name: "mimic-cxr-2.0.0-metadata") else { return [:] }
        found.append("metadata")
        var views: [String: String] = [:]
        try CSVTable.forEachRow(path: path, columns: ["dicom_id", "ViewPosition"]) { (row: [String]) throws(IngestError) in
            if !row[1].isEmpty { views[row[0]] = row[1] }
        }
        return views
    }

    private static func readSplits(root: String, found: inout [String]) throws(IngestError) -> [String: String] {
        guard let path = table(root: root, name: "mimic-cxr-2.0.0-split") else { return [:] }
        found.append("split")
        var splits: [String: String] = [:]
        try CSVTable.forEachRow(path: path, columns: ["study_id", "split"]) { (row: [String]) throws(IngestError) in
            splits[row[0]] = row[1]
        }
        return splits
    }

    private static func readLabels(root: String, found: inout [String]) throws(IngestError) -> [String: [Float?]] {
        guard let path = table(root: root, name: "mimic-cxr-2.0.0-chexpert") else { return [:] }
        found.append("chexpert")
        var labels: [String: [Float?]] = [:]
        // Most studies share one of a few thousand label vectors: each distinct vector is stored once and shared.
        var distinct: [[String]: [Float?]] = [:]
        try CSVTable.forEachRow(path: path, columns: ["study_id"] + CheXpertLabels.columns) { (row: [String]) throws(IngestError) in
            let fields = Array(row.dropFirst())
            if let shared = distinct[fields] {
                labels[row[0]] = shared
            } else {
                let values = fields.map { Float($0) }
                distinct[fields] = values
                labels[row[0]] = values
            }
        }
        return labels
    }
}
