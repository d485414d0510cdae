import CarinaCore
import CarinaReports
import Foundation

/// One report file found under a PATH, with the subject and study ids its MIMIC-CXR path gives.
public struct ReportFile: Sendable {
    public let path: String
    /// `SUBJECT` of `pSUBJECT/sSTUDY.txt`, or empty when the path is not MIMIC-shaped.
    public let subjectID: String
    /// `STUDY` of `sSTUDY.txt`, or the file name without extension.
    public let studyID: String
    /// The corpus entry the file was found as (nil for an id that names no file).
    public var entry: ReportCorpus.Entry? = nil
    /// The corpus the entry is read through (a folder's files, or the reports archive).
    public var corpus: ReportCorpus? = nil

    public init(path: String, subjectID: String, studyID: String) {
        self.path = path
        self.subjectID = subjectID
        self.studyID = studyID
    }

    /// The report's bytes, read through its corpus.
    public func bytes() throws(ReportError) -> [UInt8] {
        guard let entry else { throw ReportError(.notFound, "not a report file found by ReportFiles.find", path: path) }
        if let corpus { return try corpus.bytes(entry) }
        return try ReportCorpus.readBytes(entry.path)
    }

    /// The report split into sections, as `carina sections` splits it (clean mode; OpenI XML by its fields).
    public func sections() throws(ReportError) -> [(name: String, text: String)] {
        guard let entry else { throw ReportError(.notFound, "not a report file found by ReportFiles.find", path: path) }
        let loaded = try ReportLoader.load(bytes: bytes(), entry: entry, mode: .clean)
        return loaded.report.sections.map { ($0.name, $0.text) }
    }
}

/// Finds the report files under a PATH: everything `carina sections`, `graph` and `labels` read.
public enum ReportFiles {
    /// PATH itself if it is a file (.txt or OpenI .xml); every `.txt` and `.xml` below a folder (sorted by path); the
    /// `pXX/pSUBJECT/sSTUDY.txt` reports of a MIMIC-CXR dump root.
    public static func find(_ path: String) throws(ReportError) -> [ReportFile] {
        let corpus = try self.corpus(path)
        return corpus.entries.map { entry in
            var f = file(entry.path)
            f.entry = entry
            f.corpus = corpus
            return f
        }
    }

    /// The reports under PATH; a `.zip` PATH is read as the reports archive (`mimic-cxr-reports.zip`), entry by
    /// entry, without unpacking it.
    public static func corpus(_ path: String) throws(ReportError) -> ReportCorpus {
        if path.lowercased().hasSuffix(".zip") {
            let archive: ZipArchive
            do { archive = try ZipArchive(path: path) } catch { throw ReportError(.unreadable, "\(error)") }
            return try ReportCorpus(archive: archive)
        }
        return try ReportCorpus(path: path)
    }

    /// The subject and study ids of a report path (or a RadGraph report id such as `p10/p10000032/s50414267.txt`).
    public static func file(_ path: String) -> ReportFile {
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension().lastPathComponent
        let parent = url.deletingLastPathComponent().lastPathComponent
        func digits(after prefix: Character, _ s: String) -> String? {
            guard s.first == prefix, s.count > 1, s.dropFirst().allSatisfy(\.isASCII),
                s.dropFirst().allSatisfy(\.isNumber)
            else { return nil }
            return String(s.dropFirst())
        }
        if let study = digits(after: "s", stem), let subject = digits(after: "p", parent) {
            return ReportFile(path: path, subjectID: subject, studyID: study)
        }
        return ReportFile(path: path, subjectID: "", studyID: stem)
    }
}

extension ZipArchive: ReportArchiveReader {
    public var entryNames: [String] { Array(entries.keys) }

    public func bytes(ofEntry name: String) throws -> [UInt8] {
        guard let bytes = try data(named: name) else {
            throw ZipError(.malformed, "\(path) has no entry \(name)", path: path)
        }
        return bytes
    }
}
