import CarinaCore
import CarinaGraph
import Foundation

extension MimicDump {
    /// A CheXpert dump: `train.csv` and `valid.csv` (CheXpert-v1.0 or -small) whose `Path` column names each JPEG
    /// (`CheXpert-v1.0-small/train/patient00001/study1/view1_frontal.jpg`), with `Frontal/Lateral`, `AP/PA` and the
    /// 14 labels (1.0, 0.0, -1.0 uncertain, blank).
    ///
    /// `root` is the folder holding the two CSVs (the `CheXpert-v1.0*` folder); a `Path` is taken relative to the
    /// folder above it when it starts with that folder's name, else relative to `root`. One study per
    /// `patientP/studyS` (`subject_id` P, `study_id` `P_S`), one image per row (`dicom_id` `P_S_view1_frontal`), no
    /// report; `labels` in the record's CheXpert order (the same 14 classes as MIMIC-CXR's table); `train.csv` is the
    /// `train` split and `valid.csv` the `validate` split.
    ///
    /// - Throws: ``IngestError`` when neither CSV is there, or a label is not 1.0, 0.0, -1.0 or blank.
    public init(chexpert root: String, partition: Partition = .whole) throws(IngestError) {
        let fm = FileManager.default
        let tables = [("train.csv", "train"), ("valid.csv", "validate")].filter {
            fm.fileExists(atPath: (root as NSString).appendingPathComponent($0.0))
        }
        guard !tables.isEmpty else {
            throw IngestError(.notADump, "\(root) is not a CheXpert dump: it has neither train.csv nor valid.csv "
                + "(give the CheXpert-v1.0 or CheXpert-v1.0-small folder)")
        }
        let rootName = ((root as NSString).standardizingPath as NSString).lastPathComponent
        let parent = ((root as NSString).standardizingPath as NSString).deletingLastPathComponent
        var notices = DumpNotices()
        var studies: [String: (subject: String, split: String, images: [DumpImage], labels: [Float?])] = [:]
        var order: [String] = []
        for (table, split) in tables {
            let path = (root as NSString).appendingPathComponent(table)
            var bad: (line: Int, column: String, value: String)?
            try CSVTable.forEachRow(path: path, columns: ["Path"] + CheXpertLabels.columns,
                                    optional: ["Frontal/Lateral", "AP/PA"]) {
                (row: [String], optional: [String?], line: Int) throws(IngestError) in
                let relative = row[0]
                let file = relative.hasPrefix(rootName + "/") ? (parent as NSString).appendingPathComponent(relative)
                    : (root as NSString).appendingPathComponent(relative)
                let parts = relative.split(separator: "/").map(String.init)
                guard parts.count >= 3, parts[parts.count - 3].hasPrefix("patient"), parts[parts.count - 2].hasPrefix("study")
                else {
                    throw IngestError(.badValue, "\(path):\(line): Path \"\(relative)\" is not …/patientP/studyS/viewN_….jpg; fix the table")
                }
                guard fm.fileExists(atPath: file) else {
                    notices.add(.metadataRowWithoutImage, "\(relative) (\(table) line \(line))")
                    return
                }
                let subject = String(parts[parts.count - 3].dropFirst("patient".count))
                guard partition.contains(subjectID: subject) else { return }
                let studyID = subject + "_" + parts[parts.count - 2].dropFirst("study".count)
                let name = parts[parts.count - 1]
                let stem = (name as NSString).deletingPathExtension
                var labels: [Float?] = []
                for (column, field) in zip(CheXpertLabels.columns, row.dropFirst()) {
                    if field.isEmpty { labels.append(nil) } else if let v = Float(field), [1, 0, -1].contains(v) {
                        labels.append(v)
                    } else {
                        if bad == nil { bad = (line, column, field) }
                        labels.append(nil)
                    }
                }
                let lateral = optional[0]?.lowercased() == "lateral"
                let view = lateral ? "LATERAL" : (optional[1].flatMap { $0.isEmpty ? nil : $0.uppercased() })
                let image = DumpImage(dicomID: studyID + "_" + stem, view: view,
                                      folder: (file as NSString).deletingLastPathComponent,
                                      fileExtension: "." + (name as NSString).pathExtension, release: "chexpert",
                                      fileStem: stem)
                if studies[studyID] == nil {
                    order.append(studyID)
                    studies[studyID] = (subject, split, [], labels)
                }
                studies[studyID]!.images.append(image)
            }
            if let bad {
                throw IngestError(.badValue, "\(path):\(bad.line): \(bad.column) is \"\(bad.value)\", not 1.0, 0.0, "
                    + "-1.0 or blank; fix the table")
            }
        }
        let listed = order.map { id in
            let s = studies[id]!
            return DumpStudy(subjectID: s.subject, studyID: id, images: s.images,
                             folder: s.images[0].folder, report: .none, split: s.split, labels: s.labels)
        }
        self.init(root: root, studies: listed, tablesFound: tables.map { String($0.0.dropLast(4)) }, notices: notices)
        release = "chexpert"
        labelTable = tables.map(\.0).joined(separator: ",")
    }
}
