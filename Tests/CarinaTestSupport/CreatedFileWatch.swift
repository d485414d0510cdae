#if os(Linux)
    import Foundation
    import Glibc

    /// The names of the files created in one folder while the watch is open, seen through inotify (`IN_CREATE`), so
    /// that a file which exists only for an instant (a temporary renamed away at once) is still seen.
    public final class CreatedFileWatch {
        public struct Failure: Error, CustomStringConvertible {
            public let description: String
        }

        private let descriptor: Int32

        /// Starts watching `directory`.
        public init(_ directory: String) throws {
            descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            guard descriptor >= 0 else {
                throw Failure(description: "inotify_init1: \(String(cString: strerror(errno)))")
            }
            guard inotify_add_watch(descriptor, directory, UInt32(IN_CREATE)) >= 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw Failure(description: "inotify_add_watch \(directory): \(reason)")
            }
        }

        deinit { close(descriptor) }

        /// The names created since the watch began (or since the last call), in order.
        public func names() -> [String] {
            var names = [String]()
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
                guard n > 0 else { break }
                var offset = 0
                // struct inotify_event: int wd; uint32_t mask, cookie, len; char name[len] (NUL-padded).
                while offset + 16 <= n {
                    let length = (12..<16).reduce(0) { $0 | Int(buffer[offset + $1]) << (8 * ($1 - 12)) }
                    let field = buffer[(offset + 16)..<(offset + 16 + length)].prefix { $0 != 0 }
                    names.append(String(decoding: field, as: UTF8.self))
                    offset += 16 + length
                }
            }
            return names
        }
    }
#endif
