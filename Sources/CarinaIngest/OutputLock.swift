import Foundation

/// An exclusive lock on an ingest's output folder: `flock(2)` on `carina.lock` inside it, held from before the first
/// file is written until the lock is released (or the process ends, however it ends: the kernel drops it).
///
/// A second ingest into the same folder is refused at once instead of interleaving its files with the first's. The
/// lock file stays empty (its bytes never change), so a finished folder is the same whoever locked it.
public final class OutputLock {
    public static let fileName = "carina.lock"
    public let directory: String
    private let descriptor: Int32

    /// Takes the lock of `directory`, creating the folder and the lock file if needed.
    ///
    /// - Throws: ``IngestError`` `outputLocked` when another process holds it; `unreadableFile` when the folder or
    ///   the lock file cannot be created.
    public init(directory: String) throws(IngestError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw IngestError(.unreadableFile, "cannot create the output folder \(directory): \(IngestError.reason(error))")
        }
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        let fd = unsafe open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw IngestError(.unreadableFile, "cannot create \(path): \(IngestError.posix(errno)); "
                + "check that --out is a writable folder")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK {
                throw IngestError(.outputLocked, "\(directory) is being written by another carina ingest (it holds "
                    + "\(Self.fileName)); wait for that run to finish, or choose another --out folder")
            }
            throw IngestError(.unreadableFile, "cannot lock \(path): \(IngestError.posix(code))")
        }
        descriptor = fd
    }

    deinit { close(descriptor) }
}
