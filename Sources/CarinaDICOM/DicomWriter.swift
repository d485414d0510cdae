import CDCMTKShim

/// Transfer syntaxes `DicomWriter` produces (all lossless).
public enum DicomTransferSyntax: String, CaseIterable, Sendable, Codable {
    case explicitLittle
    case implicitLittle
    case explicitBig
    case deflated
    /// JPEG lossless, first-order prediction (process 14, selection value 1).
    case jpegLossless
    case jpegLSLossless
    case rle
    /// JPEG 2000 lossless (reversible 5/3 wavelet), encoded by OpenJPEG.
    case jpeg2000Lossless

    /// The DICOM UID of this transfer syntax.
    public var uid: String {
        switch self {
        case .explicitLittle: "1.2.840.10008.1.2.1"
        case .implicitLittle: "1.2.840.10008.1.2"
        case .explicitBig: "1.2.840.10008.1.2.2"
        case .deflated: "1.2.840.10008.1.2.1.99"
        case .jpegLossless: "1.2.840.10008.1.2.4.70"
        case .jpegLSLossless: "1.2.840.10008.1.2.4.80"
        case .rle: "1.2.840.10008.1.2.5"
        case .jpeg2000Lossless: "1.2.840.10008.1.2.4.90"
        }
    }

    var shimValue: Int32 {
        switch self {
        case .explicitLittle: Int32(CARINA_DCM_TS_EXPLICIT_LITTLE)
        case .implicitLittle: Int32(CARINA_DCM_TS_IMPLICIT_LITTLE)
        case .explicitBig: Int32(CARINA_DCM_TS_EXPLICIT_BIG)
        case .deflated: Int32(CARINA_DCM_TS_DEFLATED)
        case .jpegLossless: Int32(CARINA_DCM_TS_JPEG_LOSSLESS_SV1)
        case .jpegLSLossless: Int32(CARINA_DCM_TS_JPEG_LS_LOSSLESS)
        case .rle: Int32(CARINA_DCM_TS_RLE)
        case .jpeg2000Lossless: Int32(CARINA_DCM_TS_JPEG2000_LOSSLESS)
        }
    }
}

/// One single-frame monochrome image to write: unsigned, 16 bits allocated, `bitsStored` bits used.
public struct DicomWriteRequest: Sendable, Equatable {
    public var rows: Int
    public var columns: Int
    /// 1...16; every pixel must be below `1 << bitsStored`.
    public var bitsStored: Int
    /// "MONOCHROME1" or "MONOCHROME2".
    public var photometric: String
    /// Row-major stored values.
    public var pixels: [UInt16]
    public var transferSyntax: DicomTransferSyntax
    /// DICOM keyword → value, e.g. `PatientID`, `StudyInstanceUID`, `SOPInstanceUID` (required: the writer never
    /// invents UIDs), `ViewPosition`, `StudyDate`, `StudyTime`, `Modality`, `Manufacturer`, `PixelSpacing` (`0.1\0.1`),
    /// `WindowCenter`, `RescaleSlope`. Defaults: SOP Class DX For Presentation, Modality DX. The pixel module
    /// (Rows, BitsStored, ...) comes from the fields above and may not be set here.
    public var attributes: [String: String]

    public init(rows: Int, columns: Int, bitsStored: Int, photometric: String, pixels: [UInt16],
                transferSyntax: DicomTransferSyntax, attributes: [String: String]) {
        self.rows = rows
        self.columns = columns
        self.bitsStored = bitsStored
        self.photometric = photometric
        self.pixels = pixels
        self.transferSyntax = transferSyntax
        self.attributes = attributes
    }
}

/// Writes DICOM Part 10 files through DCMTK (and OpenJPEG for JPEG 2000). The same request gives the same bytes.
public enum DicomWriter {
    /// Writes `request` to `path` (through a temporary name, renamed when complete).
    ///
    /// - Throws: `DicomError` `.invalidArgument` for a bad request, `.writeFailed` / `.io` when encoding or saving fails.
    public static func write(_ request: DicomWriteRequest, to path: String) throws(DicomError) {
        guard request.rows > 0, request.columns > 0, request.pixels.count == request.rows * request.columns else {
            throw DicomError(.invalidArgument,
                             "\(path): \(request.pixels.count) pixels do not fill \(request.columns)x\(request.rows)",
                             path: path)
        }
        // Sorted keys: the attribute order must not depend on dictionary iteration order.
        let keys = request.attributes.keys.sorted()
        let values = keys.map { request.attributes[$0]! }
        var error = carina_dcm_error()
        let status = unsafe withCStrings(keys) { keyPointers in
            unsafe withCStrings(values) { valuePointers in
                unsafe request.pixels.withUnsafeBufferPointer { pixels in
                    unsafe request.photometric.withCString { photometric in
                        unsafe keyPointers.withUnsafeBufferPointer { k in
                            unsafe valuePointers.withUnsafeBufferPointer { v in
                                var r = unsafe carina_dcm_write_request(
                                    rows: Int32(request.rows), columns: Int32(request.columns),
                                    bits_stored: Int32(request.bitsStored), photometric: photometric,
                                    pixels: pixels.baseAddress, transfer_syntax: request.transferSyntax.shimValue,
                                    keys: k.baseAddress, values: v.baseAddress, attribute_count: Int32(keys.count))
                                return unsafe carina_dcm_write(&r, path, &error)
                            }
                        }
                    }
                }
            }
        }
        guard status == 0 else { throw DicomError(error, path: path) }
    }

    /// Calls `body` with C strings for `strings` (one NUL-separated buffer), valid only inside it.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        if strings.isEmpty { return unsafe body([]) }
        var storage: [CChar] = []
        var offsets: [Int] = []
        for s in strings {
            offsets.append(storage.count)
            storage.append(contentsOf: s.utf8CString)
        }
        return unsafe storage.withUnsafeBufferPointer { buffer in
            unsafe body(offsets.map { unsafe UnsafePointer(buffer.baseAddress! + $0) })
        }
    }
}
