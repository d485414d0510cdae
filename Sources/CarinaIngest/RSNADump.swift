import CarinaCore
import Foundation

extension MimicDump {
    /// The labels of an `rsna-pneumonia` record, the first three values of its `labels` column (the other eleven are
    /// blank): `Target` of `stage_2_train_labels.csv` (lung opacity suggesting pneumonia, with boxes) and the two other
    /// classes of `stage_2_detailed_class_info.csv` (`Lung Opacity` is the same as `Target` 1).
    public static let rsnaLabelNames = ["Lung Opacity", "No Lung Opacity / Not Normal", "Normal"]

    /// The salt of the RSNA dump's split: a patient is `test` when `fnv1a(salt + patientId) % 100 >= 80`, else
    /// `train` (about 80/20, patient-disjoint, the same on every machine; the release has no labelled test split).
    public static let rsnaSplitSalt = "carina-rsna-pneumonia-split"

    /// An RSNA Pneumonia Detection Challenge dump: `stage_2_train_labels.csv` (`patientId,x,y,width,height,Target`,
    /// one row per box, or one row with empty box fields and `Target` 0), the optional
    /// `stage_2_detailed_class_info.csv` (`patientId,class`), and the DICOMs `stage_2_train_images/PATIENT.dcm`.
    ///
    /// Each patient is one study of one image (`subject_id`, `study_id` and `dicom_id` are the `patientId`), with no
    /// report, ``rsnaLabelNames`` as labels, and its boxes in the record's `meta` as `"rsna_boxes"`:
    /// `[[x, y, width, height], …]` in the DICOM's pixel coordinates (`columns` × `rows` of the same `meta`).
    /// The split is ``rsnaSplitSalt``'s.
    ///
    /// - Throws: ``IngestError`` when the root has no `stage_2_train_labels.csv`, a `Target` is not 0 or 1, a box
    ///   field is not a number, a patient is given both targets or two classes, or a class is not one of the three.
    public init(rsna root: String, partition: Partition = .whole) throws(IngestError) {
        let fm = FileManager.default
        let labelsPath = (root as NSString).appendingPathComponent("stage_2_train_labels.csv")
        guard fm.fileExists(atPath: labelsPath) else {
            throw IngestError(
                .notADump,
                "\(root) is not an RSNA Pneumonia dump: it has no stage_2_train_labels.csv "
                    + "(expected stage_2_train_labels.csv, stage_2_detailed_class_info.csv and stage_2_train_images/)")
        }
        let imageFolder = (root as NSString).appendingPathComponent("stage_2_train_images")
        let files = Set(
            ((try? fm.contentsOfDirectory(atPath: imageFolder)) ?? []).filter { $0.lowercased().hasSuffix(".dcm") })
        guard !files.isEmpty else { throw IngestError(.notADump, "\(imageFolder): no .dcm files") }

        struct Patient { var target: Int, boxes: [[Double]], line: Int, cls: String? }
        var patients: [String: Patient] = [:]
        var order: [String] = []
        try CSVTable.forEachRow(
            path: labelsPath, columns: ["patientId", "x", "y", "width", "height", "Target"], optional: []
        ) {
            (row: [String], _: [String?], line: Int) throws(IngestError) in
            let id = row[0].trimmingCharacters(in: .whitespaces)
            guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
            else {
                throw IngestError(
                    .badValue, "\(labelsPath):\(line): patientId \"\(row[0])\" is not an id; fix the table")
            }
            guard let target = Int(row[5].trimmingCharacters(in: .whitespaces)), target == 0 || target == 1 else {
                throw IngestError(.badValue, "\(labelsPath):\(line): Target \"\(row[5])\" is not 0 or 1; fix the table")
            }
            var box: [Double]?
            if target == 1 {
                let values = row[1...4].map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard values.allSatisfy({ $0 != nil && $0!.isFinite }) else {
                    throw IngestError(
                        .badValue,
                        "\(labelsPath):\(line): a Target 1 row needs numbers in x, y, width and "
                            + "height (got \(row[1...4].joined(separator: ","))); fix the table")
                }
                box = values.map { $0! }
            }
            if var known = patients[id] {
                guard known.target == target else {
                    throw IngestError(
                        .badValue,
                        "\(labelsPath):\(line): patient \(id) has Target \(target) here and "
                            + "\(known.target) on line \(known.line); keep one target per patient")
                }
                if let box { known.boxes.append(box) }
                patients[id] = known
            } else {
                patients[id] = Patient(target: target, boxes: box.map { [$0] } ?? [], line: line, cls: nil)
                order.append(id)
            }
        }
        var found = ["rsna-labels"]
        let classPath = (root as NSString).appendingPathComponent("stage_2_detailed_class_info.csv")
        var notices = DumpNotices()
        if fm.fileExists(atPath: classPath) {
            found.append("rsna-classes")
            try CSVTable.forEachRow(path: classPath, columns: ["patientId", "class"], optional: []) {
                (row: [String], _: [String?], line: Int) throws(IngestError) in
                let id = row[0].trimmingCharacters(in: .whitespaces), cls = row[1].trimmingCharacters(in: .whitespaces)
                guard Self.rsnaLabelNames.contains(cls) else {
                    throw IngestError(
                        .badValue,
                        "\(classPath):\(line): class \"\(row[1])\" is not one of "
                            + Self.rsnaLabelNames.map { "\"\($0)\"" }.joined(separator: ", ") + "; fix the table")
                }
                guard var patient = patients[id] else {
                    notices.add(
                        .metadataRowWithoutImage, "\(id) (\(classPath):\(line): no stage_2_train_labels.csv row)")
                    return
                }
                if let earlier = patient.cls, earlier != cls {
                    throw IngestError(
                        .badValue,
                        "\(classPath):\(line): patient \(id) is \"\(cls)\" here and \"\(earlier)\" "
                            + "on an earlier line; keep one class per patient")
                }
                guard (cls == "Lung Opacity") == (patient.target == 1) else {
                    throw IngestError(
                        .badValue,
                        "\(classPath):\(line): patient \(id) is \"\(cls)\" but has Target "
                            + "\(patient.target) (line \(patient.line) of stage_2_train_labels.csv); fix one of the tables"
                    )
                }
                patient.cls = cls
                patients[id] = patient
            }
        }
        var studies: [DumpStudy] = []
        for id in order {
            let patient = patients[id]!
            guard files.contains(id + ".dcm") else {
                notices.add(.metadataRowWithoutImage, "\(id).dcm (stage_2_train_labels.csv line \(patient.line))")
                continue
            }
            guard partition.contains(subjectID: id) else { continue }
            var labels = [Float?](repeating: nil, count: 14)
            labels[0] = Float(patient.target)
            if let cls = patient.cls {
                labels[1] = cls == Self.rsnaLabelNames[1] ? 1 : 0
                labels[2] = cls == Self.rsnaLabelNames[2] ? 1 : 0
            }
            let boxes = patient.boxes.map { box in "[" + box.map { Self.jsonNumber($0) }.joined(separator: ",") + "]" }
            var image = DumpImage(
                dicomID: id, view: nil, folder: imageFolder, fileExtension: ".dcm",
                release: "rsna-pneumonia")
            image.metaExtra = "\"rsna_boxes\":[" + boxes.joined(separator: ",") + "]"
            let split = StableHash.fnv1a(id, salt: Self.rsnaSplitSalt) % 100 < 80 ? "train" : "test"
            studies.append(
                DumpStudy(
                    subjectID: id, studyID: id, images: [image], folder: imageFolder + "/" + id,
                    report: .none, split: split, labels: labels))
        }
        for name in files.sorted() where patients[String(name.dropLast(4))] == nil {
            notices.add(.imageWithoutSplitRow, name + " (no stage_2_train_labels.csv row; not ingested)")
        }
        studies.sort { $0.subjectID < $1.subjectID }
        self.init(root: root, studies: studies, tablesFound: found, notices: notices)
        release = "rsna-pneumonia"
        labelTable = "stage_2_train_labels.csv"
    }

    /// A box coordinate as JSON: an integer without a fraction, else the shortest decimal.
    static func jsonNumber(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
