import CDCMTKShim
import CarinaCore

/// The closed set of DICOM failures; `rawValue` is stable for scripts and logs.
public enum DicomErrorCode: String, ErrorCode, CaseIterable {
    /// The file cannot be opened or read (missing, a directory, permissions).
    case io
    /// The file is not DICOM (empty, no DICM marker and no dataset).
    case notDICOM
    /// Truncated, an absurd length, a broken element structure.
    case malformed
    /// No Pixel Data (7FE0,0010).
    case noPixelData
    /// A transfer syntax Carina cannot decode; the message names it.
    case unsupportedTransferSyntax
    /// A pixel layout Carina does not read (colour, more than 16 bits).
    case unsupportedPixels
    /// The compressed stream is broken.
    case decodeFailed
    /// The requested frame does not exist.
    case frameOutOfRange
    /// The output could not be encoded or written.
    case writeFailed
    /// A caller-side mistake (bad option, bad keyword).
    case invalidArgument
    /// A library failure that fits no other code.
    case internalFailure

    init(shimCode: Int32) {
        switch Int(shimCode) {
        case CARINA_DCM_IO: self = .io
        case CARINA_DCM_NOT_DICOM: self = .notDICOM
        case CARINA_DCM_MALFORMED: self = .malformed
        case CARINA_DCM_NO_PIXEL_DATA: self = .noPixelData
        case CARINA_DCM_UNSUPPORTED_SYNTAX: self = .unsupportedTransferSyntax
        case CARINA_DCM_UNSUPPORTED_PIXELS: self = .unsupportedPixels
        case CARINA_DCM_DECODE_FAILED: self = .decodeFailed
        case CARINA_DCM_FRAME_OUT_OF_RANGE: self = .frameOutOfRange
        case CARINA_DCM_WRITE_FAILED: self = .writeFailed
        case CARINA_DCM_INVALID_ARGUMENT: self = .invalidArgument
        default: self = .internalFailure
        }
    }

    public static let domain = "dicom"
}

/// Why a DICOM file could not be read, rendered or written: one code, one line that says what and where (the file
/// path is part of it), in the library's own words; `path` is the file concerned.
public typealias DicomError = ModuleError<DicomErrorCode>

extension ModuleError where Kind == DicomErrorCode {
    /// The shim's error struct as a `DicomError`.
    init(_ error: carina_dcm_error, path: String) {
        var copy = error
        let text = unsafe withUnsafeBytes(of: &copy.message) { raw in
            unsafe String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        self.init(Code(shimCode: error.code), text.isEmpty ? "\(path): DICOM operation failed" : text, path: path)
    }
}
