/// Inputs an ingest does not take as they are, counted by kind and named: images without a split row, CSV rows that
/// disagree with the dump's layout or name absent images, DICOMs outside the layout, missing, empty or non-text
/// reports. None stops the ingest; each is printed with its count and first example and listed in full in
/// `DIR/ingest-notices.tsv`, and the counts go into `ingest-summary.json`.
public struct DumpNotices: Sendable, Equatable {
    /// One kind of notice.
    public enum Kind: String, Sendable, CaseIterable {
        case imageWithoutSplitRow = "image-without-split-row"
        case splitRowDisagreesWithPath = "split-row-disagrees-with-path"
        case metadataRowDisagreesWithPath = "metadata-row-disagrees-with-path"
        case chexpertRowDisagreesWithPath = "chexpert-row-disagrees-with-path"
        case metadataRowWithoutImage = "metadata-row-without-image"
        case splitRowWithoutImage = "split-row-without-image"
        case chexpertRowWithoutStudy = "chexpert-row-without-study"
        case dicomOutsideLayout = "dicom-outside-layout"
        case reportMissing = "report-missing"
        case reportEmpty = "report-empty"
        case reportNotText = "report-not-text"

        /// What a count of this kind means and what Carina did about it.
        public var sentence: String {
            switch self {
            case .imageWithoutSplitRow: "images have no row in the split CSV; each takes its patient's split from the "
                + "table, or the derived split when the table has none of the patient's images"
            case .splitRowDisagreesWithPath: "split CSV rows name another subject or study than the image's path; "
                + "the path is kept and the row ignored"
            case .metadataRowDisagreesWithPath: "metadata CSV rows name another subject or study than the image's path; "
                + "the row is ignored (the DICOM header gives the view)"
            case .chexpertRowDisagreesWithPath: "chexpert CSV rows name another subject than the study's path; the "
                + "row is ignored (Carina derives the labels)"
            case .metadataRowWithoutImage: "metadata CSV rows name an image that is not in the dump"
            case .splitRowWithoutImage: "split CSV rows name an image that is not in the dump"
            case .chexpertRowWithoutStudy: "chexpert CSV rows name a study that is not in the dump"
            case .dicomOutsideLayout: "DICOM files lie outside files/pXX/pSUBJECT/sSTUDY/ and are not ingested"
            case .reportMissing: "studies have no report file (sSTUDY.txt); their records have empty report text"
            case .reportEmpty: "studies have an empty report file; their records have empty report text"
            case .reportNotText: "studies have a report that is not UTF-8 text (binary or UTF-16); its text is kept as decoded"
            }
        }
    }

    /// Every notice as (kind, the input it concerns), in the order found.
    public private(set) var items: [(kind: Kind, what: String)] = []

    public init() {}

    public static func == (a: DumpNotices, b: DumpNotices) -> Bool {
        a.items.map(\.kind) == b.items.map(\.kind) && a.items.map(\.what) == b.items.map(\.what)
    }

    mutating func add(_ kind: Kind, _ what: String) { items.append((kind, what)) }

    mutating func append(_ other: DumpNotices) { items += other.items }

    /// How many notices of `kind`.
    public func count(_ kind: Kind) -> Int { items.count { $0.kind == kind } }

    /// Count and first example per kind present, in ``Kind`` order.
    public var summary: [(kind: Kind, count: Int, first: String)] {
        Kind.allCases.compactMap { kind in
            let matching = items.filter { $0.kind == kind }
            return matching.first.map { (kind, matching.count, $0.what) }
        }
    }

    /// One line per kind: `N <sentence> (first: <what>)`.
    public var lines: [String] { summary.map { "\($0.count) \($0.kind.sentence) (first: \($0.first))" } }

    /// `kind<TAB>what` lines with a header, kinds in ``Kind`` order and inputs in the order found.
    var tsv: String {
        "kind\twhat\n" + Kind.allCases.flatMap { kind in
            items.filter { $0.kind == kind }.map { "\(kind.rawValue)\t\($0.what.replacingOccurrences(of: "\t", with: " "))\n" }
        }.joined()
    }
}
