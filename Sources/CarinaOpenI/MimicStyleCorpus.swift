import CarinaReports
import Foundation

/// A corpus in the MIMIC-CXR dump layout made from the IU X-ray reports, for differential tests and benchmarks.
///
/// `carina-report-bench emit-mimic-corpus NLMCXR_reports.tgz --out OUT --titles …` (Benchmarks/ReportBench) writes it;
/// the tests build the same bytes in memory. It is derived at run time only (the IU licence forbids distributing modified reports).
public enum MimicStyleCorpus {
    /// The default seed of the committed oracle digests.
    public static let defaultSeed: UInt64 = 20_240_601

    /// Reads every IU report from a folder of XML files or from the collection's `.tgz` (unpacked with `tar`
    /// into a temporary folder), sorted by the number in the file name.
    /// - Throws: `ReportError` when the archive cannot be unpacked or a file cannot be parsed.
    public static func loadIU(_ path: String) throws(ReportError) -> [OpenIReport] {
        var dir = path
        var cleanup: String? = nil
        if path.hasSuffix(".tgz") || path.hasSuffix(".tar.gz") {
            let tmp = FileManager.default.temporaryDirectory
                .appendingPathComponent("carina-iu-\(UUID().uuidString)").path
            do {
                try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                p.arguments = ["tar", "-xzf", path, "-C", tmp]
                try p.run()
                p.waitUntilExit()
                guard p.terminationStatus == 0 else {
                    throw ReportError(.unreadable, "tar could not unpack the archive (status \(p.terminationStatus))",
                                      path: path)
                }
            } catch let e as ReportError {
                throw e
            } catch {
                throw ReportError(.unreadable, "cannot unpack the archive: \(error)", path: path)
            }
            dir = tmp
            cleanup = tmp
        }
        defer { if let c = cleanup { try? FileManager.default.removeItem(atPath: c) } }
        let corpus = try ReportCorpus(path: dir)
        let xml = corpus.entries.filter(\.isXML).sorted {
            (Int($0.studyID) ?? Int.max, $0.path) < (Int($1.studyID) ?? Int.max, $1.path)
        }
        var out: [OpenIReport] = []
        out.reserveCapacity(xml.count)
        for e in xml { out.append(try OpenIReader.read(path: e.path)) }
        return out
    }

    /// Reads the header spellings file (`negbio_section_titles.txt`).
    public static func loadTitles(_ path: String) throws(ReportError) -> [String] {
        let bytes = try ReportCorpus.readBytes(path)
        return String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
    }

    /// Renders every report; study ids are unique.
    ///
    /// - Parameter copies: render the collection this many times (each copy with its own study ids and layouts),
    ///   for benchmarks that need a larger dump.
    public static func render(_ reports: [OpenIReport], titles: [String], seed: UInt64 = defaultSeed,
                              copies: Int = 1) -> [MimicStyleRenderer.Rendered]
    {
        let renderer = MimicStyleRenderer(titles: titles)
        var seen = Set<String>()
        var out: [MimicStyleRenderer.Rendered] = []
        out.reserveCapacity(reports.count * copies)
        let all = (0..<max(1, copies)).lazy.flatMap { _ in reports }
        for (i, r) in all.enumerated() {
            var rendered = renderer.render(r, index: i, seed: seed)
            while seen.contains(rendered.studyID)
                || (i >= MimicOverride.all.count && MimicOverride.forStudy(rendered.studyID) != nil)
            {
                let n = Int(rendered.studyID.dropFirst())! + 1
                rendered.studyID = "s\(n)"
            }
            seen.insert(rendered.studyID)
            out.append(rendered)
        }
        return out
    }

    /// Writes the rendered reports as `DIR/files/pXX/pSUBJECT/sSTUDY.txt`.
    /// - Throws: `ReportError.unreadable` when a file cannot be written.
    public static func write(_ rendered: [MimicStyleRenderer.Rendered], to dir: String) throws(ReportError) {
        for r in rendered {
            let path = (dir as NSString).appendingPathComponent(r.relativePath)
            do {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                try Data(r.text.utf8).write(to: URL(fileURLWithPath: path))
            } catch {
                throw ReportError(.unreadable, "cannot write: \(error)", path: path)
            }
        }
    }
}
