import CarinaCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Crash-safe file replacement: write under `<name>.tmp`, flush to disk, rename over the final name, then flush the
/// folder entry, so a reader (or a resumed run) sees either the old file or the whole new one, never a torn one.
enum DurableFile {
    /// The suffix of files being written; anything carrying it after a crash is garbage.
    static let temporarySuffix = ".tmp"

    /// Atomically replaces `path` with the concatenation of `parts` and then, when given, the whole of `spool`. A
    /// file with a spool (a shard) is written past the page cache where the file system allows it
    /// (``DirectShardWrite``), unless `direct` is false.
    ///
    /// - Throws: ``ShardError`` (`io`) naming the file and the system's reason.
    /// - Parameter step: called with `"<name>: partial"`, `"<name>: synced"` and `"<name>: renamed"` as the write
    ///   progresses, so tests can kill the process at each point.
    static func write(_ parts: [[UInt8]], then spool: ShardSpool? = nil, to path: String, direct: Bool = true,
                      step: ((String) -> Void)? = nil) throws(ShardError) {
        let name = (path as NSString).lastPathComponent
        let temporary = path + temporarySuffix
        var wroteDirectly = false
        if let spool, direct {
            wroteDirectly = try DirectShardWrite.write(parts, then: spool, to: temporary, name: name, step: step)
        }
        if !wroteDirectly { try writeBuffered(parts, then: spool, to: temporary, name: name, step: step) }
        step?("\(name): synced")
        try move(temporary, over: path)
        syncDirectory(of: path)
        step?("\(name): renamed")
    }

    /// Writes and flushes `temporary` through the page cache, calling `step("<name>: partial")` half way through its
    /// last part or the spool.
    private static func writeBuffered(
        _ parts: [[UInt8]], then spool: ShardSpool?, to temporary: String, name: String, step: ((String) -> Void)?
    ) throws(ShardError) {
        // Created with open(2), not FileManager.createFile: that writes a hidden temporary of Foundation's own naming
        // and renames it, which a kill at the wrong moment would leave behind in the dataset folder.
        let descriptor = unsafe open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw systemError("cannot create", temporary) }
        do {
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            defer { try? handle.close() }
            for (i, part) in parts.enumerated() where !part.isEmpty {
                if spool == nil, i == parts.count - 1, part.count > 1 {
                    // Written in two halves, so a test can stop the process with a torn temporary file.
                    try handle.write(contentsOf: part[..<(part.count / 2)])
                    step?("\(name): partial")
                    try handle.write(contentsOf: part[(part.count / 2)...])
                } else {
                    try handle.write(contentsOf: part)
                }
            }
            if let spool {
                // Copied in two halves, so a test can stop the process with a torn temporary file.
                let half = spool.count / 2
                try spool.copy(0..<half, to: handle)
                step?("\(name): partial")
                try spool.copy(half..<spool.count, to: handle)
            }
            try handle.synchronize()
        } catch let error as ShardError {
            throw error
        } catch {
            let reason = FileErrorText.reason(error) + FileErrorText.advice(error)
            throw ShardError(.io, "cannot write \(temporary): \(reason)")
        }
    }

    /// The `io` error for a system call on `path` that just failed: `<what> <path>: <errno's reason>`, with advice
    /// when the disk is full.
    static func systemError(_ what: String, _ path: String) -> ShardError {
        let error = NSError(domain: NSPOSIXErrorDomain, code: Int(errno))
        return ShardError(.io, "\(what) \(path): \(FileErrorText.reason(error))\(FileErrorText.advice(error))")
    }

    /// Renames `from` over `to` (replacing it), as `rename(2)` does.
    static func move(_ from: String, over to: String) throws(ShardError) {
        if unsafe rename(from, to) != 0 {
            throw ShardError(.io, "cannot rename \(from) to \(to): \(unsafe String(cString: strerror(errno)))")
        }
    }

    /// Flushes the folder holding `path`, so a completed rename survives a power loss; failures are ignored
    /// (some file systems cannot sync folders).
    static func syncDirectory(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let fd = unsafe open(folder.isEmpty ? "." : folder, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = close(fd)
    }

    /// Reads a whole file.
    static func read(_ path: String) throws(ShardError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShardError(.io, "cannot read \(path): it is missing or unreadable")
        }
        return [UInt8](data)
    }
}
