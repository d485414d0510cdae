import CarinaReports

/// Reads and splits any report file Carina knows: MIMIC-style text or IU/OpenI XML.
public enum ReportLoader {
    /// One loaded report: its split, and the raw text when it came from a text file.
    public struct Loaded: Sendable {
        public var report: SectionedReport
        public var raw: String?
    }

    /// Reads `entry` and splits it in `mode`.
    /// - Throws: `ReportError` for unreadable files, bad UTF-8, binary data (clean mode) or malformed XML.
    public static func load(_ entry: ReportCorpus.Entry, mode: SectionMode) throws(ReportError) -> Loaded {
        let bytes = try ReportCorpus.readBytes(entry.path)
        return try load(bytes: bytes, entry: entry, mode: mode)
    }

    /// Splits a report already in memory.
    public static func load(bytes: [UInt8], entry: ReportCorpus.Entry, mode: SectionMode) throws(ReportError)
        -> Loaded
    {
        if entry.isXML {
            let r = try OpenIReader.parse(bytes, path: entry.path)
            return Loaded(report: r.sectioned(mode: mode), raw: nil)
        }
        let text = try ReportText.decode(bytes, mode: mode, path: entry.path)
        return Loaded(report: SectionSplitter.split(text, studyID: entry.studyID, mode: mode), raw: text)
    }
}
