import CDCMTKShim

/// One open DICOM file: owns the shim's `carina_dcm_file` handle and frees it in `deinit`.
///
/// Not shared between threads: each call of the public API opens its own.
@safe final class DicomFile {
    private let handle: OpaquePointer
    let path: String

    /// Opens and parses a file (`carina_dcm_open`).
    ///
    /// - Parameter metadataOnly: leave long values (pixel data) on disk.
    init(path: String, metadataOnly: Bool) throws(DicomError) {
        var error = carina_dcm_error()
        var out: OpaquePointer? = nil
        let status = unsafe carina_dcm_open(path, metadataOnly ? 1 : 0, &out, &error)
        guard status == 0, let handle = unsafe out else { throw DicomError(error, path: path) }
        unsafe self.handle = handle
        self.path = path
    }

    deinit { unsafe carina_dcm_close(handle) }

    /// The text of a tag (`carina_dcm_get_string`), or nil when absent or empty.
    func string(_ group: UInt16, _ element: UInt16) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let found = unsafe carina_dcm_get_string(handle, group, element, &buffer, buffer.count)
        guard found == 1 else { return nil }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let trimmed = text.trimmingSpaces()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The first value of a numeric string tag (DS/IS, or a binary number read as text).
    func number(_ group: UInt16, _ element: UInt16) -> Double? {
        guard let text = string(group, element) else { return nil }
        return Double(text.split(separator: "\\").first.map { String($0).trimmingSpaces() } ?? "")
    }

    /// All values of a numeric multi-valued tag; nil if absent or any value does not parse.
    func numbers(_ group: UInt16, _ element: UInt16) -> [Double]? {
        guard let text = string(group, element) else { return nil }
        let values = text.split(separator: "\\", omittingEmptySubsequences: false).map { Double(String($0).trimmingSpaces()) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
        return values.map { $0! }
    }

    /// The image pixel module (`carina_dcm_get_pixel_info`).
    func pixelInfo() throws(DicomError) -> carina_dcm_pixel_info {
        var info = carina_dcm_pixel_info()
        var error = carina_dcm_error()
        guard unsafe carina_dcm_get_pixel_info(handle, &info, &error) == 0 else { throw DicomError(error, path: path) }
        return info
    }

    /// The first item of the Modality or VOI LUT Sequence (`carina_dcm_get_lut`), if present and well formed.
    func lut(_ which: Int32) -> LookupTable? {
        var count: Int32 = 0
        var first: Int32 = 0
        var bits: Int32 = 0
        guard unsafe carina_dcm_get_lut(handle, which, &count, &first, &bits, nil, 0) == 1, count > 0 else { return nil }
        var data = [UInt16](repeating: 0, count: Int(count))
        let ok = unsafe data.withUnsafeMutableBufferPointer { buffer in
            unsafe carina_dcm_get_lut(handle, which, &count, &first, &bits, buffer.baseAddress, buffer.count)
        }
        guard ok == 1 else { return nil }
        return LookupTable(firstMapped: Int(first), bits: Int(bits), data: data)
    }

    /// Decodes one frame to stored values (`carina_dcm_decode_frame`).
    func decodeFrame(_ frame: Int, info: carina_dcm_pixel_info, threads: Int) throws(DicomError) -> [UInt16] {
        let count = Int(info.rows) * Int(info.columns)
        var error = carina_dcm_error()
        var status: Int32 = 0
        // Uninitialised: the shim writes every value or fails (and then the array is dropped).
        let out = unsafe [UInt16](unsafeUninitializedCapacity: count) { buffer, initialized in
            status = unsafe carina_dcm_decode_frame(handle, Int32(clamping: frame), Int32(clamping: threads),
                                                    buffer.baseAddress, count, &error)
            if status != 0 { unsafe buffer.initialize(repeating: 0) }
            initialized = count
        }
        guard status == 0 else { throw DicomError(error, path: path) }
        return out
    }
}

/// A DICOM lookup table (LUT Descriptor + LUT Data).
struct LookupTable: Sendable, Equatable {
    /// The first input value mapped (already sign-interpreted by the caller when needed).
    var firstMapped: Int
    /// Bits per entry (8...16).
    var bits: Int
    var data: [UInt16]

    /// The entry for input `value` (clamped to the table's ends).
    func callAsFunction(_ value: Int) -> UInt16 {
        data[min(max(value - firstMapped, 0), data.count - 1)]
    }
}

extension String {
    /// The string without leading and trailing spaces and NULs (DICOM padding).
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\0" }) else { return "" }
        let end = scalars.lastIndex(where: { $0 != " " && $0 != "\0" })!
        return String(scalars[start...end])
    }
}
