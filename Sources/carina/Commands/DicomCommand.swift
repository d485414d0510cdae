import ArgumentParser
import CarinaDICOM
import Foundation

struct DicomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dicom",
        abstract: "Inspect and render DICOM files.",
        subcommands: [DicomInfoCommand.self, DicomRenderCommand.self]
    )
}

struct DicomInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Print a DICOM file's metadata.")
    @Argument(help: "A DICOM file.") var file: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let metadata = try DicomReader.metadata(path: file)
        if json {
            try printJSON(metadata)
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
    @Flag(name: [.customLong("pad"), .customLong("pad-square")], help: "Pad to a square with black after resizing.")
    var pad = false
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
        let options = RenderOptions(transform: transform, size: size, padToSquare: pad, encoding: encoding,
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
