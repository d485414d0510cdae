/// An archive of report files read entry by entry without unpacking it (MIMIC-CXR's `mimic-cxr-reports.zip`).
public protocol ReportArchiveReader: Sendable {
    /// The archive's path.
    var path: String { get }
    /// The names of the archive's entries.
    var entryNames: [String] { get }
    /// The bytes of the entry `name`.
    func bytes(ofEntry name: String) throws -> [UInt8]
}

extension ReportCorpus {
    /// The `.txt` reports of an archive, sorted by name (for `files/pXX/pSUBJECT/sSTUDY.txt` entries, the order of
    /// a dump's walk). Each entry's path is `ARCHIVE:NAME`.
    ///
    /// - Throws: `ReportError.notFound` when the archive holds no `.txt` entry.
    public init(archive: any ReportArchiveReader) throws(ReportError) {
        let names = archive.entryNames.filter { $0.lowercased().hasSuffix(".txt") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard !names.isEmpty else {
            throw ReportError(.notFound, "the archive holds no report (.txt) entries", path: archive.path)
        }
        entries = names.map { name in
            let file = name.split(separator: "/").last.map(String.init) ?? name
            return Entry(studyID: String(file.dropLast(4)), path: archive.path + ":" + name, isXML: false)
        }
        isDump = true
        self.archive = archive
    }

    /// The bytes of `entry`: its file, or its entry of the archive.
    ///
    /// - Throws: `ReportError` when it cannot be read.
    public func bytes(_ entry: Entry) throws(ReportError) -> [UInt8] {
        guard let archive else { return try Self.readBytes(entry.path) }
        let name = String(entry.path.dropFirst(archive.path.count + 1))
        do { return try archive.bytes(ofEntry: name) } catch {
            throw ReportError(.unreadable, "\(error)", path: entry.path)
        }
    }

}
