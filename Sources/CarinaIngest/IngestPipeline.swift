import CarinaCore
import CarinaDICOM
import CarinaGraph
import CarinaImage
import CarinaRecord
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
    /// With ``views``: keep the images that have no recorded view (no metadata row, no DICOM ViewPosition) too.
    public var keepImagesWithoutView = false
    /// Store a MIMIC-CXR-JPG image's JPEG as it is (no second lossy encode; ``size`` does not apply) when the
    /// encoding is `jpeg8`. Off, or with another encoding, the JPEG is decoded, resized and encoded like a DICOM.
    public var keepJPEG = true
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
    /// With a `--views` filter: images with no recorded view that were kept (``IngestOptions/keepImagesWithoutView``)
    /// or dropped, in this run.
    public var keptWithoutView = 0
    public var droppedWithoutView = 0
    /// Images already written by an earlier, interrupted run of the same ingest.
    public var resumed = 0
    /// Inputs not taken as they are (the dump's, and missing, empty or non-text reports), counted and named.
    public var notices = DumpNotices()

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

    /// The columns of a Carina record (`schemas/records/README.md`, schema `carina-record/2`).
    public static func columns(for encoding: ImageEncoding) -> [ColumnSpec] {
        RecordSchema.columns(imageFormat: encoding.recordFormat)
    }

    public static let schemaVersion = RecordSchema.version

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
    enum Outcome: Sendable {
        case record(CarinaRecord)
        case skipped(ImageProblem)
        case failed(ImageProblem)
    }

    /// Per-study text work, done once per study and shared by its images.
    struct StudyText {
        var report: String
        var sections: SectionedReport
        var graph: EntityGraph
        var labels: [Float]
        var labelSource: String
        var concepts: [Float]
        var recordGraph: RecordGraph
        var sectionsJSON: String
    }

    /// Runs the ingest, calling `progress` after each chunk of images.
    ///
    /// - Parameters:
    ///   - lock: the output folder's lock when the caller already holds it (to keep it past the run); else the run
    ///     takes it and a second ingest into the same folder is refused.
    ///   - problem: called for every image that is skipped or failed, with the image, its status and the problem, in
    ///     dump order.
    /// - Throws: ``IngestError`` `outputLocked` when another ingest writes the folder, `inputsChanged` when the
    ///   folder was ingested from another dump listing, other CSVs or other options (see ``IngestFingerprint``).
    public func run(lock: OutputLock? = nil, progress: (IngestTally) -> Void = { _ in },
                    problem: (DumpImage, IngestImageStatus, ImageProblem) -> Void = { _, _, _ in }) throws -> IngestTally {
        let held = try lock ?? OutputLock(directory: options.output)
        defer { withExtendedLifetime(held) {} }
        try IngestFingerprint(dump: dump, options: options).check(directory: options.output)
        let writer = try MDSShardWriter(directory: options.output, columns: Self.columns(for: options.encoding),
                                        sizeLimit: options.sizeLimit, resume: true)
        writer.refusesOversizedSamples = true
        let report = try IngestReport(directory: options.output)
        var tally = IngestTally()
        tally.studies = dump.studies.count
        // Every image as (study, image) positions in the dump: 16 bytes each, whatever the dump's size.
        let work: [(study: Int, image: Int)] = dump.studies.indices.flatMap { s in dump.studies[s].images.indices.map { (s, $0) } }
        tally.found = work.count

        // Every report is checked before any is split, so the notices are the same whatever a resume skips.
        var oversized: [String: String] = [:]
        tally.notices = dump.notices
        for study in dump.studies where dump.hasReports {
            let named = MimicDump.relative(study.folder, root: dump.root) + ".txt"
            switch ReportCheck.check(study) {
            case .text: break
            case .missing: tally.notices.add(.reportMissing, named)
            case .empty: tally.notices.add(.reportEmpty, named)
            case .notText: tally.notices.add(.reportNotText, named)
            case .tooLarge(let bytes):
                oversized[study.studyID] = ReportCheck.tooLargeReason(study, bytes: bytes)
            }
        }

        // Resume: the first `durable` records are already in renamed shards; skip the inputs that produced them.
        // The report is cut back to those inputs even when no shard was durable yet, so it never repeats a line.
        let durable = writer.durableSampleCount
        let kept = try report.resume(afterRecords: durable)
        let start = kept.inputs
        tally.written = durable
        tally.resumed = durable
        tally.skipped = kept.skipped
        tally.failed = kept.failed

        let chunkSize = max(1, options.threads) * 4
        var position = start
        while position < work.count {
            let chunk = work[position..<min(position + chunkSize, work.count)].map { at in
                (study: dump.studies[at.study], image: dump.studies[at.study].images[at.image])
            }
            var studyTexts: [String: StudyText] = [:]
            for item in chunk where studyTexts[item.study.studyID] == nil && oversized[item.study.studyID] == nil {
                studyTexts[item.study.studyID] = studyText(item.study)
            }
            let texts = studyTexts
            let refused = oversized
            let slots = IndexedResults<Outcome>(count: chunk.count)
            let threads = max(1, min(options.threads, chunk.count))
            // The next chunk's files are read from disk while this one is decoded.
            let next = work[min(position + chunkSize, work.count)..<min(position + 2 * chunkSize, work.count)]
            let ahead = next.map { dump.studies[$0.study].images[$0.image].path }
            if !ahead.isEmpty { DispatchQueue.global().async { ahead.forEach(FileCacheHint.willNeed) } }
            DispatchQueue.concurrentPerform(iterations: threads) { worker in
                var i = worker
                while i < chunk.count {
                    if let text = texts[chunk[i].study.studyID] {
                        slots.set(i, process(study: chunk[i].study, image: chunk[i].image, text: text))
                    } else {
                        slots.set(i, .failed(ImageProblem(.reportRefused,
                                                          refused[chunk[i].study.studyID] ?? "report could not be read")))
                    }
                    if options.dropFromPageCache { FileCacheHint.done(chunk[i].image.path) }
                    i += threads
                }
            }
            let outcomes = slots.values
            for (item, outcome) in zip(chunk, outcomes) {
                switch outcome! {
                case .record(let record):
                    if options.views != nil, record.view.isEmpty { tally.keptWithoutView += 1 }
                    if let failure = try Self.write(record.columnValues(), to: writer) {
                        problem(item.image, .failed, failure)
                        tally.failed += 1
                        try report.append(item.image, status: .failed, failure)
                        continue
                    }
                    tally.written += 1
                    try report.append(item.image, status: .written, nil)
                case .skipped(let skip):
                    if skip.code == IngestErrorCode.noView.qualified { tally.droppedWithoutView += 1 }
                    problem(item.image, .skipped, skip)
                    tally.skipped += 1
                    try report.append(item.image, status: .skipped, skip)
                case .failed(let failure):
                    problem(item.image, .failed, failure)
                    tally.failed += 1
                    try report.append(item.image, status: .failed, failure)
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
        if let data = study.reportBytes() {
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
            source = dump.labelTable
        } else {
            labels = derived.values.map { $0 ?? .nan }
            source = "carina"
        }
        let sectionsJSON = JSONValue.array(sections.sections.map { section -> JSONValue in
            .object([("name", .string(section.name)), ("text", .string(section.text)), ("rule", .string(section.rule))])
        }).pythonText()
        return StudyText(report: raw, sections: sections, graph: graph, labels: labels, labelSource: source,
                         concepts: ConceptVocabulary.multiHot(graph), recordGraph: RecordGraph(graph: graph, report: sections),
                         sectionsJSON: sectionsJSON)
    }

    func process(study: DumpStudy, image: DumpImage, text: StudyText) -> Outcome {
        do {
            var view = image.view
            if let views = options.views {
                if view == nil, image.isDICOM { view = try DicomReader.metadata(path: image.path).viewPosition }
                let v = (view ?? "").uppercased()
                let viewless = v.isEmpty && options.keepImagesWithoutView
                guard views.contains(v) || viewless else {
                    let listed = views.sorted().joined(separator: ",")
                    return .skipped(v.isEmpty ? ImageProblem(.noView, "view (none) is not in --views \(listed)")
                                        : ImageProblem(.viewNotSelected, "view \(v) is not in --views \(listed)"))
                }
            }
            if !image.isDICOM { return try processImageFile(study: study, image: image, view: view, text: text) }
            let render = RenderOptions(transform: options.transform, size: options.size,
                                       padToSquare: options.padToSquare, encoding: options.encoding,
                                       jpegQuality: options.jpegQuality)
            let (rendered, metadata) = try DicomRenderer.render(path: image.path, options: render)
            let meta = image.meta(try String(decoding: JSONEncoder.sorted.encode(metadata), as: UTF8.self))
            let format = options.encoding.recordFormat
            // The raw transform keeps the modality values, whose declared range the metadata gives; every other
            // transform spans its bit depth.
            let full = Int32((1 << format.bitDepth) - 1)
            let rawRange = options.transform == .raw && format.bitDepth == 16
                ? (low: Int32(metadata.rawValueRange[0]), high: Int32(metadata.rawValueRange[1])) : (low: 0, high: full)
            return .record(CarinaRecord(
                dicomID: image.dicomID, studyID: study.studyID, subjectID: study.subjectID, split: study.split,
                view: view ?? metadata.viewPosition ?? "", image: rendered.bytes, imageFormat: format,
                width: rendered.width, height: rendered.height, rawRange: rawRange,
                impression: text.sections.impression ?? "", findings: text.sections.findings ?? "",
                sectionsJSON: text.sectionsJSON, report: text.report, graphJSON: text.graph.radGraphJSON(),
                entities: text.recordGraph.entities, relations: text.recordGraph.relations, labels: text.labels,
                labelSource: text.labelSource, concepts: text.concepts, metaJSON: meta, source: image.source))
        } catch {
            return .failed(ImageProblem(error))
        }
    }

    /// An image file (MIMIC-CXR-JPG, CheXpert JPEG, NIH PNG): a JPEG stored as it is (checked by its markers), or the
    /// file decoded, resized and encoded. A JPEG bound for `size` is decoded by libjpeg's scaled IDCT at the smallest
    /// of 1/1, 1/2, 1/4, 1/8 of its size that still covers `size`, then area-resized.
    func processImageFile(study: DumpStudy, image: DumpImage, view: String?, text: StudyText) throws -> Outcome {
        guard let data = FileManager.default.contents(atPath: image.path) else {
            return .failed(ImageProblem(.unreadableImage, "\(image.path): cannot read the file"))
        }
        let bytes = [UInt8](data)
        let format = options.encoding.recordFormat
        let stored: [UInt8], width: Int, height: Int
        var meta: String
        if options.keepJPEG, options.encoding == .jpeg8, image.isJPEG {
            let header: JPEGHeader
            do { header = try JPEGHeader(bytes) } catch { return .failed(ImageProblem(error, path: image.path)) }
            stored = bytes
            (width, height) = (header.width, header.height)
            meta = #"{"source_jpeg":{"bytes":\#(bytes.count),"columns":\#(width),"components":\#(header.components),"#
                + #""rows":\#(height),"stored":"as-is"}}"#
        } else {
            var decoded: GrayImage
            do {
                decoded = try image.isJPEG ? JPEGCodec.decode(bytes, atLeast: options.size ?? 0)
                    : PNGCodec.decodeLuminance(bytes)
            } catch { return .failed(ImageProblem(error, path: image.path)) }
            // The output size follows the file's own size, whatever scale the JPEG was decoded at.
            let header = image.isJPEG ? try? JPEGHeader(bytes) : nil
            let source = (width: header?.width ?? decoded.width, height: header?.height ?? decoded.height)
            decoded = decoded.converted(toBitDepth: format.bitDepth)
            if let size = options.size {
                let target = GrayImage.size(width: source.width, height: source.height, longSide: size)
                if target.width != decoded.width || target.height != decoded.height {
                    decoded = decoded.resized(width: target.width, height: target.height)
                }
            }
            if options.padToSquare { decoded = decoded.paddedToSquare() }
            switch options.encoding {
            case .png16, .png8: stored = try PNGCodec.encode(decoded, compressionLevel: 1)
            case .jpeg8: stored = try JPEGCodec.encode(decoded, quality: options.jpegQuality)
            case .raw16: stored = decoded.pixels.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
            }
            (width, height) = (decoded.width, decoded.height)
            meta = #"{"source_jpeg":{"bytes":\#(bytes.count),"columns":\#(source.width),"rows":\#(source.height),"#
                + #""stored":"re-encoded"}}"#
            if !image.isJPEG { meta = meta.replacingOccurrences(of: "source_jpeg", with: "source_png") }
        }
        let full = Int32((1 << format.bitDepth) - 1)
        return .record(CarinaRecord(
            dicomID: image.dicomID, studyID: study.studyID, subjectID: study.subjectID, split: study.split,
            view: view ?? "", image: stored, imageFormat: format, width: width, height: height, rawRange: (0, full),
            impression: text.sections.impression ?? "", findings: text.sections.findings ?? "",
            sectionsJSON: text.sectionsJSON, report: text.report, graphJSON: text.graph.radGraphJSON(),
            entities: text.recordGraph.entities, relations: text.recordGraph.relations, labels: text.labels,
            labelSource: text.labelSource, concepts: text.concepts, metaJSON: meta, source: image.source))
    }
}

extension ImageEncoding {
    /// The record's image format for this encoding.
    var recordFormat: RecordImageFormat {
        switch self {
        case .png16: .png16
        case .png8: .png8
        case .jpeg8: .jpeg8
        case .raw16: .raw16
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

