import CZlib
import Foundation

/// An error reading or writing a zip archive: the archive, the entry and what went wrong.
public typealias ZipError = CoreError

/// Read access to the entries of a zip archive (such as MIMIC-CXR's `mimic-cxr-reports.zip`) without unpacking it.
///
/// The central directory is read once (zip64 included: the reports archive holds more than 65,535 entries); each
/// entry is then read with `pread` and inflated with zlib (stored and deflated entries), its CRC-32 checked. Reads
/// share no state, so any number of threads may read entries at once.
public final class ZipArchive: Sendable {
    /// Where one entry lies in the archive.
    public struct Entry: Sendable {
        public let name: String
        let method: UInt16
        let crc: UInt32
        let compressedSize: Int
        public let size: Int
        let headerOffset: Int
    }

    public let path: String
    /// The entries by name, as stored.
    public let entries: [String: Entry]
    private let descriptor: Int32

    /// Opens the archive at `path` and reads its central directory.
    ///
    /// - Throws: ``ZipError`` when the file cannot be read or is not a zip archive.
    public init(path: String) throws(ZipError) {
        self.path = path
        let fd = unsafe open(path, O_RDONLY)
        guard fd >= 0 else { throw ZipError(.unreadable, "\(path): cannot open the archive (\(unsafe String(cString: strerror(errno))))") }
        descriptor = fd
        var info = stat()
        guard unsafe fstat(fd, &info) == 0 else { throw ZipError(.unreadable, "\(path): cannot read the archive's size") }
        let fileSize = Int(info.st_size)
        // The end-of-central-directory record is within the last 64 KiB + 22 bytes (its comment is at most 64 KiB).
        let tailLength = min(fileSize, 65_557)
        let tail = Self.read(fd, offset: fileSize - tailLength, count: tailLength)
        var eocd = -1
        var i = tail.count - 22
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 5, tail[i + 3] == 6 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else {
            close(fd)
            throw ZipError(.malformed, "\(path) is not a zip archive (no end of central directory); download it again")
        }
        var count = Int(Self.u16(tail, eocd + 10))
        var directorySize = Int(Self.u32(tail, eocd + 12))
        var directoryOffset = Int(Self.u32(tail, eocd + 16))
        // Zip64: a locator 20 bytes before the record points at the zip64 end record with the 64-bit values.
        if eocd >= 20, Self.u32(tail, eocd - 20) == 0x0706_4B50 {
            let recordOffset = Int(Self.u64(tail, eocd - 20 + 8))
            let record = Self.read(fd, offset: recordOffset, count: 56)
            if record.count == 56, Self.u32(record, 0) == 0x0606_4B50 {
                count = Int(Self.u64(record, 32))
                directorySize = Int(Self.u64(record, 40))
                directoryOffset = Int(Self.u64(record, 48))
            }
        }
        let directory = Self.read(fd, offset: directoryOffset, count: directorySize)
        guard directory.count == directorySize else {
            close(fd)
            throw ZipError(.malformed, "\(path): the central directory is cut short; the archive is truncated, download it again")
        }
        var entries: [String: Entry] = [:]
        entries.reserveCapacity(count)
        var at = 0
        for _ in 0..<count {
            guard at + 46 <= directory.count, Self.u32(directory, at) == 0x0201_4B50 else {
                close(fd)
                throw ZipError(.malformed, "\(path): malformed central directory at entry \(entries.count + 1); download it again")
            }
            let method = Self.u16(directory, at + 10)
            let crc = Self.u32(directory, at + 16)
            var compressed = Int(Self.u32(directory, at + 20))
            var size = Int(Self.u32(directory, at + 24))
            let nameLength = Int(Self.u16(directory, at + 28))
            let extraLength = Int(Self.u16(directory, at + 30))
            let commentLength = Int(Self.u16(directory, at + 32))
            var offset = Int(Self.u32(directory, at + 42))
            guard at + 46 + nameLength + extraLength <= directory.count else { break }
            let name = String(decoding: directory[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            // Zip64 extra field: the 64-bit values of the fields saturated at 0xFFFFFFFF, in this order.
            var extra = at + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = Self.u16(directory, extra), length = Int(Self.u16(directory, extra + 2))
                if id == 1 {
                    var field = extra + 4
                    if size == 0xFFFF_FFFF { size = Int(Self.u64(directory, field)); field += 8 }
                    if compressed == 0xFFFF_FFFF { compressed = Int(Self.u64(directory, field)); field += 8 }
                    if offset == 0xFFFF_FFFF { offset = Int(Self.u64(directory, field)) }
                }
                extra += 4 + length
            }
            if !name.hasSuffix("/") {
                entries[name] = Entry(name: name, method: method, crc: crc, compressedSize: compressed, size: size,
                                      headerOffset: offset)
            }
            at += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    deinit { close(descriptor) }

    /// The uncompressed bytes of `entry`.
    ///
    /// - Throws: ``ZipError`` when the entry is cut short, corrupt (inflate fails or its CRC-32 differs) or uses a
    ///   compression method other than stored or deflate.
    public func data(_ entry: Entry) throws(ZipError) -> [UInt8] {
        let header = Self.read(descriptor, offset: entry.headerOffset, count: 30)
        guard header.count == 30, Self.u32(header, 0) == 0x0403_4B50 else {
            throw ZipError(.malformed, "\(path): entry \(entry.name) has no local header; the archive is damaged")
        }
        let start = entry.headerOffset + 30 + Int(Self.u16(header, 26)) + Int(Self.u16(header, 28))
        let stored = Self.read(descriptor, offset: start, count: entry.compressedSize)
        guard stored.count == entry.compressedSize else {
            throw ZipError(.malformed, "\(path): entry \(entry.name) is cut short; the archive is truncated")
        }
        let bytes: [UInt8]
        switch entry.method {
        case 0: bytes = stored
        case 8: bytes = try Self.inflateRaw(stored, size: entry.size, name: entry.name, path: path)
        default:
            throw ZipError(.unsupported, "\(path): entry \(entry.name) uses compression method \(entry.method); "
                + "only stored and deflate are read (repack the archive with `zip`)")
        }
        guard Self.crc32(bytes) == entry.crc else {
            throw ZipError(.malformed, "\(path): entry \(entry.name) fails its CRC-32 check; the archive is damaged")
        }
        return bytes
    }

    /// The bytes of the entry named `name`, or nil when the archive has no such entry.
    public func data(named name: String) throws(ZipError) -> [UInt8]? {
        guard let entry = entries[name] else { return nil }
        return try data(entry)
    }

    static func inflateRaw(_ input: [UInt8], size: Int, name: String, path: String) throws(ZipError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: size)
        if size == 0 { return output }
        var stream = z_stream()
        guard unsafe inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ZipError(.malformed, "zlib could not start inflating \(name)")
        }
        defer { unsafe _ = inflateEnd(&stream) }
        var input = input
        let status = unsafe input.withUnsafeMutableBufferPointer { inBuffer in
            unsafe output.withUnsafeMutableBufferPointer { outBuffer in
                unsafe stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                unsafe stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                return unsafe inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) == size else {
            throw ZipError(.malformed, "\(path): entry \(name) does not inflate (zlib status \(status)); the archive is damaged")
        }
        return output
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        unsafe bytes.withUnsafeBufferPointer { buffer in
            UInt32(unsafe CZlib.crc32(0, buffer.baseAddress, UInt32(buffer.count)))
        }
    }

    private static func read(_ fd: Int32, offset: Int, count: Int) -> [UInt8] {
        guard count > 0, offset >= 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = unsafe bytes.withUnsafeMutableBytes { buffer in
                unsafe pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
            }
            if n <= 0 { break }
            done += n
        }
        return Array(bytes[0..<done])
    }

    private static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    private static func u32(_ b: [UInt8], _ i: Int) -> UInt32 { UInt32(u16(b, i)) | UInt32(u16(b, i + 2)) << 16 }
    private static func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
}

/// Writes a zip archive of deflated entries (what `zip` writes for text), for test and synthetic dumps.
public enum ZipWriter {
    /// Writes `entries` (name, bytes) to `path`, deflated, in the order given.
    ///
    /// - Throws: ``ZipError`` when the file cannot be written.
    public static func write(_ entries: [(name: String, bytes: [UInt8])], to path: String) throws(ZipError) {
        var out: [UInt8] = []
        var directory: [UInt8] = []
        for entry in entries {
            let compressed = deflateRaw(entry.bytes)
            let crc = ZipArchive.crc32(entry.bytes)
            let name = Array(entry.name.utf8)
            let offset = out.count
            put32(&out, 0x0403_4B50); put16(&out, 20); put16(&out, 0); put16(&out, 8); put16(&out, 0); put16(&out, 0x21)
            put32(&out, crc); put32(&out, UInt32(compressed.count)); put32(&out, UInt32(entry.bytes.count))
            put16(&out, UInt16(name.count)); put16(&out, 0)
            out += name
            out += compressed
            put32(&directory, 0x0201_4B50); put16(&directory, 20); put16(&directory, 20); put16(&directory, 0)
            put16(&directory, 8); put16(&directory, 0); put16(&directory, 0x21); put32(&directory, crc)
            put32(&directory, UInt32(compressed.count)); put32(&directory, UInt32(entry.bytes.count))
            put16(&directory, UInt16(name.count)); put16(&directory, 0); put16(&directory, 0); put16(&directory, 0)
            put16(&directory, 0); put32(&directory, 0); put32(&directory, UInt32(offset))
            directory += name
        }
        let directoryOffset = out.count
        out += directory
        put32(&out, 0x0605_4B50); put16(&out, 0); put16(&out, 0)
        put16(&out, UInt16(entries.count)); put16(&out, UInt16(entries.count))
        put32(&out, UInt32(directory.count)); put32(&out, UInt32(directoryOffset)); put16(&out, 0)
        guard FileManager.default.createFile(atPath: path, contents: Data(out)) else {
            throw ZipError(.writeFailed, "cannot write \(path)")
        }
    }

    static func deflateRaw(_ input: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        _ = unsafe deflateInit2_(&stream, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                                 Int32(MemoryLayout<z_stream>.size))
        defer { unsafe _ = deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(unsafe deflateBound(&stream, UInt(input.count))) + 16)
        var input = input
        unsafe input.withUnsafeMutableBufferPointer { inBuffer in
            unsafe output.withUnsafeMutableBufferPointer { outBuffer in
                unsafe stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                unsafe stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                _ = unsafe deflate(&stream, Z_FINISH)
            }
        }
        return Array(output[0..<Int(stream.total_out)])
    }

    private static func put16(_ b: inout [UInt8], _ v: UInt16) { b += [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private static func put32(_ b: inout [UInt8], _ v: UInt32) { put16(&b, UInt16(v & 0xFFFF)); put16(&b, UInt16(v >> 16)) }
}
