import CarinaCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The encoded samples of the shard being filled, kept in a temporary file in the dataset folder instead of in memory,
/// so a writer's memory does not grow with the shard size limit. An MDS shard starts with every sample's offset, so
/// its samples can only be placed once the shard is closed: the head is written then, and these bytes copied after it.
///
/// The file carries the temporary suffix: after a crash it is garbage, and a resumed writer removes it.
final class ShardSpool {
    /// The spool's name inside the dataset folder.
    static let fileName = "carina.spool" + DurableFile.temporarySuffix

    let path: String
    private var descriptor: Int32 = -1
    /// Bytes spooled since the last ``reset()``.
    private(set) var count = 0

    init(directory: String) {
        path = (directory as NSString).appendingPathComponent(Self.fileName)
    }

    deinit {
        if descriptor >= 0 { _ = close(descriptor) }
    }

    /// Appends one encoded sample.
    func append(_ bytes: [UInt8]) throws(ShardError) {
        if descriptor < 0 {
            descriptor = unsafe open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw failure("cannot create") }
        }
        var written = 0
        while written < bytes.count {
            let n = unsafe bytes.withUnsafeBytes { raw in
                unsafe pwrite(descriptor, raw.baseAddress! + written, raw.count - written, off_t(count + written))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write")
            }
            written += n
        }
        count += bytes.count
    }

    /// Reads spooled bytes from `offset` into `buffer`, as many as fit and are there; returns how many (more than 0
    /// while `offset` is below ``count``).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(ShardError) -> Int {
        let want = min(buffer.count, count - offset)
        guard want > 0 else { return 0 }
        while true {
            let n = unsafe pread(descriptor, buffer.baseAddress!, want, off_t(offset))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw failure(n == 0 ? "unexpected end of" : "cannot read") }
            return n
        }
    }

    /// Copies the spooled bytes in `range` to `handle`, a bounded buffer at a time.
    func copy(_ range: Range<Int>, to handle: FileHandle) throws(ShardError) {
        guard !range.isEmpty else { return }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: min(1 << 20, range.count), alignment: 16)
        defer { unsafe buffer.deallocate() }
        var offset = range.lowerBound
        while offset < range.upperBound {
            let want = min(buffer.count, range.upperBound - offset)
            let n = try unsafe read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<want]), at: offset)
            do {
                try unsafe handle.write(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            } catch {
                throw ShardError(.io, "cannot copy spooled samples into a shard: \(FileErrorText.reason(error))\(FileErrorText.advice(error))")
            }
            offset += n
        }
    }

    /// Empties the spool for the next shard.
    func reset() {
        if descriptor >= 0 { _ = ftruncate(descriptor, 0) }
        count = 0
    }

    /// Closes and deletes the spool file.
    func remove() {
        if descriptor >= 0 { _ = close(descriptor) }
        descriptor = -1
        count = 0
        _ = unsafe unlink(path)
    }

    private func failure(_ what: String) -> ShardError {
        ShardError(.io, "\(what) the sample spool \(path): \(unsafe String(cString: strerror(errno)))")
    }
}
