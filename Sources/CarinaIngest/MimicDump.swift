import CarinaCore
import CarinaGraph
import Foundation

/// One DICOM image of a study, with what the CSVs (or, failing them, the layout) say about it.
public struct DumpImage: Sendable, Equatable {
    public let dicomID: String
    public let path: String
    /// `ViewPosition` from the metadata CSV; nil when the CSV is absent or the field is blank (the DICOM header decides).
    public let view: String?
}

/// One study: its images, its report file, its split and its CheXpert labels.
public struct DumpStudy: Sendable, Equatable {
    public let subjectID: String
    public let studyID: String
    /// `files/pXX/pSUBJECT/sSTUDY.txt`, or nil when the dump has no report for the study.
    public let reportPath: String?
    public let images: [DumpImage]
    /// `train`, `validate` or `test`: from the split CSV, else derived from the subject id.
    public let split: String
    /// The 14 CheXpert values in CSV order (nil = blank), when the chexpert CSV has the study.
    public let labels: [Float?]?
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
                            let dicomID = String(file.dropLast(4))
                            return DumpImage(dicomID: dicomID, path: (studyPath as NSString).appendingPathComponent(file),
                                             view: views[dicomID])
                        }
                    let split = splits[studyID] ?? Self.derivedSplit(subjectID: subjectID)
                    studies.append(DumpStudy(
                        subjectID: subjectID, studyID: studyID,
                        reportPath: fm.fileExists(atPath: reportPath) ? reportPath : nil,
                        images: images, split: split, labels: labels[studyID]))
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

    private static func table(root: String, name: String) -> String? {
        for candidate in [name + ".csv.gz", name + ".csv"] {
            let path = (root as NSString).appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        return nil
    }

    private static func readViews(root: String, found: inout [String]) throws(IngestError) -> [String: String] {
        guard let path = table(root: root, name: "mimic-cxr-2.0.0-metadata") else { return [:] }
        found.append("metadata")
        let csv = try CSVTable(path: path)
        let dicom = try csv.column("dicom_id", source: path)
        let view = try csv.column("ViewPosition", source: path)
        var views: [String: String] = [:]
        for row in csv.rows where !row[view].isEmpty { views[row[dicom]] = row[view] }
        return views
    }

    private static func readSplits(root: String, found: inout [String]) throws(IngestError) -> [String: String] {
        guard let path = table(root: root, name: "mimic-cxr-2.0.0-split") else { return [:] }
        found.append("split")
        let csv = try CSVTable(path: path)
        let study = try csv.column("study_id", source: path)
        let split = try csv.column("split", source: path)
        var splits: [String: String] = [:]
        for row in csv.rows { splits[row[study]] = row[split] }
        return splits
    }

    private static func readLabels(root: String, found: inout [String]) throws(IngestError) -> [String: [Float?]] {
        guard let path = table(root: root, name: "mimic-cxr-2.0.0-chexpert") else { return [:] }
        found.append("chexpert")
        let csv = try CSVTable(path: path)
        let study = try csv.column("study_id", source: path)
        var columns: [Int] = []
        for name in CheXpertLabels.columns { columns.append(try csv.column(name, source: path)) }
        var labels: [String: [Float?]] = [:]
        for row in csv.rows {
            labels[row[study]] = columns.map { Float(row[$0]) }
        }
        return labels
    }
}
