import CarinaCore
import Foundation

/// What happened to one image of the dump: the `status` column of `ingest-report.tsv`.
public enum IngestImageStatus: String, Sendable {
    case written, skipped, failed
}

/// Why an image was skipped or failed: the qualified code of the error (`dicom.decodeFailed`, `ingest.noView`; the
/// `code` column of `ingest-report.tsv`), the one-line reason, and the error itself when one was raised.
public struct ImageProblem: Sendable {
    public let code: String
    public let reason: String
    public let underlying: (any Error)?

    init(_ code: IngestErrorCode, _ reason: String, underlying: (any Error)? = nil) {
        self.code = code.qualified
        self.reason = reason
        self.underlying = underlying
    }

    /// A problem raised as an error: its module's code (`other` for an error of no Carina module); with `path`,
    /// the reason names the file first.
    init(_ error: any Error, path: String? = nil) {
        code = (error as? any CodedError)?.qualifiedCode ?? "other"
        reason = path.map { "\($0): \(error)" } ?? "\(error)"
        underlying = error
    }
}

extension ErrorCode {
    /// `domain.code`.
    var qualified: String { Self.domain + "." + rawValue }
}

/// `ingest-report.tsv` in the output folder: one line per image found, in dump order, with what happened to it
/// (`written`, `skipped` or `failed`), why, where, and the error's code (`code`, last: empty for a written image;
/// `DOMAIN.CODE` otherwise, e.g. `dicom.decodeFailed`, `ingest.noView`); and `ingest-summary.json` with the final
/// tally.
///
/// Each line is written with one `write(2)` as soon as its image is decided, before the shard holding the image is
/// renamed into place, so after a kill the report always covers every durable record and resumption can find where
/// to continue.
final class IngestReport {
    static let fileName = "ingest-report.tsv"
    static let header = "dicom_id\tstatus\treason\tpath\tcode\n"
    let path: String
    let directory: String
    private var handle: FileHandle

    init(directory: String) throws {
        self.directory = directory
        path = (directory as NSString).appendingPathComponent(Self.fileName)
        // A run killed while replacing a summary file leaves its temporary: gone before this run writes anything.
        for name in [Self.summaryFileName, Self.noticesFileName] {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name + ".tmp"))
        }
        if !FileManager.default.fileExists(atPath: path) {
            try Data(Self.header.utf8).write(to: URL(fileURLWithPath: path))
        }
        handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    /// Keeps the lines of the inputs that produced the first `records` durable records (and the skipped or failed
    /// inputs between them), drops the rest, and says how many inputs that covers.
    func resume(afterRecords records: Int) throws -> (inputs: Int, skipped: Int, failed: Int) {
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        // A line cut short by a kill or a full disk (no newline) is not kept: its image is decided again.
        var lines = Array(text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().dropLast())
        var written = 0, skipped = 0, failed = 0, kept = 0
        for line in lines {
            if written == records { break }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            // Four fields: a line of a report written before the code column.
            guard fields.count == 4 || fields.count == 5 else { break }
            switch fields[1] {
            case "written": written += 1
            case "skipped": skipped += 1
            case "failed": failed += 1
            default: break
            }
            if !["written", "skipped", "failed"].contains(fields[1]) { break }
            kept += 1
        }
        guard written == records else {
            throw IngestError(.outputConflict, "\(directory) holds \(records) records but its \(Self.fileName) accounts "
                + "for \(written): it was not written by this ingest; choose an empty --out folder")
        }
        lines = lines.prefix(kept).map { $0.split(separator: "\t", omittingEmptySubsequences: false).count == 4 ? $0 + "\t" : $0 }
        let rewritten = Self.header + lines.map { $0 + "\n" }.joined()
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(rewritten.utf8))
        return (kept, skipped, failed)
    }

    func append(_ image: DumpImage, status: IngestImageStatus, _ problem: ImageProblem?) throws {
        let clean = (problem?.reason ?? "").replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ")
        let line = "\(image.dicomID)\t\(status.rawValue)\t\(clean)\t\(image.path)\t\(problem?.code ?? "")\n"
        try handle.write(contentsOf: Data(line.utf8))
    }

    /// Syncs the report and writes `ingest-summary.json` (the tally and a count per kind of notice) and
    /// `ingest-notices.tsv` (every notice), both recomputed in full by every run.
    func finish(tally: IngestTally) throws {
        try handle.synchronize()
        var summary: [String: Any] = [
            "studies": tally.studies, "found": tally.found, "written": tally.written,
            "skipped": tally.skipped, "failed": tally.failed,
        ]
        if !tally.notices.items.isEmpty {
            summary["notices"] = Dictionary(uniqueKeysWithValues: tally.notices.summary.map { ($0.kind.rawValue, $0.count) })
        }
        let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys, .prettyPrinted])
        try replace(Self.summaryFileName, with: data)
        try replace(Self.noticesFileName, with: Data(tally.notices.tsv.utf8))
    }

    /// Replaces a file of the folder whole: written as `<name>.tmp`, then renamed over it. (Foundation's atomic
    /// write would leave a temporary of its own naming behind when the process is killed mid-write.)
    private func replace(_ name: String, with data: Data) throws {
        let final = (directory as NSString).appendingPathComponent(name)
        let temporary = final + ".tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, final) == 0 else {
            throw IngestError(.unreadableFile, "cannot replace \(final): \(IngestError.posix(errno))")
        }
    }

    static let summaryFileName = "ingest-summary.json"
    static let noticesFileName = "ingest-notices.tsv"
}
