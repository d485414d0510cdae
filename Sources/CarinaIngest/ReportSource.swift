import CarinaCore
import Foundation

/// Where a dump's reports are: beside the study folders (the DICOM release's layout), in a separate folder, or in
/// MIMIC-CXR's reports archive `mimic-cxr-reports.zip`, read entry by entry without unpacking it.
struct ReportSource {
    /// The reports folder given (holding `files/pXX/…` or `pXX/…`).
    var folder: String?
    /// The reports archive, and its entries by their path below `files/` (`pXX/pSUBJECT/sSTUDY.txt`).
    var archive: ZipArchive?
    var entries: [String: ZipArchive.Entry] = [:]

    static let archiveName = "mimic-cxr-reports.zip"

    /// - Throws: ``IngestError`` `.notADump` when `reports` is neither a folder nor a readable zip archive.
    init(root: String, reports: String?) throws(IngestError) {
        var zipPath: String?
        if let reports {
            var isDirectory: ObjCBool = false
            guard unsafe FileManager.default.fileExists(atPath: reports, isDirectory: &isDirectory) else {
                throw IngestError(.notADump, "\(reports): no such reports folder or archive; give the folder holding "
                    + "files/pXX/pSUBJECT/sSTUDY.txt or the archive \(Self.archiveName)")
            }
            if isDirectory.boolValue {
                let files = (reports as NSString).appendingPathComponent("files")
                folder = FileManager.default.fileExists(atPath: files) ? files : reports
            } else {
                zipPath = reports
            }
        } else {
            let beside = (root as NSString).appendingPathComponent(Self.archiveName)
            if FileManager.default.fileExists(atPath: beside) { zipPath = beside }
        }
        if let zipPath {
            let zip: ZipArchive
            do { zip = try ZipArchive(path: zipPath) } catch {
                throw IngestError(.notADump, error.description)
            }
            archive = zip
            for (name, entry) in zip.entries where name.hasSuffix(".txt") {
                // `files/p10/p10000032/s50414267.txt`, possibly below a top folder (`mimic-cxr-reports/files/…`).
                let key: Substring
                if let range = name.range(of: "files/") { key = name[range.upperBound...] } else { key = name[...] }
                entries[String(key)] = entry
            }
        }
    }

    /// The report of a study whose report beside its folder would be `beside`, and whose path below `files/` is
    /// `relative` (`pXX/pSUBJECT/sSTUDY.txt`). A report beside the folder is used unless a reports folder was given.
    func locate(beside: String, relative: String) -> ReportLocation {
        if let folder {
            let path = (folder as NSString).appendingPathComponent(relative)
            return FileManager.default.fileExists(atPath: path) ? .file(path) : .none
        }
        if FileManager.default.fileExists(atPath: beside) { return .file(beside) }
        if let archive, let entry = entries[relative] { return .archive(archive, entry) }
        return .none
    }
}
