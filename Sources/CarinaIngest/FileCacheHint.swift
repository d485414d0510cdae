import Foundation

/// Page-cache hints for a dump's files. An ingest reads every DICOM once: the next ones are asked for ahead (the
/// kernel reads them while the current ones are decoded) and, with `--drop-cache`, the pages of a finished one are
/// let go, so a dump far larger than memory neither evicts everything else nor makes each read pay for reclaiming
/// old pages first.
/// Hints only: a file that cannot be opened here is reported when it is decoded.
enum FileCacheHint {
    /// Starts reading `path` into the page cache in the background.
    static func willNeed(_ path: String) { advise(path, Int32(POSIX_FADV_WILLNEED)) }

    /// Drops `path`'s clean pages from the page cache.
    static func done(_ path: String) { advise(path, Int32(POSIX_FADV_DONTNEED)) }

    private static func advise(_ path: String, _ advice: Int32) {
        let fd = unsafe open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = posix_fadvise(fd, 0, 0, advice)
        close(fd)
    }
}
