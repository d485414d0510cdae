import CZlib

/// An error reading or writing a gzip file: the path and what went wrong.
public typealias GzipError = CoreError

/// Whole-file gzip reads and writes through zlib. Reads pass plain (uncompressed) files through unchanged.
public enum GzipFile {
    /// Reads and inflates the whole file at `path`.
    ///
    /// - Throws: `GzipError` when the file cannot be opened or is corrupt.
    public static func read(path: String) throws(GzipError) -> [UInt8] {
        guard let handle = unsafe gzopen(path, "rb") else { throw GzipError(.unreadable, "cannot open \(path)") }
        defer { unsafe _ = gzclose(handle) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = unsafe chunk.withUnsafeMutableBytes { buffer in
                unsafe gzread(handle, buffer.baseAddress, UInt32(buffer.count))
            }
            if count < 0 { throw GzipError(.malformed, "\(path): corrupt gzip data") }
            if count == 0 { break }
            output.append(contentsOf: chunk[0..<Int(count)])
        }
        // zlib ends a stream cut short (no final block or no trailer) like a complete one, leaving Z_BUF_ERROR.
        var status: Int32 = Z_OK
        _ = unsafe gzerror(handle, &status)
        if status == Z_BUF_ERROR {
            throw GzipError(.malformed, "\(path): the gzip data is cut short (unexpected end of file, as `gzip -t` "
                + "says): the file is truncated; copy or download it again")
        }
        return output
    }

    /// Writes `bytes` gzip-compressed to `path`. The gzip header carries no name and no time stamp (`gzopen`
    /// writes neither), so the same bytes give the same file.
    public static func write(_ bytes: [UInt8], to path: String) throws(GzipError) {
        guard let handle = unsafe gzopen(path, "wb9") else { throw GzipError(.writeFailed, "cannot create \(path)") }
        let written = unsafe bytes.withUnsafeBytes { buffer in
            unsafe gzwrite(handle, buffer.baseAddress, UInt32(buffer.count))
        }
        let closed = unsafe gzclose(handle)
        guard Int(written) == bytes.count || bytes.isEmpty, closed == Z_OK else {
            throw GzipError(.writeFailed, "cannot write \(path): gzip write failed")
        }
    }
}
