/// Rows as Python's `csv.writer` writes them with the default `excel` dialect (`QUOTE_MINIMAL`, `\r\n` line ends),
/// which is how `mimic_cxr_sectioned.csv` and the conclusion files are written.
public enum PythonCSV {
    /// One field: quoted when it holds a comma, a double quote, `\r` or `\n`; quotes doubled inside.
    /// `nil` is written as nothing, like Python's `None`.
    public static func field(_ s: String?) -> String {
        guard let s else { return "" }
        var needs = false
        for c in s.utf8 where c == 0x2C || c == 0x22 || c == 0x0A || c == 0x0D {
            needs = true
            break
        }
        if !needs { return s }
        return "\"" + s.replacingQuotes() + "\""
    }

    /// One row with its `\r\n` terminator. A row of one empty field is written `""`, as Python does.
    public static func row(_ fields: [String?]) -> String {
        if fields.count == 1, (fields[0] ?? "").isEmpty { return "\"\"\r\n" }
        return fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// The `mimic_cxr_sectioned.csv` header row.
    public static let sectionedHeader = row(["study", "impression", "findings", "last_paragraph", "comparison"])

    /// The `mimic_cxr_sectioned.csv` row of a report split in mimic mode, or `nil` when the upstream script writes
    /// none for it (the 54 overridden studies).
    public static func sectionedRow(_ r: SectionedReport) -> String? {
        guard r.inSectionedCSV else { return nil }
        return row([r.studyID ?? "", r.impression, r.findings, r.lastParagraph, r.comparison])
    }

    /// The conclusion-file row (`mimic_cxr_sections.csv` / `mimic_cxr_NN.csv`: study, conclusion, no header).
    public static func conclusionRow(_ r: SectionedReport) -> String {
        row([r.studyID ?? "", r.conclusion ?? ""])
    }
}

extension String {
    fileprivate func replacingQuotes() -> String {
        var out = ""
        out.reserveCapacity(utf8.count + 8)
        for ch in unicodeScalars {
            if ch == "\"" { out += "\"\"" } else { out.unicodeScalars.append(ch) }
        }
        return out
    }
}
