import CZlib

/// Whole-file reads of gzip (or plain) files through zlib's `gzread`, which passes uncompressed files through.
enum GzipFile {
    /// Reads and inflates the whole file at `path`.
    ///
    /// - Throws: `IngestError.unreadableFile` when the file cannot be opened or is corrupt.
    static func read(path: String) throws(IngestError) -> [UInt8] {
        guard let handle = unsafe gzopen(path, "rb") else {
            throw IngestError(.unreadableFile, "cannot open \(path)")
        }
        defer { unsafe _ = gzclose(handle) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = unsafe chunk.withUnsafeMutableBytes { buffer in
                unsafe gzread(handle, buffer.baseAddress, UInt32(buffer.count))
            }
            if count < 0 {
                throw IngestError(.unreadableFile, "\(path): corrupt gzip data")
            }
            if count == 0 { break }
            output.append(contentsOf: chunk[0..<Int(count)])
        }
        return output
    }
}
