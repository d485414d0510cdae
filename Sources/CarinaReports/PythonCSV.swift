/// Rows as Python's `csv.writer` writes them with the default `excel` dialect (`QUOTE_MINIMAL`, `\r\n` line ends),
/// which is how `mimic_cxr_sectioned.csv` and the conclusion files are written.
public enum PythonCSV {
    /// Appends one field: quoted when it holds a comma, a double quote, `\r` or `\n`, with quotes doubled inside.
    /// `nil` is written as nothing, like Python's `None`.
    public static func appendField(_ s: String?, to out: inout [UInt8]) {
        guard var s else { return }
        s.withUTF8 { b in
            var needs = false
            for unsafe c in unsafe b where c == 0x2C || c == 0x22 || c == 0x0A || c == 0x0D {
                needs = true
                break
            }
            if !needs {
                unsafe out.append(contentsOf: b)
                return
            }
            out.append(0x22)
            var start = 0
            for i in 0..<b.count where unsafe b[i] == 0x22 {
                unsafe out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start...i]))
                out.append(0x22)
                start = i + 1
            }
            unsafe out.append(contentsOf: UnsafeBufferPointer(rebasing: b[start...]))
            out.append(0x22)
        }
    }

    /// Appends one row with its `\r\n` terminator. A row of one empty field is written `""`, as Python does.
    public static func appendRow(_ fields: [String?], to out: inout [UInt8]) {
        if fields.count == 1, (fields[0] ?? "").isEmpty {
            out += [0x22, 0x22, 0x0D, 0x0A]
            return
        }
        for (k, f) in fields.enumerated() {
            if k > 0 { out.append(0x2C) }
            appendField(f, to: &out)
        }
        out += [0x0D, 0x0A]
    }

    /// One field as a string.
    public static func field(_ s: String?) -> String {
        var out: [UInt8] = []
        appendField(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// One row with its `\r\n` terminator, as a string.
    public static func row(_ fields: [String?]) -> String {
        var out: [UInt8] = []
        appendRow(fields, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The `mimic_cxr_sectioned.csv` header row.
    public static let sectionedHeader = row(["study", "impression", "findings", "last_paragraph", "comparison"])

    /// The fields of the `mimic_cxr_sectioned.csv` row of a report split in mimic mode, or `nil` when the upstream
    /// script writes none for it (the 54 overridden studies).
    public static func sectionedFields(_ r: SectionedReport) -> [String?]? {
        guard r.inSectionedCSV else { return nil }
        return [r.studyID ?? "", r.impression, r.findings, r.lastParagraph, r.comparison]
    }

    /// The `mimic_cxr_sectioned.csv` row of a report, or `nil` for the 54 overridden studies.
    public static func sectionedRow(_ r: SectionedReport) -> String? { sectionedFields(r).map(row) }

    /// The conclusion-file row (`mimic_cxr_sections.csv` / `mimic_cxr_NN.csv`: study, conclusion, no header).
    public static func conclusionRow(_ r: SectionedReport) -> String {
        row([r.studyID ?? "", r.conclusion ?? ""])
    }
}
