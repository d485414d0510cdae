import CarinaCore
import CarinaShards
import Foundation

/// Everything an ingest's records depend on, kept in the output folder so that a later run into the same folder can
/// prove it continues the same work.
///
/// Two files in the output folder:
/// - `carina.fingerprint.tsv`: one `kind<TAB>name<TAB>value` line per option that shapes records (`option`), per
///   optional CSV table (`table`: size and modification time, or `absent`) and a summary of the listing
///   (`listing`: file count and a digest).
/// - `carina.listing.tsv.gz`: every input file of the dump, in dump order, as `path<TAB>size<TAB>mtime`
///   (DICOMs and reports; `absent` for a study without a report), so a difference can be named.
///
/// A run into a folder with a fingerprint compares it with its own and, on any difference, stops with one line
/// naming the first difference (``IngestError/Code/inputsChanged``). The option lines are also what
/// `carina shards merge` compares across parts.
struct IngestFingerprint: Equatable {
    static let fileName = "carina.fingerprint.tsv"
    static let listingFileName = "carina.listing.tsv.gz"

    /// `(kind, name, value)` in a fixed order.
    var entries: [Entry]
    /// `path\tsize\tmtime` per input file, in dump order.
    var listing: [String]

    struct Entry: Equatable {
        var kind: String
        var name: String
        var value: String
    }

    /// The fingerprint of ingesting `dump` with `options` now.
    init(dump: MimicDump, options: IngestOptions) {
        var entries: [Entry] = []
        func option(_ name: String, _ value: String) { entries.append(Entry(kind: "option", name: name, value: value)) }
        option("schema", IngestPipeline.schemaVersion)
        option("columns", IngestPipeline.columns(for: options.encoding).map { "\($0.name):\($0.encoding)" }
            .joined(separator: ","))
        option("image", options.encoding.rawValue)
        option("size", options.size.map(String.init) ?? "0")
        option("pad", options.padToSquare ? "yes" : "no")
        option("transform", options.transform.rawValue)
        option("quality", String(options.jpegQuality))
        option("keep-jpeg", options.keepJPEG ? "yes" : "no")
        option("keep-viewless", options.keepImagesWithoutView ? "yes" : "no")
        option("views", options.views.map { $0.sorted().joined(separator: ",") } ?? "all")
        option("partition", options.partition.description)
        option("sections", options.sectionMode.rawValue)
        option("shard-size", String(options.sizeLimit))
        option("labels", dump.tablesFound.contains("chexpert") ? "mimic-cxr-2.0.0-chexpert.csv"
            : dump.tablesFound.contains("negbio") ? "mimic-cxr-2.0.0-negbio.csv" : "carina")
        option("radgraph", options.radGraphPath.map { path in
            (path as NSString).standardizingPath + " " + Self.stamp(path)
        } ?? "none")
        for name in ["metadata", "split", "chexpert"] + (dump.tablesFound.contains("negbio") ? ["negbio"] : []) {
            let value = MimicDump.table(root: dump.root, name: "mimic-cxr-2.0.0-" + name)
                .map { ($0 as NSString).lastPathComponent + " " + Self.stamp($0) } ?? "absent"
            entries.append(Entry(kind: "table", name: name, value: value))
        }
        var listing: [String] = []
        let rootLength = (dump.root as NSString).standardizingPath.count + 1
        func relative(_ path: String) -> String {
            let standard = (path as NSString).standardizingPath
            return standard.count > rootLength ? String(standard.dropFirst(rootLength)) : standard
        }
        for study in dump.studies {
            let report = study.folder + ".txt"
            let stamp: String
            switch study.report {
            case .none: stamp = "absent"
            case .file(let path): stamp = Self.stamp(path, separator: "\t")
            case .archive(let zip, let entry): stamp = "\((zip.path as NSString).lastPathComponent)\t\(entry.size)"
            }
            listing.append(relative(report) + "\t" + stamp)
            for image in study.images {
                listing.append(relative(image.path) + "\t" + Self.stamp(image.path, separator: "\t"))
            }
        }
        let digest = StableHash.fnv1a(listing.joined(separator: "\n"), salt: "carina-listing")
        entries.append(Entry(kind: "listing", name: "files", value: "\(listing.count) \(String(digest, radix: 16))"))
        self.entries = entries
        self.listing = listing
    }

    init(entries: [Entry], listing: [String]) {
        self.entries = entries
        self.listing = listing
    }

    /// `size mtime` of a file (`mtime` in nanoseconds since 1970), or `absent`.
    static func stamp(_ path: String, separator: String = " ") -> String {
        var info = stat()
        guard unsafe stat(path, &info) == 0 else { return "absent" }
        let nanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return "\(info.st_size)\(separator)\(nanoseconds)"
    }

    // MARK: - Files

    var text: String { entries.map { "\($0.kind)\t\($0.name)\t\($0.value)\n" }.joined() }

