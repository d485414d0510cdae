/// Splits a radiology report into sections.
///
/// ```swift
/// let report = SectionSplitter.split(text, studyID: "s50414267", mode: .mimic)
/// print(report.impression ?? "")
/// ```
public enum SectionSplitter {
    /// Splits `text` into sections in the given mode.
    ///
    /// - Parameters:
    ///   - text: The report exactly as read from its file (any newline convention).
    ///   - studyID: The study id, `s` + digits as in MIMIC file names (`s50414267`); a bare number is looked up
    ///     with the `s` prefix. Mimic mode needs it for the 54 upstream overrides.
    ///   - mode: `.clean` (Carina's splitter) or `.mimic` (the MIT-LCP parser exactly).
    /// - Complexity: O(n) in the length of the report.
    public static func split(_ text: String, studyID: String?, mode: SectionMode) -> SectionedReport {
        var text = text
        text.makeContiguousUTF8()
        return unsafe text.utf8.withContiguousStorageIfAvailable { raw in
            switch mode {
            case .mimic: return unsafe mimic(raw, studyID: studyID)
            case .clean: return unsafe CleanSectionParser.split(raw, studyID: studyID)
            }
        }!
    }

    /// Mimic mode over raw UTF-8 bytes.
    static func mimic(_ raw: UnsafeBufferPointer<UInt8>, studyID: String?) -> SectionedReport {
        if let t = unsafe NewlineTranslation.translate(raw) {
            return unsafe t.bytes.withUnsafeBufferPointer { unsafe mimicTranslated($0, studyID: studyID, map: t.raw) }
        }
        return unsafe mimicTranslated(raw, studyID: studyID, map: { $0 })
    }

    static func string(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> String {
        unsafe String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
    }

    static func mimicTranslated(_ b: UnsafeBufferPointer<UInt8>, studyID: String?,
                                map: (Range<Int>) -> Range<Int>) -> SectionedReport {
        let scan = unsafe MimicSectionParser.scan(b)
        var sections: [ReportSection] = []
        sections.reserveCapacity(scan.pieces.count)
        for p in scan.pieces {
            sections.append(ReportSection(name: scan.name(p), rawHeader: p.header.map { unsafe string(b, $0) },
                                          text: unsafe string(b, p.text), range: map(p.text), rule: scan.rule(p)))
        }
        func last(_ code: Int32) -> String? {
            guard let p = scan.pieces.last(where: { $0.nameCode == code }) else { return nil }
            return unsafe string(b, PythonText.strip(p.text, in: b))
        }
        var report = SectionedReport(studyID: studyID, sections: sections,
                                     impression: last(MimicSectionParser.impressionCode),
                                     findings: last(MimicSectionParser.findingsCode),
                                     lastParagraph: last(MimicSectionParser.lastParagraphCode),
                                     comparison: last(MimicSectionParser.comparisonCode))
        report.conclusion = report.impression ?? report.findings ?? report.lastParagraph ?? report.comparison ?? ""
        if let id = studyID,
           let o = MimicOverride.forStudy(id) ?? (id.utf8.first.map { $0 >= 0x30 && $0 <= 0x39 } == true ? MimicOverride.forStudy("s" + id) : nil)
        {
            report.override = o
            report.inSectionedCSV = false
            switch o {
            case .slice(let a, let e):
                let lo = unsafe PythonText.byteOffset(ofCodePoint: a, in: b)
                let hi = unsafe max(lo, PythonText.byteOffset(ofCodePoint: e, in: b))
                report.conclusion = unsafe string(b, lo..<hi)
            case .section(let name):
                if let r = scan.pieces.last(where: { scan.name($0) == name }) {
                    report.conclusion = unsafe string(b, PythonText.strip(r.text, in: b))
                } else {
                    report.conclusion = nil
                    report.problem = "the MIT-LCP override for \(id) takes its last '\(name)' section, which this "
                        + "report lacks (the upstream script stops here with a ValueError)"
                }
            }
        }
        return report
    }
}
