import ArgumentParser
import CarinaDICOM
import Foundation

struct DicomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dicom",
        abstract: "Inspect and render DICOM files.",
        subcommands: [DicomInfoCommand.self, DicomRenderCommand.self, DicomBenchCommand.self]
    )
}

struct DicomInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Print a DICOM file's metadata.")
    @Argument(help: "A DICOM file.") var file: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let metadata = try DicomReader.metadata(path: file)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(metadata), as: UTF8.self))
            return
        }
        print(Self.text(metadata))
    }

    /// The human-readable listing: one `name: value` line per field.
    static func text(_ m: DicomMetadata) -> String {
        func show(_ v: Any?) -> String { v.map { "\($0)" } ?? "-" }
        let spacing = m.pixelSpacing.map { $0.map { "\($0)" }.joined(separator: " x ") + " mm" }
        var lines: [(String, String)] = [
            ("size", "\(m.columns) x \(m.rows), \(m.numberOfFrames) frame(s)"),
            ("pixel spacing", show(spacing)),
            ("bits", "\(m.bitsStored) stored of \(m.bitsAllocated) allocated, high bit \(m.highBit), "
                + (m.pixelRepresentation == 1 ? "signed" : "unsigned")),
            ("photometric", "\(m.photometricInterpretation), \(m.samplesPerPixel) sample(s) per pixel"),
            ("transfer syntax", "\(m.transferSyntaxName) (\(m.transferSyntaxUID))"),
            ("modality", show(m.modality)), ("view position", show(m.viewPosition)),
            ("study date/time", "\(show(m.studyDate)) \(show(m.studyTime))"),
            ("manufacturer", show(m.manufacturer)), ("SOP class", show(m.sopClassUID)),
            ("SOP instance", show(m.sopInstanceUID)), ("study instance", show(m.studyInstanceUID)),
            ("patient ID", show(m.patientID)),
            ("modality LUT", m.hasModalityLUT ? "LUT sequence"
                : "slope \(show(m.rescaleSlope)), intercept \(show(m.rescaleIntercept))"),
            ("VOI", m.hasVOILUT ? "LUT sequence"
                : "center \(show(m.windowCenter)), width \(show(m.windowWidth)), function \(show(m.voiLUTFunction))"),
        ]
        lines.append(("raw output", "range \(m.rawValueRange[0])...\(m.rawValueRange[1]), offset \(m.rawValueOffset)"
            + (m.rawValueScale == 1 ? "" : ", scale \(m.rawValueScale)")
            + (m.rawValueExact ? " (exact)" : m.rawValueScale != 1 ? " (scaled: the modality range does not fit 16 bits)"
                : " (rounded: rescale slope \(show(m.rescaleSlope)) / intercept \(show(m.rescaleIntercept)) is not an integer, "
                    + "so raw output rounds each modality value to the nearest integer)")
            + (m.isMonochrome1 ? ", MONOCHROME1 reflected within the range" : "")))
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
            .joined(separator: "\n")
    }
}

