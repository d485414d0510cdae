import CDCMTKShim
import CarinaImage

/// Decodes DICOM pixels, applies a transform, resizes and encodes. Every call opens its own file: safe to call
/// from several threads at once.
public enum DicomRenderer {
    /// Decodes a frame and renders it as `options` say.
    ///
    /// - Throws: `DicomError` for unreadable or undecodable input, or bad options (`.invalidArgument`).
    public static func render(path: String, options: RenderOptions) throws(DicomError) -> (image: RenderedImage, metadata: DicomMetadata) {
        if let size = options.size, size < 1 {
            throw DicomError(.invalidArgument, "\(path): --size must be at least 1, got \(size)", path: path)
        }
        let (values, table, metadata) = try decodeValues(path: path, transform: options.transform, frame: options.frame,
                                                         bitDepth: options.encoding.bitDepth, threads: options.threads)
        let depth = options.encoding.bitDepth
        var image: GrayImage
        if let size = options.size {
            image = GrayImage.resized(values: values, width: metadata.columns, height: metadata.rows,
                                      through: table.isIdentity ? nil : table.table, bitDepth: depth, longSide: size)
        } else {
            var mapped = values
            table.apply(to: &mapped)
            image = GrayImage(width: metadata.columns, height: metadata.rows, bitDepth: depth, pixels: mapped)
        }
        if options.padToSquare { image = image.paddedToSquare() }
        let bytes: [UInt8]
        do {
            switch options.encoding {
            case .png16, .png8: bytes = try PNGCodec.encode(image, compressionLevel: options.pngCompressionLevel)
            case .jpeg8: bytes = try JPEGCodec.encode(image, quality: options.jpegQuality)
            case .raw16: bytes = littleEndianBytes(image.pixels)
            }
        } catch {
            throw DicomError(.writeFailed, "\(path): \(options.encoding.rawValue) encoding failed: \(error)", path: path)
        }
        return (RenderedImage(bytes: bytes, width: image.width, height: image.height, encoding: options.encoding), metadata)
    }

    /// Decodes a frame through a transform at the transform's natural depth (raw and window 16 bits, mimic-jpg 8).
    public static func decode(path: String, transform: PixelTransform, frame: Int) throws(DicomError) -> (GrayImage, DicomMetadata) {
        try decode(path: path, transform: transform, frame: frame, bitDepth: transform.naturalBitDepth, threads: 1)
    }

    /// Decodes a frame through a transform at `bitDepth` (8 or 16), with up to `threads` threads for JPEG 2000.
    public static func decode(path: String, transform: PixelTransform, frame: Int, bitDepth: Int,
                              threads: Int) throws(DicomError) -> (GrayImage, DicomMetadata) {
        var (values, table, metadata) = try decodeValues(path: path, transform: transform, frame: frame,
                                                         bitDepth: bitDepth, threads: threads)
        table.apply(to: &values)
        let image = GrayImage(width: metadata.columns, height: metadata.rows, bitDepth: bitDepth, pixels: values)
        return (image, metadata)
    }

    /// The stored values of a frame and the table that turns them into the transform's output.
    static func decodeValues(path: String, transform: PixelTransform, frame: Int, bitDepth: Int,
                             threads: Int) throws(DicomError) -> ([UInt16], TransformTable, DicomMetadata) {
        guard bitDepth == 8 || bitDepth == 16 else {
            throw DicomError(.invalidArgument, "\(path): bit depth must be 8 or 16, got \(bitDepth)", path: path)
        }
        // Long values stay on disk until asked for: native pixel data is then read once, straight into the output.
        let file = try DicomFile(path: path, metadataOnly: true)
        let metadata = try DicomReader.metadata(of: file)
        let values = try decodeStored(file: file, metadata: metadata, frame: frame, threads: threads)
        let mapping = RawMapping(metadata: metadata, modalityLUT: file.lut(Int32(CARINA_DCM_LUT_MODALITY)))
        let needsHistogram = transform == .mimicJPG || (transform == .raw && bitDepth == 8)
            || (transform == .window && Window.usesMinMax(metadata: metadata))
        let histogram = needsHistogram ? TransformTable.histogram(of: values, count: 1 << metadata.bitsStored) : nil
        let table = TransformTable.make(transform: transform, bitDepth: bitDepth, metadata: metadata, mapping: mapping,
                                        voiLUT: file.lut(Int32(CARINA_DCM_LUT_VOI)), histogram: histogram)
        return (values, table, metadata)
    }

    /// The stored values of a frame (bits stored, two's complement kept), after checking the image is one Carina reads.
    static func decodeStored(file: DicomFile, metadata: DicomMetadata, frame: Int, threads: Int) throws(DicomError) -> [UInt16] {
        let path = file.path
        let info = try file.pixelInfo()
        guard info.has_pixel_data != 0 else {
            throw DicomError(.noPixelData, "\(path) has no Pixel Data (7FE0,0010)", path: path)
        }
        let photometric = metadata.photometricInterpretation
        if metadata.samplesPerPixel == 1 && photometric != "MONOCHROME1" && photometric != "MONOCHROME2" {
            throw DicomError(.unsupportedPixels,
                             "\(path) has photometric interpretation '\(photometric)'; Carina reads MONOCHROME1/2 only",
                             path: path)
        }
        guard metadata.bitsStored >= 1 && metadata.bitsStored <= 16 else {
            throw DicomError(.unsupportedPixels, "\(path) has \(metadata.bitsStored) bits stored; Carina reads 1...16",
                             path: path)
        }
        let pixels = Int(info.rows) * Int(info.columns)
        guard pixels <= 1 << 28 else {
            throw DicomError(.malformed, "\(path) declares \(info.columns)x\(info.rows) pixels, more than Carina reads",
                             path: path)
        }
        return try file.decodeFrame(frame, info: info, threads: threads)
    }

    /// Samples as little-endian uint16 bytes.
    static func littleEndianBytes(_ values: [UInt16]) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: values.count * 2)
        for (i, v) in values.enumerated() {
            bytes[2 * i] = UInt8(truncatingIfNeeded: v)
            bytes[2 * i + 1] = UInt8(truncatingIfNeeded: v >> 8)
        }
        return bytes
    }
}
