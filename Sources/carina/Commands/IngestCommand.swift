import ArgumentParser
import CarinaCore
import CarinaDICOM
import CarinaIngest
import CarinaReports
import CarinaExport
import CarinaShards
import Foundation

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest a MIMIC-CXR or MIMIC-CXR-JPG dump into MDS shards.",
        discussion: """
            DUMP is laid out as MIMIC-CXR: files/pXX/pSUBJECT/sSTUDY/DICOM_ID.dcm (or DICOM_ID.jpg, the MIMIC-CXR-JPG \
            release), the report sSTUDY.txt beside each study folder (or --reports FOLDER, or the archive \
            mimic-cxr-reports.zip, at the root or given with --reports, read without unpacking), and optionally \
            mimic-cxr-2.0.0-{metadata,split,chexpert}.csv.gz at the root (--label-table negbio takes the labels from \
            the JPG release's mimic-cxr-2.0.0-negbio.csv.gz instead). One record per image; its `source` column \
            names the release. A JPG dump is stored as its JPEGs by default (--image jpeg8, no second lossy encode, \
            --size does not apply); --reencode-jpeg or another --image decodes and re-encodes them. A DUMP holding \
            Data_Entry_2017*.csv is NIH ChestX-ray14 (images/ or images_NNN/images/, train_val_list.txt, test_list.txt): \
            one record per image, no report, the 14 findings as labels, --image png8 by default. A DUMP holding \
            train.csv / valid.csv (no files/) is CheXpert (the CheXpert-v1.0 or -small folder): the Path column's \
            JPEGs, stored as they are, the 14 labels with uncertain -1, train.csv as train and valid.csv as validate. A DUMP \
            holding stage_2_train_labels.csv is RSNA Pneumonia (stage_2_detailed_class_info.csv, \
            stage_2_train_images/*.dcm): one record per patient, no report, Target and the class as labels, the boxes \
            in meta (rsna_boxes, DICOM pixel coordinates), an 80/20 train/test split by a salted hash of the patient. Unreadable images are reported in OUT/ingest-report.tsv and skipped; the rest are written. Run the \
            same command again after an interruption to resume.
            """
    )

    @Argument(help: "The dump root (holding files/ and the CSVs).") var dump: String
    @Option(help: "Output folder for the shards.") var out: String
    @Option(help: "Output format: mds (MosaicML Streaming shards) or wds (WebDataset tars, beside the MDS shards).")
    var format: OutputFormat = .mds
    @Option(help: "Image encoding: png16, png8, jpeg8 or raw16 (default: png16; jpeg8 for a JPG dump).")
    var image: ImageEncoding?
    @Option(help: "The reports: a folder holding files/pXX/pSUBJECT/sSTUDY.txt, or mimic-cxr-reports.zip.")
    var reports: String?
    @Flag(help: "Decode and re-encode the JPEGs of a JPG dump (resized to --size) instead of storing them as they are.")
    var reencodeJpeg = false
    @Option(help: "MIMIC-CXR: the label table that fills the records' labels, chexpert or negbio.")
    var labelTable: MimicLabelTable = .chexpert
    @Flag(help: "Exit with status 1 when any image failed (for batch jobs).") var strict = false
    @Flag(help: "With --views: keep images that have no recorded view (default: drop them).") var keepViewless = false
    @Option(help: "Long side of the stored image in pixels (0 keeps the full matrix).") var size: Int = 512
    @Flag(help: "Pad the resized image to a square.") var pad = false
    @Option(help: "Pixel transform: raw, window or mimic-jpg.") var transform: PixelTransform = .raw
    @Option(help: "JPEG quality for --image jpeg8.") var quality: Int = 95
    @Option(help: "Keep only these view positions, comma-separated (e.g. PA,AP).") var views: String?
    @Option(help: "Worker threads (default: all cores).") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Ingest only part i of N (by patient), e.g. 0/4.") var partition: String = "0/1"
    @Option(name: [.customLong("mode"), .customLong("sections")],
            help: "Section mode of the reports: clean (Carina's splitter) or mimic (the MIT-LCP parser exactly).")
    var mode: SectionMode = .clean
    @Option(help: "Shard size limit in bytes.") var shardSize: Int = 1 << 26
    @Option(help: "Precomputed RadGraph JSON to use instead of Carina's extractor.") var radgraph: String?
    @Flag(help: "Drop each DICOM from the page cache once rendered (for dumps far larger than memory).")
    var dropCache = false
    @Flag(help: "Write one shard folder per split (OUT/train, OUT/validate, OUT/test), as StreamingDataset(local=OUT, split=...) reads them.")
    var splitFolders = false

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case mds, wds }

    func validate() throws {
        guard size >= 0 else { throw ValidationError("--size must be 0 (full matrix) or a positive number of pixels") }
        try Bounds.check(ingestSize: size, threads: threads)
        if let views {
            let names = views.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard names.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == " " || $0 == "_" } }) else {
                throw ValidationError("--views must be view positions separated by commas, e.g. PA,AP,LATERAL (got \"\(views)\")")
            }
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be in 1...100") }
        guard shardSize > 1024, shardSize < 1 << 32 else {
            throw ValidationError("--shard-size must be between 1 KiB and 4 GiB (MDS offsets are 32-bit)")
        }
        do { _ = try Partition(parsing: partition) } catch { throw ValidationError("--partition: \(error.message)") }
    }

    func run() async throws {
        let part = try Partition(parsing: partition)
        let isNIH = ((try? FileManager.default.contentsOfDirectory(atPath: self.dump)) ?? [])
            .contains { $0.hasPrefix("Data_Entry_2017") }
        let isRSNA = !isNIH && FileManager.default.fileExists(atPath: self.dump + "/stage_2_train_labels.csv")
        let isCheXpert = !isNIH && !isRSNA && !FileManager.default.fileExists(atPath: self.dump + "/files")
            && ["train.csv", "valid.csv"].contains { FileManager.default.fileExists(atPath: self.dump + "/" + $0) }
        let dump = isNIH ? try MimicDump(nih: self.dump, partition: part)
            : isCheXpert ? try MimicDump(chexpert: self.dump, partition: part)
            : isRSNA ? try MimicDump(rsna: self.dump, partition: part)
            : try MimicDump(root: self.dump, partition: part, reports: reports, labels: labelTable)
        if (isNIH || isCheXpert || isRSNA) && labelTable != .chexpert {
            throw ValidationError("--label-table applies to MIMIC-CXR dumps; \(self.dump) is \(isNIH ? "NIH ChestX-ray14" : isRSNA ? "RSNA Pneumonia" : "CheXpert"), whose labels are its own")
        }
        var options = IngestOptions(output: out)
        let jpgDump = dump.studies.contains { $0.images.contains(where: \.isJPEG) }
        options.encoding = image ?? (jpgDump ? .jpeg8 : isNIH ? .png8 : .png16)
        options.keepJPEG = !reencodeJpeg
        options.keepImagesWithoutView = keepViewless
        options.size = size == 0 ? nil : size
        options.padToSquare = pad
        options.transform = transform
        options.jpegQuality = quality
        options.views = views.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }) }
        options.threads = threads
        options.partition = part
        options.sizeLimit = shardSize
        options.sectionMode = mode
        options.radGraphPath = radgraph
        options.dropFromPageCache = dropCache
        if let wanted = options.views {
            // With the metadata table the views are known before any DICOM is read: a filter that keeps none is a typo.
            let known = Set(dump.studies.flatMap(\.images).compactMap { $0.view?.uppercased() })
            let everyViewKnown = dump.studies.allSatisfy { $0.images.allSatisfy { $0.view != nil } }
            if everyViewKnown, !dump.studies.isEmpty, known.isDisjoint(with: wanted) {
                throw ValidationError("--views \(wanted.sorted().joined(separator: ",")) matches none of the dump's images "
                    + "(their views: \(known.sorted().joined(separator: ",")))")
            }
        }
        // Held until the WebDataset export is done too, so no other ingest writes the folder meanwhile. With
        // --split-folders each split's run also locks its own folder.
        let lock = try OutputLock(directory: out)
        let progress = ProgressLine(logWhenNotTerminal: true)
        let problem: (DumpImage, IngestImageStatus, ImageProblem) -> Void = { image, status, problem in
            // failures are errors a user must see; skips by a filter are only counted (and listed in the report)
            guard status == .failed else { return }
            progress.finish()
            FileHandle.standardError.write(Data("carina: \(image.dicomID) failed: \(problem.reason)\n".utf8))
        }
        let tally: IngestTally
        var folders = [out]
        if splitFolders {
            let result = try SplitFolders.run(dump: dump, options: options, progress: { split, tally in
                progress.update(done: tally.written + tally.skipped + tally.failed, total: tally.found, unit: "images",
                                detail: "\(split): written \(tally.written)  skipped \(tally.skipped)  failed \(tally.failed)")
            }, problem: problem)
            progress.finish()
            for (split, t) in result.tallies { print("ingest: \(split): \(t)") }
            if !result.unsplit.isEmpty {
                print("ingest: \(result.unsplit.count) images of no train/validate/test split were not written; "
                    + "they are listed in \(out)/ingest-unsplit.tsv")
            }
            tally = result.total
            folders = SplitFolders.splits.map { (out as NSString).appendingPathComponent($0) }
        } else {
            let pipeline = try IngestPipeline(dump: dump, options: options)
            tally = try pipeline.run(lock: lock, progress: { tally in
                progress.update(done: tally.written + tally.skipped + tally.failed, total: tally.found, unit: "images",
                                detail: "written \(tally.written)  skipped \(tally.skipped)  failed \(tally.failed)")
            }, problem: problem)
            progress.finish()
        }
        if options.views != nil, tally.written == 0, tally.skipped > 0, tally.failed == 0 {
            throw CLIError("--views \(options.views!.sorted().joined(separator: ",")) kept none of the \(tally.found) images "
                + "(see the views in \(out)/ingest-report.tsv); check the view names")
        }
        let seconds = progress.elapsed
        let bytes = folders.reduce(0) { $0 + IngestPipeline.outputBytes(directory: $1) }
        print("ingest: \(tally)")
        print(String(format: "ingest: %@ of shards in %@ (%.1f s, %.1f images/s, tables: %@)",
                     ByteCountFormatter.string(fromByteCount: Int64(bytes), countStyle: .file), out, seconds,
                     Double(tally.written - tally.resumed) / max(seconds, 1e-9),
                     dump.tablesFound.isEmpty ? "none" : dump.tablesFound.joined(separator: ",")))
        if options.views != nil {
            print("ingest: --views: \(tally.keptWithoutView) images with no recorded view kept, "
                + "\(tally.droppedWithoutView) dropped" + (keepViewless ? "" : " (--keep-viewless keeps them)"))
        }
        for line in tally.notices.lines { print("ingest: note: \(line)") }
        if !tally.notices.items.isEmpty { print("ingest: every noted input is listed in \(out)/ingest-notices.tsv") }
        if tally.failed > 0 || tally.skipped > 0 {
            print("ingest: reasons for every skipped or failed image are in "
                + (splitFolders ? "each split folder's ingest-report.tsv" : "\(out)/ingest-report.tsv"))
        }
        if format == .wds {
            for folder in folders {
                let wds = (folder as NSString).appendingPathComponent("wds")
                _ = try WebDatasetExport.export(MDSDataset(directory: folder), to: wds)
                print("ingest: WebDataset export in \(wds)")
            }
        }
        withExtendedLifetime(lock) {}
        if strict, tally.failed > 0 {
            throw CLIError("--strict: \(tally.failed) of \(tally.found) images failed (listed in the ingest report)")
        }
    }
}

extension ImageEncoding: ExpressibleByArgument {}

extension MimicLabelTable: ExpressibleByArgument {}
