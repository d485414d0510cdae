import CarinaShards

/// How a record's image is encoded: the `image_format` column, and the MDS encoding of the `image` column.
public enum RecordImageFormat: String, Sendable, CaseIterable {
    /// A 16-bit grayscale PNG.
    case png16
    /// An 8-bit grayscale PNG.
    case png8
    /// An 8-bit grayscale JPEG.
    case jpeg8
    /// Little-endian uint16 samples, row-major, `width × height`.
    case raw16

    /// The MDS encoding of the `image` column for this format.
    public var mdsEncoding: String {
        switch self {
        case .png16, .png8: "png"
        case .jpeg8: "jpeg"
        case .raw16: "bytes"
        }
    }

    /// Bits per stored sample.
    public var bitDepth: Int {
        switch self {
        case .png16, .raw16: 16
        case .png8, .jpeg8: 8
        }
    }

    /// The format named by an `image_format` value.
    ///
    /// - Throws: ``RecordError`` (`badColumn`) for a name Carina does not write.
    public init(column value: String) throws(RecordError) {
        guard let format = RecordImageFormat(rawValue: value) else {
            throw RecordError(.badColumn, "unknown image_format '\(value)'; Carina records hold "
                + Self.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = format
    }
}
