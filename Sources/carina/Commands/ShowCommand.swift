import ArgumentParser
import CarinaCore
import CarinaSite
import Foundation

/// `carina show`: a static site to look at an ingested folder before training on it.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Write a static site showing the records of a shard folder.",
        discussion: """
            An index of thumbnails (paged; listed by split, view, positive and uncertain label, label source) with \
            the ingest's tally and failures, and one page per record: the windowed image and its metadata, the \
            report's sections coloured and named with their rule, the entities highlighted by kind and certainty, \
            the relations drawn between them, and the 14 labels with their source. Open SITE/index.html from disk; \
            nothing is fetched. DIR is a folder `carina ingest` wrote, with or without --split-folders. Images are \
            written once: building again into the same SITE re-encodes only new records (--rewrite-images redoes all).
            """)

    @Argument(help: "A shard folder (holding index.json, or train/validate/test folders that do).") var dir: String
    @Option(help: "The site folder to write.") var out: String
    @Option(help: "Thumbnails per index page.") var pageSize: Int = 240
    @Option(help: "Long side of the thumbnails, in pixels.") var thumbnailSize: Int = 192
    @Option(help: "Long side of the image on a record page, in pixels.") var imageSize: Int = 1024
    @Option(help: "Worker threads.") var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Re-encode images already written by an earlier build.") var rewriteImages = false
    @Flag(name: .customLong("no-verify"), help: "Do not check per-sample CRC32C (folders written by other tools have none).")
    var noVerify = false

    func validate() throws {
        guard pageSize > 0, thumbnailSize > 0, imageSize > 0, workers > 0 else {
            throw ValidationError("--page-size, --thumbnail-size, --image-size and --workers must be positive")
        }
    }

    func run() async throws {
        var options = SiteOptions()
        options.pageSize = pageSize
        options.thumbnailSide = thumbnailSize
        options.imageSide = imageSize
        options.workers = workers
        options.rewriteImages = rewriteImages
        options.verify = noVerify ? .off : .fail
        let concepts = Resources.schemasDirectory + "/lexicon/training-concepts.txt"
        if let text = try? String(contentsOfFile: concepts, encoding: .utf8) {
            options.conceptNames = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        let progress = ProgressLine()
        let summary: SiteSummary
        do {
            summary = try SiteBuilder(input: dir, output: out, options: options).build { done, total in
                progress.update(done: done, total: total, unit: "records")
            }
        } catch let error as SiteError {
            throw CLIError("show: \(error.description)")
        }
        progress.finish()
        let seconds = progress.elapsed
        print("show: \(summary.records) records, \(summary.indexPages) index pages, \(summary.imagesWritten) images "
            + "written, \(summary.imagesKept) kept")
        print(String(format: "show: %.1f MB in %d files in %@ (%.1f s, %.0f records/s)",
                     Double(summary.bytes) / 1e6, summary.files, out, seconds,
                     Double(summary.records) / max(seconds, 1e-9)))
        for problem in summary.problems.prefix(20) { print("show: \(problem.id): \(problem.reason)") }
        if summary.problems.count > 20 { print("show: … \(summary.problems.count - 20) more records without an image") }
        print("show: open \(out)/index.html")
    }
}
