import CarinaDICOM
import CarinaGraph
import CarinaReports
import CarinaShards
import Foundation

/// What `carina ingest` does with a dump: which images, how they are rendered, where the records go.
public struct IngestOptions: Sendable {
    public var output: String
    public var encoding: ImageEncoding = .png16
    /// Long side of the stored image; nil keeps the full matrix.
    public var size: Int? = 512
    public var padToSquare = false
    public var transform: PixelTransform = .raw
    public var jpegQuality = 95
    /// Keep only these view positions (upper case); nil keeps every view.
    public var views: Set<String>?
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var partition: Partition = .whole
    public var sizeLimit = 1 << 26
    public var sectionMode: SectionMode = .clean
    /// A precomputed RadGraph JSON file (keys are study ids, or `s<study_id>`) used instead of Carina's extractor.
    public var radGraphPath: String?
    /// Drop each DICOM from the page cache once it is rendered: for dumps far larger than memory, so that an ingest
    /// does not evict everything else on the machine. Off by default (a re-run then reads from the cache).
    public var dropFromPageCache = false

    public init(output: String) { self.output = output }
}

/// Counts of one ingest: every image found is written, skipped (by a filter) or failed (unreadable), and the three
/// add up to the number found.
public struct IngestTally: Sendable, Equatable, CustomStringConvertible {
    public var studies = 0
    public var found = 0
    public var written = 0
    public var skipped = 0
    public var failed = 0
    /// Images already written by an earlier, interrupted run of the same ingest.
    public var resumed = 0

    public var description: String {
        "\(found) images in \(studies) studies: \(written) written, \(skipped) skipped, \(failed) failed"
            + (resumed > 0 ? " (\(resumed) of the written were kept from an interrupted run)" : "")
    }
}

/// The ingest pipeline: DICOM → pixels (DCMTK/OpenJPEG) and report → sections → graph → labels, one MDS record per
/// image, written in dump order whatever the thread count.
public final class IngestPipeline: @unchecked Sendable {
    public let dump: MimicDump
    public let options: IngestOptions
    private let radGraph: [String: EntityGraph]

    /// The columns of a Carina record (`schemas/records/README.md`, schema `carina-record/1`).
    public static func columns(for encoding: ImageEncoding) -> [ColumnSpec] {
        let image: String = switch encoding {
        case .png16, .png8: "png"
        case .jpeg8: "jpeg"
        case .raw16: "bytes"
        }
        return [
            ColumnSpec(name: "concepts", encoding: "ndarray:float32:64"),
            ColumnSpec(name: "dicom_id", encoding: "str"),
            ColumnSpec(name: "findings", encoding: "str"),
            ColumnSpec(name: "graph", encoding: "json"),
            ColumnSpec(name: "height", encoding: "int"),
            ColumnSpec(name: "image", encoding: image),
            ColumnSpec(name: "image_format", encoding: "str"),
            ColumnSpec(name: "impression", encoding: "str"),
            ColumnSpec(name: "labels", encoding: "ndarray:float32:14"),
            ColumnSpec(name: "meta", encoding: "json"),
            ColumnSpec(name: "report", encoding: "str"),
            ColumnSpec(name: "schema", encoding: "str"),
            ColumnSpec(name: "sections", encoding: "json"),
            ColumnSpec(name: "split", encoding: "str"),
            ColumnSpec(name: "study_id", encoding: "str"),
            ColumnSpec(name: "subject_id", encoding: "str"),
            ColumnSpec(name: "view", encoding: "str"),
            ColumnSpec(name: "width", encoding: "int"),
        ]
    }

    public static let schemaVersion = "carina-record/1"

    public init(dump: MimicDump, options: IngestOptions) throws {
        self.dump = dump
        self.options = options
        if let path = options.radGraphPath {
            radGraph = try RadGraphFile.read(path: path)
        } else {
            radGraph = [:]
        }
    }

    /// One image's way through the pipeline.
    enum Outcome {
        case record([String: ColumnValue])
        case skipped(String)
        case failed(String)
    }

    /// Per-study text work, done once per study and shared by its images.
    struct StudyText {
        var report: String
        var sections: SectionedReport
        var graph: EntityGraph
        var labels: [Float]
        var labelSource: String
        var concepts: [Float]
    }

