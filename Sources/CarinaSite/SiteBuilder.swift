import CarinaCore
import CarinaRecord
import CarinaShards
import Foundation

/// How a site is built.
public struct SiteOptions: Sendable {
    /// Thumbnails per index page.
    public var pageSize = 240
    /// Long side of a thumbnail and of the image on a record page, in pixels.
    public var thumbnailSide = 192
    public var imageSide = 1024
    /// Re-encode images that a previous build already wrote (they are written once otherwise).
    public var rewriteImages = false
    public var verify: CRCPolicy = .fail
    /// The names of the `concepts` targets (`schemas/lexicon/training-concepts.txt`), shown beside entities.
    public var conceptNames: [String] = []
    /// Worker threads decoding and encoding images.
    public var workers = ProcessInfo.processInfo.activeProcessorCount

    public init() {}
}

/// What a build did.
public struct SiteSummary: Sendable {
    public var records = 0
    public var recordPages = 0
    public var indexPages = 0
    public var imagesWritten = 0
    public var imagesKept = 0
    /// Records that could not be shown (undecodable), with the reason; their pages say so.
    public var problems: [(id: String, reason: String)] = []
    /// The site folder's size after the build, in bytes, and its file count.
    public var bytes = 0
    public var files = 0
}

/// Writes a static site showing a folder of Carina records (`carina show`): an index of thumbnails, paged and
/// listed by split, view, positive label and label source, with the ingest's tally and failures; and one page per
/// record with its windowed image, metadata, sections coloured and named with their rule, entities highlighted by
/// kind and certainty at their stored offsets, relations drawn between them, and the 14 labels with their source.
///
/// Every link is relative and nothing is fetched, so the folder opens from disk. Images are written once: a rebuild
/// over the same folder keeps the PNGs already there (``SiteOptions/rewriteImages`` redoes them).
public final class SiteBuilder: Sendable {
    public let input: String
    public let output: String
    public let options: SiteOptions

    /// One shard folder of the input and the split it holds (empty for a folder of every split).
    struct Part: Sendable {
        var folder: String
        var split: String
    }

    public init(input: String, output: String, options: SiteOptions = SiteOptions()) {
        self.input = input
        self.output = output
        self.options = options
    }

    /// The shard folders of the input: the folder itself, or its `train`, `validate` and `test` folders.
    func parts() throws -> [Part] {
        let fm = FileManager.default
        if fm.fileExists(atPath: input + "/index.json") { return [Part(folder: input, split: "")] }
        let parts = ["train", "validate", "test"].filter { fm.fileExists(atPath: "\(input)/\($0)/index.json") }
            .map { Part(folder: "\(input)/\($0)", split: $0) }
        guard !parts.isEmpty else {
            throw SiteError(.noShards, "\(input) holds no index.json and no train/validate/test folders with one: give a folder "
                + "`carina ingest` wrote")
        }
        return parts
    }

