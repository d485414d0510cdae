import Foundation

/// The report files under a path: one file, a folder of them, or a MIMIC-CXR dump root.
///
/// A dump root is a folder holding `files/` or the `pXX` group folders themselves; its reports are
/// `pXX/pSUBJECT/sSTUDY.txt`, visited as `create_section_files.py` visits them: group folders (`p` + two
/// characters) sorted, patient folders (`p…`) sorted, and study files (`s….txt`) — which upstream takes in the
/// file system's own order — sorted by name, so the output is deterministic. Any other folder: every `.txt` and
/// `.xml` file below it, sorted by path.
public struct ReportCorpus: Sendable {
    /// One report file.
    public struct Entry: Sendable, Equatable {
        /// The study id: the file name without its extension (`s50414267`, `1`).
        public var studyID: String
        /// The file's path.
        public var path: String
        /// Whether the file is IU/OpenI XML (else plain text).
        public var isXML: Bool
    }

    /// The report files, in visiting order.
    public var entries: [Entry]
    /// Whether the path was a MIMIC-CXR dump.
    public var isDump: Bool

    /// Lists the reports under `path`.
    /// - Throws: `ReportError.notFound` when the path does not exist or holds no report.
    public init(path: String) throws(ReportError) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ReportError(.notFound, "no such file or folder", path: path)
        }
        if !isDir.boolValue {
            entries = [Self.entry(path)]
            isDump = false
            return
        }
        let files = (path as NSString).appendingPathComponent("files")
        var filesIsDir: ObjCBool = false
        if fm.fileExists(atPath: files, isDirectory: &filesIsDir), filesIsDir.boolValue {
            entries = Self.dump(files)
            isDump = true
        } else if Self.sortedNames(path).contains(where: Self.isGroupFolder) {
            entries = Self.dump(path)
            isDump = true
        } else {
            entries = Self.walk(path)
            isDump = false
        }
        if entries.isEmpty {
            throw ReportError(.notFound, "no report files (.txt, .xml) found in this folder", path: path)
        }
    }

    static func entry(_ path: String) -> Entry {
        let name = (path as NSString).lastPathComponent
        let isXML = name.lowercased().hasSuffix(".xml")
        return Entry(studyID: (name as NSString).deletingPathExtension, path: path, isXML: isXML)
    }

    static func isGroupFolder(_ name: String) -> Bool { name.hasPrefix("p") && name.utf8.count == 3 }

    /// Folder entries sorted by their UTF-8 bytes (Python's `list.sort()` on names).
    static func sortedNames(_ dir: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    static func dump(_ root: String) -> [Entry] {
        var out: [Entry] = []
        for group in sortedNames(root) where isGroupFolder(group) {
            let g = (root as NSString).appendingPathComponent(group)
            for patient in sortedNames(g) where patient.hasPrefix("p") {
                let p = (g as NSString).appendingPathComponent(patient)
                for study in sortedNames(p) where study.hasPrefix("s") && study.hasSuffix(".txt") {
                    let s = (p as NSString).appendingPathComponent(study)
                    var d: ObjCBool = false
                    if FileManager.default.fileExists(atPath: s, isDirectory: &d), !d.boolValue {
                        out.append(Entry(studyID: String(study.dropLast(4)), path: s, isXML: false))
                    }
                }
            }
        }
        return out
    }

    static func walk(_ root: String) -> [Entry] {
        var out: [Entry] = []
        for name in sortedNames(root) where !name.hasPrefix(".") {
            let p = (root as NSString).appendingPathComponent(name)
            var d: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &d) else { continue }
            if d.boolValue {
                out += walk(p)
            } else {
                let lower = name.lowercased()
                if lower.hasSuffix(".txt") || lower.hasSuffix(".xml") { out.append(entry(p)) }
            }
        }
        return out
    }

    /// Reads a file's bytes.
    /// - Throws: `ReportError.unreadable` with the system's reason.
    public static func readBytes(_ path: String) throws(ReportError) -> [UInt8] {
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw ReportError(.unreadable, "cannot open the file for reading", path: path)
        }
        defer { try? h.close() }
        do {
            return [UInt8](try h.readToEnd() ?? Data())
        } catch {
            throw ReportError(.unreadable, "read failed: \(error.localizedDescription)", path: path)
        }
    }
}