struct DicomRenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a DICOM file to PNG, JPEG or a raw uint16 array.",
        discussion: """
            The output format follows the extension of -o: .png (8 or 16 bits), .jpg/.jpeg (8 bits), .raw
            (little-endian uint16). `--transform raw --bits 16` without --size writes the modality-LUT output of
            every pixel (see `carina dicom info` for the offset and range).
            """
    )
    @Argument(help: "A DICOM file.") var file: String
    @Option(name: [.short, .long], help: "Output path (.png, .jpg, .raw).") var output: String
    @Option(help: "raw, window or mimic-jpg.") var transform: PixelTransform = .raw
    @Option(help: "8 or 16 (PNG only; JPEG is always 8).") var bits: Int?
    @Option(help: "Resize so the long side is N pixels (area averaging).") var size: Int?
    @Flag(help: "Pad to a square with black after resizing.") var padSquare = false
    @Option(help: "JPEG quality 1...100.") var quality = 95
    @Option(help: "Frame of a multi-frame image (0-based).") var frame = 0
    @Option(help: "Threads for JPEG 2000 decoding (default: all cores).") var threads: Int?

    func validate() throws {
        if let bits, bits != 8, bits != 16 { throw ValidationError("--bits must be 8 or 16, got \(bits)") }
        if let size, size < 1 { throw ValidationError("--size must be at least 1, got \(size)") }
        if !(1...100).contains(quality) { throw ValidationError("--quality must be in 1...100, got \(quality)") }
        if encoding == .jpeg8, bits == 16 { throw ValidationError("JPEG output is 8-bit; drop --bits 16 or write .png") }
        if encoding == .raw16, bits == 8 { throw ValidationError(".raw output is uint16; drop --bits 8") }
    }

    /// The encoding the output extension and --bits select.
    var encoding: ImageEncoding {
        switch (output as NSString).pathExtension.lowercased() {
        case "jpg", "jpeg": return .jpeg8
        case "raw": return .raw16
        default: return (bits ?? (transform == .mimicJPG ? 8 : 16)) == 8 ? .png8 : .png16
        }
    }

    func run() async throws {
        let options = RenderOptions(transform: transform, size: size, padToSquare: padSquare, encoding: encoding,
                                    jpegQuality: quality, frame: frame,
                                    threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let (image, _) = try DicomRenderer.render(path: file, options: options)
        do {
            try Data(image.bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw CLIError("cannot write \(output): \(error.localizedDescription)")
        }
    }
}

extension PixelTransform: ExpressibleByArgument {}

struct DicomBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time decode → transform → resize → encode → write over a folder of DICOM files.",
        discussion: """
            The pipelines of ../shared/bench/ingest_baseline.py: `png16` (raw transform, long side --size, 16-bit
            PNG) and `mimic-jpg` (mimic-jpg transform, full size unless --size, JPEG quality 95). Prints one JSON line
            with the median pass of --runs passes.
            """
    )
    @Argument(help: "A folder of .dcm files (searched recursively).") var folder: String
    @Option(help: "Output folder.") var out: String
    @Option(help: "png16 or mimic-jpg.") var pipeline = "png16"
    @Option(help: "Long side (default 512 for png16, full size for mimic-jpg).") var size: Int?
    @Option(help: "Worker threads.") var threads = 1
    @Option(help: "Timed passes over all files.") var runs = 3
    @Option(help: "PNG zlib level 0...9 for png16 (1: Up filter, Huffman-only coding; 2...9: adaptive filters).")
    var pngLevel = 1

    func run() async throws {
        guard pipeline == "png16" || pipeline == "mimic-jpg" else { throw ValidationError("--pipeline png16|mimic-jpg") }
        let files = Self.dicomFiles(in: folder)
        guard !files.isEmpty else { throw CLIError("no .dcm files under \(folder)") }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let options = pipeline == "png16"
            ? RenderOptions(transform: .raw, size: size ?? 512, encoding: .png16, pngCompressionLevel: pngLevel)
            : RenderOptions(transform: .mimicJPG, size: size, encoding: .jpeg8, jpegQuality: 95)
        let workers = max(1, threads)
        var passes: [(seconds: Double, milliseconds: [Double], bytes: Int)] = []
        for _ in 0..<runs {
            let results = ResultBox(count: files.count)
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for i in stride(from: worker, to: files.count, by: workers) {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    do {
                        let (image, _) = try DicomRenderer.render(path: files[i], options: options)
                        let name = ((files[i] as NSString).lastPathComponent as NSString).deletingPathExtension
                        let target = (out as NSString).appendingPathComponent(name + (pipeline == "png16" ? ".png" : ".jpg"))
                        try Data(image.bytes).write(to: URL(fileURLWithPath: target))
                        results.set(i, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6, image.bytes.count, nil)
                    } catch {
                        results.set(i, 0, 0, "\(error)")
                    }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if let failure = results.failures.first { throw CLIError(failure) }
            passes.append((seconds, results.milliseconds, results.bytes.reduce(0, +) / files.count))
        }
        let median = passes.sorted { $0.seconds < $1.seconds }[passes.count / 2]
        let perImage = median.milliseconds.sorted()[median.milliseconds.count / 2]
        var line: [String: Any] = [
            "script": "carina dicom bench", "pipeline": pipeline, "threads": workers, "images": files.count,
            "runs": runs, "images_per_s": (Double(files.count) / median.seconds * 100).rounded() / 100,
            "images_per_s_all_runs": passes.map { (Double(files.count) / $0.seconds * 100).rounded() / 100 },
            "ms_per_image_median": (perImage * 10).rounded() / 10, "bytes_out_mean": median.bytes,
            "long_side": options.size ?? 0,
        ]
        if pipeline == "png16" { line["png_level"] = pngLevel }
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

/// Per-file results written by several worker threads (each index by one thread only).
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var milliseconds: [Double]
    private(set) var bytes: [Int]
    private(set) var failures: [String] = []

    init(count: Int) {
        milliseconds = Array(repeating: 0, count: count)
        bytes = Array(repeating: 0, count: count)
    }

    func set(_ i: Int, _ ms: Double, _ size: Int, _ failure: String?) {
        lock.lock()
        defer { lock.unlock() }
        milliseconds[i] = ms
        bytes[i] = size
        if let failure { failures.append(failure) }
    }
}
