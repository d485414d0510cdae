import ArgumentParser
import CarinaCore
import CarinaDICOM
import Foundation

/// Times decode → transform → resize → encode → write over a folder of DICOM files (Scripts/bench-dicom.sh, beside
/// ../shared/bench/ingest_baseline.py). Built with -c release by the script.
@main
struct DicomBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carina-dicom-bench",
        abstract: "Time decode → transform → resize → encode → write over a folder of DICOM files.",
        discussion: """
            The pipelines of ../shared/bench/ingest_baseline.py: `png16` (raw transform, long side --size, 16-bit
            PNG) and `mimic-jpg` (mimic-jpg transform, full size unless --size, JPEG quality 95). Prints one JSON line
            with the median pass of --runs passes.
            """
    )

    enum Pipeline: String, ExpressibleByArgument, CaseIterable {
        case png16
        case mimicJPG = "mimic-jpg"
    }

    @Argument(help: "A folder of .dcm files (searched recursively).") var folder: String
    @Option(help: "Output folder.") var out: String
    @Option(help: "png16 or mimic-jpg.") var pipeline: Pipeline = .png16
    @Option(help: "Long side (default 512 for png16, full size for mimic-jpg).") var size: Int?
    @Option(help: "Worker threads.") var threads = 1
    @Option(help: "Timed passes over all files.") var runs = 3
    @Option(help: "PNG zlib level 0...9 for png16 (1: Up filter, Huffman-only coding; 2...9: adaptive filters).")
    var pngLevel = 1

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    /// One file's outcome: milliseconds and bytes written, or the error.
    typealias Outcome = Result<(milliseconds: Double, bytes: Int), DicomBenchFailure>

    func run() throws {
        let files = Self.dicomFiles(in: folder)
        guard !files.isEmpty else { throw ValidationError("no .dcm files under \(folder)") }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let options =
            pipeline == .png16
            ? RenderOptions(transform: .raw, size: size ?? 512, encoding: .png16, pngCompressionLevel: pngLevel)
            : RenderOptions(transform: .mimicJPG, size: size, encoding: .jpeg8, jpegQuality: 95)
        let workers = max(1, threads)
        let out = self.out, pipeline = self.pipeline
        var passes: [(seconds: Double, milliseconds: [Double], bytes: Int)] = []
        for _ in 0..<runs {
            let results = IndexedResults<Outcome>(count: files.count)
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for i in stride(from: worker, to: files.count, by: workers) {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    do {
                        let (image, _) = try DicomRenderer.render(path: files[i], options: options)
                        let name = ((files[i] as NSString).lastPathComponent as NSString).deletingPathExtension
                        let target = (out as NSString).appendingPathComponent(
                            name + (pipeline == .png16 ? ".png" : ".jpg"))
                        try Data(image.bytes).write(to: URL(fileURLWithPath: target))
                        results.set(
                            i, .success((Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6, image.bytes.count)))
                    } catch {
                        results.set(i, .failure(DicomBenchFailure(description: "\(error)")))
                    }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let outcomes = try results.values.map { try $0!.get() }
            passes.append((seconds, outcomes.map(\.milliseconds), outcomes.map(\.bytes).reduce(0, +) / files.count))
        }
        let median = passes.sorted { $0.seconds < $1.seconds }[passes.count / 2]
        let perImage = median.milliseconds.sorted()[median.milliseconds.count / 2]
        var line: [String: Any] = [
            "script": "carina dicom bench", "pipeline": pipeline.rawValue, "threads": workers, "images": files.count,
            "runs": runs, "images_per_s": (Double(files.count) / median.seconds * 100).rounded() / 100,
            "images_per_s_all_runs": passes.map { (Double(files.count) / $0.seconds * 100).rounded() / 100 },
            "ms_per_image_median": (perImage * 10).rounded() / 10, "bytes_out_mean": median.bytes,
            "long_side": options.size ?? 0,
        ]
        if pipeline == .png16 { line["png_level"] = pngLevel }
        let json = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    static func dicomFiles(in folder: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder)
        var files: [String] = []
        while let item = enumerator?.nextObject() as? String {
            if item.lowercased().hasSuffix(".dcm") { files.append((folder as NSString).appendingPathComponent(item)) }
        }
        return files.sorted()
    }
}

/// A file the benchmark could not render or write, in the renderer's words.
struct DicomBenchFailure: Error, CustomStringConvertible {
    let description: String
}