    /// Builds the site; `progress` gets the records done and the total.
    public func build(progress: @Sendable (Int, Int) -> Void = { _, _ in }) throws -> SiteSummary {
        let parts = try parts()
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        var summary = SiteSummary()
        var entries: [IndexEntry] = []
        let datasets = try parts.map { part throws -> MDSDataset in
            do { return try MDSDataset(directory: part.folder, verify: options.verify) } catch let error as ShardError {
                throw SiteError(.unreadable, "\(part.folder): \(error.message)", path: part.folder, underlying: error)
            }
        }
        let total = datasets.reduce(0) { $0 + $1.count }
        var done = 0
        // Neighbours for the record pages' previous/next links, over every part in order.
        var order: [(part: Int, index: Int)] = []
        for (p, d) in datasets.enumerated() { order += (0..<d.count).map { (p, $0) } }
        let pageNames = try pageNames(datasets: datasets, order: order)
        let chunk = 256
        for start in stride(from: 0, to: order.count, by: chunk) {
            let slice = Array(order[start..<min(start + chunk, order.count)])
            let results = IndexedResults<Result<Rendered, any Error>>(count: slice.count)
            let workers = max(1, options.workers)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for k in stride(from: w, to: slice.count, by: workers) {
                    let (p, i) = slice[k]
                    let global = start + k
                    results.set(k, self.render(dataset: datasets[p], index: i, part: parts[p],
                                               previous: global > 0 ? pageNames[global - 1] : nil,
                                               next: global + 1 < pageNames.count ? pageNames[global + 1] : nil))
                }
            }
            for result in results.values {
                switch result {
                case .success(let r):
                    entries.append(r.entry)
                    summary.imagesWritten += r.imagesWritten
                    summary.imagesKept += r.imagesKept
                    if let problem = r.problem { summary.problems.append((r.entry.id, problem)) }
                case .failure(let error): throw error
                case nil: break
                }
            }
            done += slice.count
            progress(done, total)
        }
        summary.records = entries.count
        summary.recordPages = entries.count
        let ingest = IngestInfo.read(parts: parts, root: input)
        summary.indexPages = try IndexWriter(entries: entries, ingest: ingest, options: options, output: output,
                                             title: (input as NSString).lastPathComponent).write()
        try Assets.write(to: output)
        let size = Self.size(of: output)
        summary.bytes = size.bytes
        summary.files = size.files
        return summary
    }

    /// The record pages' paths, in order (read from the key column alone).
    func pageNames(datasets: [MDSDataset], order: [(part: Int, index: Int)]) throws -> [String] {
        try order.map { p, i in
            let raw: MDSRawSample
            do { raw = try datasets[p].rawSample(at: i) } catch let error as ShardError { throw SiteError(.unreadable, "\(datasets[p].directory): \(error.message)", underlying: error) }
            let id = raw[RecordSchema.Column.dicomID.rawValue].map { String(decoding: $0, as: UTF8.self) } ?? "record-\(p)-\(i)"
            return Paths.recordPage(id)
        }
    }

    struct Rendered: Sendable {
        var entry: IndexEntry
        var imagesWritten = 0
        var imagesKept = 0
        var problem: String?
    }

    /// Reads one record, writes its images (unless already there) and its page.
    func render(dataset: MDSDataset, index: Int, part: Part, previous: String?, next: String?) -> Result<Rendered, Error> {
        do {
            let record: CarinaRecord
            do { record = try CarinaRecord(columns: try dataset.sample(at: index)) } catch let error as ShardError {
                throw SiteError(.unreadable, "\(dataset.directory) record \(index): \(error.message)", index: index,
                               underlying: error)
            } catch let error as RecordError {
                throw SiteError(.unreadable, "\(dataset.directory) record \(index): \(error.message)", index: index,
                               underlying: error)
            }
            let id = record.dicomID.isEmpty ? "record-\(index)" : record.dicomID
            var rendered = Rendered(entry: IndexEntry(record: record, id: id, part: part.split))
            let imagePath = output + "/" + Paths.image(id), thumbPath = output + "/" + Paths.thumbnail(id)
            var window: (low: Int, high: Int)?
            let fm = FileManager.default
            if !options.rewriteImages && fm.fileExists(atPath: imagePath) && fm.fileExists(atPath: thumbPath) {
                rendered.imagesKept = 2
            } else {
                do {
                    let image = try DisplayImage.decode(record)
                    let w = DisplayImage.window(image)
                    window = w
                    try fm.createDirectory(atPath: (imagePath as NSString).deletingLastPathComponent,
                                           withIntermediateDirectories: true)
                    try Data(DisplayImage.png(image, window: w, longSide: options.imageSide)).write(to: URL(fileURLWithPath: imagePath))
                    try Data(DisplayImage.png(image, window: w, longSide: options.thumbnailSide)).write(to: URL(fileURLWithPath: thumbPath))
                    rendered.imagesWritten = 2
                } catch let error as SiteError {
                    rendered.problem = error.description
                } catch {
                    rendered.problem = "the image does not decode: \(error)"
                }
            }
            rendered.entry.hasImage = rendered.problem == nil
            let page = RecordPage(record: record, id: id, window: window, problem: rendered.problem,
                                  conceptNames: options.conceptNames, previous: previous, next: next).html()
            let pagePath = output + "/" + Paths.recordPage(id)
            try fm.createDirectory(atPath: (pagePath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(page.utf8).write(to: URL(fileURLWithPath: pagePath))
            return .success(rendered)
        } catch {
            return .failure(error)
        }
    }

    static func size(of folder: String) -> (bytes: Int, files: Int) {
        var bytes = 0, files = 0
        let enumerator = FileManager.default.enumerator(at: URL(fileURLWithPath: folder),
                                                        includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard let values = try? url.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]),
                  values.isRegularFile == true else { continue }
            bytes += values.fileSize ?? 0
            files += 1
        }
        return (bytes, files)
    }
}


/// Where things live in the site (all relative to its root). Records and images are spread over folders named by
/// the first two characters of the id, so a folder of 377,000 records has no folder of 377,000 files.
enum Paths {
    static func slug(_ id: String) -> String {
        String(id.unicodeScalars.map { s -> Character in
            (s.properties.isAlphabetic && s.isASCII) || ("0"..."9").contains(s) || s == "-" || s == "_" || s == "."
                ? Character(s) : "_"
        })
    }

    static func bucket(_ id: String) -> String {
        let s = slug(id)
        return s.count >= 2 ? String(s.prefix(2)) : "_" + s
    }

    static func recordPage(_ id: String) -> String { "records/\(bucket(id))/\(slug(id)).html" }
    static func image(_ id: String) -> String { "images/\(bucket(id))/\(slug(id)).png" }
    static func thumbnail(_ id: String) -> String { "images/\(bucket(id))/\(slug(id)).thumb.png" }
}

/// The ingest's own account of the folder: its tally and every image it skipped or failed, with the reason.
struct IngestInfo {
    struct Row {
        var split: String
        var id: String
        var status: String
        var reason: String
    }

    var tallies: [(split: String, counts: [(String, Int)])] = []
    var problems: [Row] = []

    static func read(parts: [SiteBuilder.Part], root: String) -> IngestInfo {
        var info = IngestInfo()
        for part in parts {
            if let data = FileManager.default.contents(atPath: part.folder + "/ingest-summary.json"),
               case .object(let members)? = JSONValue(parsing: String(decoding: data, as: UTF8.self)) {
                let order = ["studies", "found", "written", "skipped", "failed"]
                let counts: [(String, Int)] = order.compactMap { key in
                    if case .int(let v)? = members.first(where: { $0.0 == key })?.1 { return (key, Int(v)) }
                    return nil
                }
                info.tallies.append((part.split, counts))
            }
            info.problems += rows(part.folder + "/ingest-report.tsv", split: part.split)
        }
        if parts.first?.split.isEmpty == false { info.problems += rows(root + "/ingest-unsplit.tsv", split: "(none)") }
        return info
    }

    static func rows(_ path: String, split: String) -> [Row] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 3, f[0] != "dicom_id", f[1] != "written" else { return nil }
            return Row(split: split, id: f[0], status: f[1], reason: f[2])
        }
    }
}
