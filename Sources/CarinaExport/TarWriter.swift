import CarinaCore
import CarinaShards
import Foundation

/// Writes a plain POSIX ustar archive: per member a 512-byte header (name, mode `0644`, uid/gid 0, octal size,
/// mtime 0 for reproducible bytes, checksum, type `0`, magic `ustar\0` version `00`), the data padded to 512 bytes,
/// and two zero blocks at the end.
struct TarWriter {
    private let handle: FileHandle
    let path: String
    private(set) var bytesWritten = 0

    /// Creates (or truncates) the archive at `path`.
    init(path: String) throws(ShardError) {
        self.path = path
        // open(2) rather than FileManager.createFile, whose atomic write leaves a hidden temporary behind when killed.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ShardError(.io, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// Appends a member.
    ///
    /// - Throws: ``ShardError``: `invalidArgument` for a name over 100 bytes or a file of 8 GiB or more; `io`.
    mutating func add(name: String, data: [UInt8]) throws(ShardError) {
        let nameBytes = Array(name.utf8)
        guard nameBytes.count <= 100 else { throw ShardError(.invalidArgument, "tar member name `\(name)` is longer than 100 bytes") }
        guard data.count < 1 << 33 else { throw ShardError(.invalidArgument, "tar member `\(name)` is 8 GiB or more") }
        var header = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) { for (i, b) in text.utf8.enumerated() { header[offset + i] = b } }
        func octal(_ value: Int, width: Int) -> String {
            let digits = String(value, radix: 8)
            return String(repeating: "0", count: width - 1 - digits.count) + digits
        }
        header.replaceSubrange(0..<nameBytes.count, with: nameBytes)
        put(octal(0o644, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        put(octal(data.count, width: 12), at: 124)
        put(octal(0, width: 12), at: 136)
        put("        ", at: 148)
        header[156] = UInt8(ascii: "0")
        put("ustar", at: 257)
        put("00", at: 263)
        let sum = header.reduce(0) { $0 + Int($1) }
        put(octal(sum, width: 7), at: 148)
        header[155] = 0x20
        try write(header)
        try write(data)
        let padding = (512 - data.count % 512) % 512
        if padding > 0 { try write([UInt8](repeating: 0, count: padding)) }
    }

    /// Writes the end-of-archive blocks and closes the file.
    mutating func finish() throws(ShardError) {
        try write([UInt8](repeating: 0, count: 1024))
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw ShardError(.io, "cannot finish \(path): \(FileErrorText.reason(error))\(FileErrorText.advice(error))")
        }
    }

    private mutating func write(_ bytes: [UInt8]) throws(ShardError) {
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw ShardError(.io, "cannot write \(path): \(FileErrorText.reason(error))\(FileErrorText.advice(error))")
        }
        bytesWritten += bytes.count
    }
}
