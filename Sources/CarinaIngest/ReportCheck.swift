import Foundation

/// What an ingest finds in a study's report file before it splits it: missing, empty, not text, or larger than any
/// real report.
enum ReportCheck {
    /// The largest report a record may hold: 1 MiB. MIMIC-CXR's longest report is about 10 KB; a larger file is not a
    /// radiology report, and splitting and graphing it would take minutes and gigabytes for one record.
    static let maximumBytes = 1 << 20
    /// Bytes read to tell text from binary or UTF-16 (a NUL byte or invalid UTF-8 in them).
    static let probeBytes = 1 << 16

    enum Status: Equatable {
        case text, missing, empty, notText
        case tooLarge(Int)
    }

    /// Checks the report of `study`.
    static func check(_ study: DumpStudy) -> Status {
        let head: [UInt8]
        let size: Int
        switch study.report {
        case .none: return .missing
        case .archive(let zip, let entry):
            size = entry.size
            if size > maximumBytes { return .tooLarge(size) }
            guard let bytes = try? zip.data(entry) else { return .notText }
            head = Array(bytes.prefix(probeBytes))
        case .file(let path):
            var info = stat()
            guard unsafe stat(path, &info) == 0 else { return .missing }
            size = Int(info.st_size)
            if size > maximumBytes { return .tooLarge(size) }
            guard let handle = FileHandle(forReadingAtPath: path) else { return .missing }
            defer { try? handle.close() }
            head = [UInt8]((try? handle.read(upToCount: probeBytes)) ?? Data())
        }
        if head.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return .empty }
        if head.contains(0) { return .notText }
        // A cut at the probe's end may split a character: only the complete prefix must decode.
        var prefix = head[...]
        if size > head.count {
            while let last = prefix.last, last >= 0x80 {
                prefix = prefix.dropLast()
                if last >= 0xC0 { break }
            }
        }
        if String(validating: prefix, as: UTF8.self) == nil { return .notText }
        return .text
    }

    /// The failure reason of every image of a study whose report is too large.
    static func tooLargeReason(_ study: DumpStudy, bytes: Int) -> String {
        let formatter = ByteCountFormatter()
        formatter.countStyle = .file
        return "report \(study.reportName) is \(bytes) bytes (\(formatter.string(fromByteCount: Int64(bytes)))), "
            + "more than the \(maximumBytes / (1 << 20)) MiB a report may hold (real reports are a few KB); fix or remove the file"
    }
}
