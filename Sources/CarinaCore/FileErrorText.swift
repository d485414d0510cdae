import Foundation

/// A file-system error in a few words: the path and the reason (`no such file or folder`, `permission denied`, …),
/// not Foundation's whole error dump.
public enum FileErrorText {
    /// Whether `error` is a Foundation file-system error (`CocoaError` or a POSIX error) rather than one of Carina's.
    public static func isFileError(_ error: any Error) -> Bool {
        let domain = (error as NSError).domain
        return domain == NSCocoaErrorDomain || domain == NSPOSIXErrorDomain
    }

    /// The reason alone, e.g. `no such file or folder`.
    public static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return posix(Int32(ns.code)) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return posix(Int32(underlying.code))
        }
        if ns.domain == NSCocoaErrorDomain {
            switch CocoaError.Code(rawValue: ns.code) {
            case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder"
            case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
            case .fileWriteOutOfSpace: return "no space left on the device"
            case .fileWriteVolumeReadOnly: return "the file system is read-only"
            case .fileWriteFileExists: return "a file of that name already exists"
            case .fileReadCorruptFile: return "the file is corrupt"
            case .fileReadTooLarge: return "the file is too large to read"
            case .fileReadInvalidFileName, .fileWriteInvalidFileName: return "the name is not a valid file name"
            case .fileReadUnknown, .fileWriteUnknown: return "the file could not be read or written"
            default: break
            }
        }
        return ns.localizedDescription
    }

    /// The path the error concerns, when it names one.
    public static func path(_ error: any Error) -> String? {
        let info = (error as NSError).userInfo
        if let path = info[NSFilePathErrorKey] as? String { return path }
        if let url = info[NSURLErrorKey] as? URL { return url.path }
        return nil
    }

    /// `PATH: reason` (or the reason alone when the error names no path).
    public static func describe(_ error: any Error) -> String {
        path(error).map { "\($0): \(reason(error))" } ?? reason(error)
    }

    /// What to do after a write failed for lack of space (`; free disk space …`), or nothing for other errors.
    public static func advice(_ error: any Error) -> String {
        let ns = error as NSError
        let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError
        let full = (ns.domain == NSCocoaErrorDomain && ns.code == CocoaError.Code.fileWriteOutOfSpace.rawValue)
            || (ns.domain == NSPOSIXErrorDomain && ns.code == Int(ENOSPC))
            || (underlying?.domain == NSPOSIXErrorDomain && underlying?.code == Int(ENOSPC))
        return full ? "; free disk space and run the same command again (it resumes)" : ""
    }

    private static func posix(_ code: Int32) -> String { unsafe String(cString: strerror(code)) }
}
