import CarinaCore
import Foundation

extension MimicDump {
    /// The 14 NIH ChestX-ray14 findings, the order of the `labels` column of a `nih-cxr14` record (`No Finding` is
    /// all of them 0).
    public static let nihLabelNames = [
        "Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Effusion", "Emphysema", "Fibrosis", "Hernia",
        "Infiltration", "Mass", "Nodule", "Pleural_Thickening", "Pneumonia", "Pneumothorax",
    ]

    /// An NIH ChestX-ray14 dump: `Data_Entry_2017*.csv(.gz)` at the root (`Image Index`, `Finding Labels`,
    /// `Patient ID`, `View Position`), the PNGs in `images/` (or the release's `images_NNN/images/` folders), and
    /// `train_val_list.txt` / `test_list.txt` for the official split (else the split is derived by patient).
    ///
    /// Each image is its own study (`study_id` and `dicom_id` are the image name without `.png`; `subject_id` the
    /// patient), with no report, the 14 findings as labels (``nihLabelNames`` order, 1 or 0) and the view.
    ///
    /// - Throws: ``IngestError`` when the root has no `Data_Entry_2017*.csv` or a row is malformed.
    public init(nih root: String, partition: Partition = .whole) throws(IngestError) {
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted()
        guard let table = names.first(where: { $0.hasPrefix("Data_Entry_2017") && ($0.hasSuffix(".csv") || $0.hasSuffix(".csv.gz")) })
        else {
            throw IngestError(.notADump, "\(root) is not an NIH ChestX-ray14 dump: it has no Data_Entry_2017*.csv "
                + "(expected Data_Entry_2017.csv, images/ and train_val_list.txt / test_list.txt)")
        }
        let tablePath = (root as NSString).appendingPathComponent(table)
        // Image files by name: images/, and images_NNN/images/ as the release unpacks.
        var files: [String: String] = [:]
        var folders = ["images"]
        folders += names.filter { $0.hasPrefix("images_") }.map { $0 + "/images" }
        for folder in folders {
            let path = (root as NSString).appendingPathComponent(folder)
            for name in ((try? fm.contentsOfDirectory(atPath: path)) ?? []) where name.lowercased().hasSuffix(".png") {
                files[name] = path
            }
        }
        guard !files.isEmpty else {
            throw IngestError(.notADump, "\(root): no PNG images in images/ or images_NNN/images/")
        }
        func list(_ name: String) -> Set<String>? {
            guard let data = fm.contents(atPath: (root as NSString).appendingPathComponent(name)) else { return nil }
            return Set(String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) })
        }
        let test = list("test_list.txt"), trainVal = list("train_val_list.txt")
        var found = ["data-entry"]
        if test != nil || trainVal != nil { found.append("split-lists") }
        var notices = DumpNotices()
        var studies: [DumpStudy] = []
        var seen = Set<String>()
        var bad: (line: Int, value: String)?
        try CSVTable.forEachRow(path: tablePath, columns: ["Image Index", "Finding Labels", "Patient ID"],
                                optional: ["View Position"]) { (row: [String], optional: [String?], line: Int) throws(IngestError) in
            let name = row[0]
            guard let folder = files[name] else {
                notices.add(.metadataRowWithoutImage, "\(name) (line \(line))")
                return
            }
            guard seen.insert(name).inserted else {
                throw IngestError(.badValue, "\(tablePath):\(line): \(name) is listed twice; keep one row per image")
            }
            let subject = row[2].trimmingCharacters(in: .whitespaces)
            guard partition.contains(subjectID: subject) else { return }
            let findings = Set(row[1].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) })
            let unknown = findings.subtracting(Self.nihLabelNames + ["No Finding"])
            if let first = unknown.first, bad == nil { bad = (line, first) }
            let labels: [Float?] = Self.nihLabelNames.map { findings.contains($0) ? 1 : 0 }
            let split: String
            if test?.contains(name) == true {
                split = "test"
            } else if trainVal?.contains(name) == true {
                split = "train"
            } else {
                if test != nil || trainVal != nil { notices.add(.imageWithoutSplitRow, name) }
                split = Self.derivedSplit(subjectID: subject)
            }
            let stem = String(name.dropLast(4))
            let view = optional[0].map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
            let image = DumpImage(dicomID: stem, view: view?.isEmpty == false ? view : nil, folder: folder,
                                  fileExtension: String(name.suffix(4)), release: "nih-cxr14")
            studies.append(DumpStudy(subjectID: subject, studyID: stem, images: [image], folder: folder + "/" + stem,
                                     report: .none, split: split, labels: labels))
        }
        if let bad {
            throw IngestError(.badValue, "\(tablePath):\(bad.line): finding \"\(bad.value)\" is not one of the 14 NIH "
                + "ChestX-ray14 findings or No Finding; fix the table")
        }
        for name in files.keys.sorted() where !seen.contains(name) {
            notices.add(.imageWithoutSplitRow, name + " (no Data_Entry row; not ingested)")
        }
        studies.sort { ($0.subjectID.count, $0.subjectID, $0.studyID) < ($1.subjectID.count, $1.subjectID, $1.studyID) }
        self.init(root: root, studies: studies, tablesFound: found, notices: notices)
        release = "nih-cxr14"
        labelTable = table
    }
}
