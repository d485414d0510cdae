import CDirectIO
import CarinaCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a shard's temporary file past the page cache (`O_DIRECT`): the head and then the spooled samples are
/// gathered a megabyte at a time into an aligned buffer and written straight to the device; the last block is padded,
/// the file cut back to its length, and flushed. The bytes on disk are those of a buffered write.
///
/// Why: a shard must be on disk before its rename (``DurableFile``). Written through the page cache, the flush then
/// copies every byte a second time and the kernel's writeback work is charged to the writer: on the project's VM,
/// 373 MB buffered and flushed cost 1.3–1.7 s of system time, the same bytes written directly 0.04 s. That was most
/// of the CPU time of ingesting JPEGs stored as they are.
enum DirectShardWrite {
    /// File offsets, lengths and the buffer's address are multiples of this (a multiple of any logical block size
    /// up to 4 KiB, which is what `O_DIRECT` requires).
    static let alignment = 4096
    /// Bytes gathered per write.
    static let chunkSize = 1 << 20

    /// Writes `parts` followed by the whole of `spool` to a new file `temporary` and flushes it, calling
    /// `step("<name>: partial")` once about half way. Returns false, with nothing written, where the system or the
    /// file system has no direct I/O (the caller then writes the file through the page cache).
    ///
    /// - Throws: ``ShardError`` (`io`) naming the file and the system's reason.
    static func write(
        _ parts: [[UInt8]], then spool: ShardSpool, to temporary: String, name: String,
        step: ((String) -> Void)?
    ) throws(ShardError) -> Bool {
        let descriptor = unsafe carina_open_direct_for_writing(temporary)
        guard descriptor >= 0 else {
            if Self.isUnsupported(errno) { return false }
            throw DurableFile.systemError("cannot create", temporary)
        }
        defer { _ = close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: alignment)
        defer { unsafe buffer.deallocate() }

        let headCount = parts.reduce(0) { $0 + $1.count }
        let total = headCount + spool.count
        var position = 0  // bytes of the file's content gathered so far
        var steppedHalf = false
        while position < total {
            var filled = 0
            while filled < chunkSize, position < total {
                let space = unsafe UnsafeMutableRawBufferPointer(rebasing: buffer[filled...])
                let n =
                    position < headCount
                    ? unsafe copyHead(parts, from: position, into: space)
                    : try unsafe spool.read(into: space, at: position - headCount)
                filled += n
                position += n
            }
            // Only the file's last chunk can be short: it is padded to a whole block and the file cut back below.
            let length = (filled + alignment - 1) / alignment * alignment
            unsafe buffer[filled..<length].initializeMemory(as: UInt8.self, repeating: 0)
            let chunk = unsafe UnsafeRawBufferPointer(rebasing: buffer[..<length])
            guard try unsafe writeAll(descriptor, chunk, at: position - filled, path: temporary) else { return false }
            if !steppedHalf, position >= total / 2, position < total {
                steppedHalf = true
                step?("\(name): partial")
            }
        }
        if !steppedHalf { step?("\(name): partial") }
        guard ftruncate(descriptor, off_t(total)) == 0 else {
            throw DurableFile.systemError("cannot set the length of", temporary)
        }
        guard fsync(descriptor) == 0 else { throw DurableFile.systemError("cannot flush", temporary) }
        return true
    }

    /// Copies the bytes of the concatenated `parts` from `position` on into `space`, as many as fit; returns how many.
    private static func copyHead(_ parts: [[UInt8]], from position: Int, into space: UnsafeMutableRawBufferPointer)
        -> Int
    {
        var skip = position
        for part in parts {
            if skip >= part.count {
                skip -= part.count
                continue
            }
            let n = min(part.count - skip, space.count)
            unsafe part.withUnsafeBytes { raw in
                unsafe space.baseAddress!.copyMemory(from: raw.baseAddress! + skip, byteCount: n)
            }
            return n
        }
        return 0
    }

    /// Writes all of `bytes` at `offset`. Returns false when the very first write is refused as unsupported (a file
    /// system that accepts the `O_DIRECT` open but not the write); throws for any other failure.
    private static func writeAll(
        _ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int,
        path: String
    ) throws(ShardError) -> Bool {
        var written = 0
        while written < bytes.count {
            let n = unsafe pwrite(
                descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(offset + written))
            if n < 0 {
                if errno == EINTR { continue }
                if offset + written == 0, isUnsupported(errno) { return false }
                throw DurableFile.systemError("cannot write", path)
            }
            written += n
        }
        return true
    }

    private static func isUnsupported(_ code: Int32) -> Bool {
        code == EINVAL || code == ENOTSUP || code == EOPNOTSUPP
    }
}
