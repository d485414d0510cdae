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
    /// The archive the entries are read from (``init(archive:)``), or nil for files.
    public var archive: (any ReportArchiveReader)?

    /// Lists the reports under `path`.
    /// - Throws: `ReportError.notFound` when the path does not exist or holds no report.
    public init(path: String) throws(ReportError) {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard unsafe fm.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ReportError(.notFound, "no such file or folder", path: path)
        }
        if !isDir.boolValue {
            entries = [Self.entry(path)]
            isDump = false
            return
        }
        let files = (path as NSString).appendingPathComponent("files")
        var filesIsDir: ObjCBool = false
        if unsafe fm.fileExists(atPath: files, isDirectory: &filesIsDir), filesIsDir.boolValue {
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
        listing(dir).map(\.name)
    }

    /// Folder entries (`opendir`/`readdir`) with whether each is a regular file, sorted by their UTF-8 bytes.
    static func listing(_ dir: String) -> [(name: String, isFile: Bool)] {
        guard let d = unsafe opendir(dir) else { return [] }
        defer { unsafe closedir(d) }
        var out: [(String, Bool)] = []
        while let e = unsafe readdir(d) {
            let name = unsafe withUnsafeBytes(of: e.pointee.d_name) { raw in
                unsafe String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var isFile = unsafe e.pointee.d_type == UInt8(DT_REG)
            if unsafe e.pointee.d_type == UInt8(DT_UNKNOWN) || e.pointee.d_type == UInt8(DT_LNK) {
                var st = stat()
                isFile = unsafe stat(dir + "/" + name, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
            }
            out.append((name, isFile))
        }
        return out.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
    }

    static func dump(_ root: String) -> [Entry] {
        var out: [Entry] = []
        for group in sortedNames(root) where isGroupFolder(group) {
            let g = (root as NSString).appendingPathComponent(group)
            for patient in sortedNames(g) where patient.hasPrefix("p") {
                let p = (g as NSString).appendingPathComponent(patient)
                for (study, isFile) in listing(p) where isFile && study.hasPrefix("s") && study.hasSuffix(".txt") {
                    out.append(Entry(studyID: String(study.dropLast(4)), path: p + "/" + study, isXML: false))
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
            guard unsafe FileManager.default.fileExists(atPath: p, isDirectory: &d) else { continue }
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
        let fd = unsafe open(path, O_RDONLY)
        guard fd >= 0 else {
            throw ReportError(.unreadable, unsafe "cannot open the file for reading: \(String(cString: strerror(errno)))",
                              path: path)
        }
        defer { close(fd) }
        var st = stat()
        guard unsafe fstat(fd, &st) == 0 else {
            throw ReportError(.unreadable, unsafe "cannot stat the file: \(String(cString: strerror(errno)))", path: path)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw ReportError(.unreadable, "is a folder, not a file", path: path) }
        var out: [UInt8] = []
        var capacity = max(Int(st.st_size), 0) + 1
        var count = 0
        while true {
            if count == out.count { out.append(contentsOf: repeatElement(0, count: capacity)); capacity *= 2 }
            let n = unsafe out.withUnsafeMutableBufferPointer { buf in
                unsafe read(fd, buf.baseAddress! + count, buf.count - count)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReportError(.unreadable, unsafe "read failed: \(String(cString: strerror(errno)))", path: path)
            }
            if n == 0 { break }
            count += n
        }
        out.removeSubrange(count...)
        return out
    }
}