    /// The option lines of the fingerprint in `directory`, or nil when it has none (`carina shards merge` reads
    /// these through its own parser; this is the ingest side).
    static func read(directory: String) throws(IngestError) -> IngestFingerprint? {
        let path = (directory as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var entries: [Entry] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else {
                throw IngestError(.outputConflict, "\(path) is damaged (line \"\(line.prefix(60))\"); choose an empty "
                    + "--out folder, or delete \(directory) to ingest anew")
            }
            entries.append(Entry(kind: String(fields[0]), name: String(fields[1]), value: String(fields[2])))
        }
        let listingPath = (directory as NSString).appendingPathComponent(listingFileName)
        var listing: [String] = []
        if FileManager.default.fileExists(atPath: listingPath) {
            do {
                listing = String(decoding: try GzipFile.read(path: listingPath), as: UTF8.self)
                    .split(separator: "\n").map(String.init)
            } catch {
                throw IngestError(.outputConflict, "\(listingPath) is damaged (\(error)); choose an empty --out "
                    + "folder, or delete \(directory) to ingest anew")
            }
        }
        return IngestFingerprint(entries: entries, listing: listing)
    }

    /// Writes both files, each under a temporary name and renamed, the listing first.
    func write(directory: String) throws(IngestError) {
        let listingPath = (directory as NSString).appendingPathComponent(Self.listingFileName)
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        do {
            try GzipFile.write(Array(listing.map { $0 + "\n" }.joined().utf8), to: listingPath + ".tmp")
            try Self.rename(listingPath + ".tmp", to: listingPath)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path + ".tmp"))
            try Self.rename(path + ".tmp", to: path)
        } catch let error as IngestError {
            throw error
        } catch {
            throw IngestError(.unreadableFile, "cannot write the fingerprint into \(directory): "
                + "\(IngestError.reason(error)); check that the folder is writable and the disk not full")
        }
    }

    private static func rename(_ from: String, to: String) throws(IngestError) {
        guard unsafe Foundation.rename(from, to) == 0 else {
            throw IngestError(.unreadableFile, "cannot rename \(from) to \(to): \(IngestError.posix(errno))")
        }
    }

    // MARK: - Comparison

    /// The first difference between an earlier run's fingerprint (`old`) and this one, in words, or nil when they
    /// are the same.
    func difference(from old: IngestFingerprint) -> String? {
        let oldByKey = Dictionary(old.entries.map { ($0.kind + "\t" + $0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        for entry in entries where entry.kind != "listing" {
            let before = oldByKey[entry.kind + "\t" + entry.name] ?? "(not recorded)"
            guard before != entry.value else { continue }
            switch entry.kind {
            case "option" where entry.name == "schema" || entry.name == "columns":
                return "the record \(entry.name) was \(before), this Carina writes \(entry.value)"
            case "option" where entry.name == "labels":
                return "the labels came from \(before), now from \(entry.value)"
            case "option" where entry.name == "sections":
                // Recorded under the option's first name; `--mode` since, `--sections` its alias.
                return "--mode was \(before), now \(entry.value)"
            case "option":
                return "--\(entry.name) was \(before), now \(entry.value)"
            default:
                return "the \(entry.name) table changed (was \(before), now \(entry.value))"
            }
        }
        if old.entries.first(where: { $0.kind == "listing" })?.value == entries.first(where: { $0.kind == "listing" })?.value {
            return nil
        }
        return Self.listingDifference(old: old.listing, new: listing)
    }

    /// Names the first added, removed or changed input file.
    static func listingDifference(old: [String], new: [String]) -> String {
        func split(_ line: String) -> (String, String) {
            let cut = line.firstIndex(of: "\t") ?? line.endIndex
            return (String(line[..<cut]), line[cut...].trimmingCharacters(in: .whitespaces))
        }
        // A study without a report is listed as `absent`: such a line names no file.
        let oldFiles = old.map(split).filter { $0.1 != "absent" }
        let newFiles = new.map(split).filter { $0.1 != "absent" }
        let before = Dictionary(oldFiles, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(newFiles, uniquingKeysWith: { a, _ in a })
        var changes: [String] = []
        for (path, value) in newFiles {
            if let was = before[path] {
                if was != value { changes.append("\(path) changed (size or modification time)") }
            } else {
                changes.append("\(path) was added")
            }
        }
        for (path, _) in oldFiles where after[path] == nil { changes.append("\(path) was removed") }
        guard let first = changes.first else { return "the dump's listing changed" }
        return "the dump changed: " + first + (changes.count > 1 ? " (and \(changes.count - 1) more)" : "")
    }

    /// Files that only an ingest leaves in its output folder.
    static let outputMarkers = [MDSIndex.fileName, "carina.progress.json", IngestReport.fileName, IngestReport.summaryFileName]

    /// Checks the fingerprint of `directory` against this one and records this one in a folder that has none.
    ///
    /// - Throws: ``IngestError`` `inputsChanged` naming the first difference, or `outputConflict` for a folder that
    ///   holds ingest output without a fingerprint.
    func check(directory: String) throws(IngestError) {
        let fm = FileManager.default
        if let old = try Self.read(directory: directory) {
            if let change = difference(from: old) {
                throw IngestError(.inputsChanged, "\(directory) was ingested from other inputs or options: \(change); "
                    + "to resume, run the first command on the unchanged dump, or ingest anew into an empty --out "
                    + "folder (or delete \(directory))")
            }
            return
        }
        let names = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
        if let marker = names.sorted().first(where: { Self.outputMarkers.contains($0) || ($0.hasPrefix("shard.") && $0.hasSuffix(".mds")) }) {
            throw IngestError(.outputConflict, "\(directory) already holds a dataset (\(marker)) without "
                + "\(Self.fileName), so it cannot be proved to come from this dump and these options; choose an empty "
                + "--out folder, or delete \(directory) to ingest anew")
        }
        try write(directory: directory)
    }
}
