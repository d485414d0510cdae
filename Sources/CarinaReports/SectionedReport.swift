/// A report split into sections, with the four fields that `mimic_cxr_sectioned.csv` carries.
///
/// Mimic mode: `impression`, `findings`, `lastParagraph` and `comparison` are the *last* section of that name,
/// stripped, as `create_section_files.py` takes them (`nil` when absent). Clean mode: every section of that name,
/// normalized and joined by `\n`.
public struct SectionedReport: Sendable, Codable {
    /// The study id (`s50414267`), when known.
    public var studyID: String?
    /// Every section in report order.
    public var sections: [ReportSection]
    /// The last impression section, stripped.
    public var impression: String?
    /// The last findings section, stripped.
    public var findings: String?
    /// The last `last_paragraph` section, stripped.
    public var lastParagraph: String?
    /// The last comparison section, stripped.
    public var comparison: String?
    /// The per-study conclusion that the CheXpert and NegBio labellers read (`mimic_cxr_sections.csv`):
    /// impression, else findings, else last paragraph, else comparison; or the override's text.
    public var conclusion: String?
    /// The MIT-LCP hard-coded override applied to this study, if any (mimic mode).
    public var override: MimicOverride?
    /// Whether this study has a row in `mimic_cxr_sectioned.csv` (the MIT-LCP script leaves overridden studies out).
    public var inSectionedCSV: Bool
    /// A problem with this report that the MIT-LCP script would stop on (mimic mode), e.g. an override naming a
    /// section the report lacks.
    public var problem: String?

    public init(studyID: String?, sections: [ReportSection], impression: String? = nil, findings: String? = nil,
                lastParagraph: String? = nil, comparison: String? = nil, conclusion: String? = nil,
                override: MimicOverride? = nil, inSectionedCSV: Bool = true, problem: String? = nil) {
        self.studyID = studyID
        self.sections = sections
        self.impression = impression
        self.findings = findings
        self.lastParagraph = lastParagraph
        self.comparison = comparison
        self.conclusion = conclusion
        self.override = override
        self.inSectionedCSV = inSectionedCSV
        self.problem = problem
    }
}
