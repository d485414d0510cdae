import CarinaReports

/// One IU X-ray report from the OpenI `ecgen-radiology` XML collection.
///
/// Its sections come from the XML itself (`AbstractText Label="COMPARISON|INDICATION|FINDINGS|IMPRESSION"`); empty
/// elements (530 FINDINGS and 34 IMPRESSION in the full collection) are `nil`.
public struct OpenIReport: Sendable, Equatable {
    /// The report id, e.g. `CXR1` (`uId/@id`), or the file name when the XML has none.
    public var id: String
    public var comparison: String?
    public var indication: String?
    public var findings: String?
    public var impression: String?
    /// MeSH `<major>` terms, e.g. `Opacity/lung/base/left/mild`.
    public var major: [String]
    /// MeSH `<automatic>` terms.
    public var automatic: [String]
    /// `parentImage/@id` of every image.
    public var images: [String]

    public init(id: String, comparison: String? = nil, indication: String? = nil, findings: String? = nil,
                impression: String? = nil, major: [String] = [], automatic: [String] = [], images: [String] = []) {
        self.id = id
        self.comparison = comparison
        self.indication = indication
        self.findings = findings
        self.impression = impression
        self.major = major
        self.automatic = automatic
        self.images = images
    }

    /// The report's sections in the same structure as a split text report.
    ///
    /// Section names are the lower-cased labels; `range` is `nil` (the text is an XML field, not raw text) and
    /// sentence ranges are UTF-8 offsets into the field's own text. Both modes give the same sections; clean mode
    /// also splits sentences and normalizes de-identification marks in `text`.
    public func sectioned(mode: SectionMode) -> SectionedReport {
        var sections: [ReportSection] = []
        for (name, value) in [("comparison", comparison), ("indication", indication), ("findings", findings),
                              ("impression", impression)] {
            guard let value, !value.isEmpty else { continue }
            let label = name.uppercased()
            if mode == .clean {
                sections.append(ReportSection(name: name, rawHeader: label, text: CleanText.normalize(value),
                                              range: nil, rule: "xml:AbstractText@Label",
                                              sentences: SentenceSplitter.sentences(in: value)))
            } else {
                sections.append(ReportSection(name: name, rawHeader: label, text: value, range: nil,
                                              rule: "xml:AbstractText@Label"))
            }
        }
        func field(_ n: String) -> String? { sections.last(where: { $0.name == n })?.text }
        var r = SectionedReport(studyID: id, sections: sections, impression: field("impression"),
                                findings: field("findings"), lastParagraph: nil, comparison: field("comparison"))
        r.conclusion = r.impression ?? r.findings ?? r.comparison ?? ""
        return r
    }
}