    /// Runs the ingest, calling `progress` after each chunk of images.
    ///
    /// - Parameters:
    ///   - problem: called for every image that is skipped or failed, with the image and the reason, in dump order.
    public func run(progress: (IngestTally) -> Void = { _ in },
                    problem: (DumpImage, String, String) -> Void = { _, _, _ in }) throws -> IngestTally {
        let fm = FileManager.default
        try fm.createDirectory(atPath: options.output, withIntermediateDirectories: true)
        let writer = try MDSShardWriter(directory: options.output, columns: Self.columns(for: options.encoding),
                                        sizeLimit: options.sizeLimit, resume: true)
        let report = try IngestReport(directory: options.output)
        var tally = IngestTally()
        tally.studies = dump.studies.count
        // Every image as (study, image) positions in the dump: 16 bytes each, whatever the dump's size.
        let work: [(study: Int, image: Int)] = dump.studies.indices.flatMap { s in dump.studies[s].images.indices.map { (s, $0) } }
        tally.found = work.count

        // Resume: the first `durable` records are already in renamed shards; skip the inputs that produced them.
        var start = 0
        let durable = writer.durableSampleCount
        if durable > 0 {
            let kept = try report.resume(afterRecords: durable)
            start = kept.inputs
            tally.written = durable
            tally.resumed = durable
            tally.skipped = kept.skipped
            tally.failed = kept.failed
        }

        let chunkSize = max(1, options.threads) * 4
        var position = start
        while position < work.count {
            let chunk = work[position..<min(position + chunkSize, work.count)].map { at in
                (study: dump.studies[at.study], image: dump.studies[at.study].images[at.image])
            }
            var studyTexts: [String: StudyText] = [:]
            for item in chunk where studyTexts[item.study.studyID] == nil {
                studyTexts[item.study.studyID] = studyText(item.study)
            }
            let texts = studyTexts
            let slots = OutcomeSlots(count: chunk.count)
            let threads = max(1, min(options.threads, chunk.count))
            // The next chunk's files are read from disk while this one is decoded.
            let next = work[min(position + chunkSize, work.count)..<min(position + 2 * chunkSize, work.count)]
            let ahead = next.map { dump.studies[$0.study].images[$0.image].path }
            if !ahead.isEmpty { DispatchQueue.global().async { ahead.forEach(FileCacheHint.willNeed) } }
            DispatchQueue.concurrentPerform(iterations: threads) { worker in
                var i = worker
                while i < chunk.count {
                    slots.set(i, process(study: chunk[i].study, image: chunk[i].image,
                                         text: texts[chunk[i].study.studyID]!))
                    if options.dropFromPageCache { FileCacheHint.done(chunk[i].image.path) }
                    i += threads
                }
            }
            let outcomes = slots.outcomes
            for (item, outcome) in zip(chunk, outcomes) {
                switch outcome! {
                case .record(let record):
                    try writer.write(record)
                    tally.written += 1
                    try report.append(item.image, status: "written", reason: "")
                case .skipped(let reason):
                    problem(item.image, "skipped", reason)
                    tally.skipped += 1
                    try report.append(item.image, status: "skipped", reason: reason)
                case .failed(let reason):
                    problem(item.image, "failed", reason)
                    tally.failed += 1
                    try report.append(item.image, status: "failed", reason: reason)
                }
            }
            position += chunk.count
            progress(tally)
        }
        try writer.finish()
        try report.finish(tally: tally)
        return tally
    }

    func studyText(_ study: DumpStudy) -> StudyText {
        var raw = ""
        if let path = study.reportPath, let data = FileManager.default.contents(atPath: path) {
            raw = String(decoding: data, as: UTF8.self)
        }
        let sections = SectionSplitter.split(raw, studyID: study.studyID, mode: options.sectionMode)
        let graph = radGraph[study.studyID] ?? radGraph["s" + study.studyID]
            ?? GraphExtractor.extract(sections: sections.sections.map { ($0.name, $0.text) })
        // Precomputed RadGraph: the labels its graph asserts; else the one label path of `carina labels`.
        let derived = (radGraph[study.studyID] ?? radGraph["s" + study.studyID]) != nil
            ? CheXpertLabels(graph: graph)
            : GraphExtractor.labels(sections: sections.sections.map { ($0.name, $0.text) }, source: .impression)
        let labels: [Float]
        let source: String
        if let csv = study.labels {
            labels = csv.map { $0 ?? .nan }
            source = "mimic-cxr-2.0.0-chexpert.csv"
        } else {
            labels = derived.values.map { $0 ?? .nan }
            source = "carina"
        }
        return StudyText(report: raw, sections: sections, graph: graph, labels: labels, labelSource: source,
                         concepts: ConceptVocabulary.multiHot(graph))
    }

    func process(study: DumpStudy, image: DumpImage, text: StudyText) -> Outcome {
        do {
            var view = image.view
            if let views = options.views {
                if view == nil { view = try DicomReader.metadata(path: image.path).viewPosition }
                let v = (view ?? "").uppercased()
                guard views.contains(v) else {
                    return .skipped("view \(v.isEmpty ? "(none)" : v) is not in --views \(views.sorted().joined(separator: ","))")
                }
            }
            let render = RenderOptions(transform: options.transform, size: options.size,
                                       padToSquare: options.padToSquare, encoding: options.encoding,
                                       jpegQuality: options.jpegQuality)
            let (rendered, metadata) = try DicomRenderer.render(path: image.path, options: render)
            let meta = try String(decoding: JSONEncoder.sorted.encode(metadata), as: UTF8.self)
            let sections = text.sections.sections.map { section -> JSONValue in
                .object([("name", .string(section.name)), ("text", .string(section.text)), ("rule", .string(section.rule))])
            }
            return .record([
                "concepts": .float32Array(text.concepts),
                "dicom_id": .string(image.dicomID),
                "findings": .string(text.sections.findings ?? ""),
                "graph": .json(text.graph.radGraphJSON()),
                "height": .int(Int64(rendered.height)),
                "image": .bytes(rendered.bytes),
                "image_format": .string(options.encoding.rawValue),
                "impression": .string(text.sections.impression ?? ""),
                "labels": .float32Array(text.labels),
                "meta": .json(meta),
                "report": .string(text.report),
                "schema": .string(Self.schemaVersion),
                "sections": .json(JSONValue.array(sections).pythonText()),
                "split": .string(study.split),
                "study_id": .string(study.studyID),
                "subject_id": .string(study.subjectID),
                "view": .string(view ?? metadata.viewPosition ?? ""),
                "width": .int(Int64(rendered.width)),
            ])
        } catch {
            return .failed("\(error)")
        }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

extension IngestPipeline {
    /// Bytes of the MDS shard files in `directory`.
    public static func outputBytes(directory: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".mds") }.reduce(0) { total, name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: (directory as NSString).appendingPathComponent(name))
            return total + ((attributes?[.size] as? Int) ?? 0)
        }
    }
}

/// Outcomes written by worker threads, each to its own slot.
final class OutcomeSlots: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var outcomes: [IngestPipeline.Outcome?]

    init(count: Int) { outcomes = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ outcome: IngestPipeline.Outcome) {
        lock.lock()
        outcomes[index] = outcome
        lock.unlock()
    }
}
