/// DEFLATE (RFC 1951) decompression of zlib streams (RFC 1950), in Swift, for reading PNG images in the
/// WebDataset export without a C dependency.
enum Inflate {
    struct Failure: Error { let message: String }

    /// Decompresses a zlib stream (2-byte header, DEFLATE data, Adler-32), checking the Adler-32.
    static func zlib(_ data: [UInt8], expectedSize: Int? = nil) throws(Failure) -> [UInt8] {
        guard data.count >= 6, data[0] & 0x0F == 8, (UInt16(data[0]) << 8 | UInt16(data[1])) % 31 == 0,
            data[1] & 0x20 == 0
        else { throw Failure(message: "not a zlib stream") }
        var reader = BitReader(data: data, position: 2)
        var out = [UInt8]()
        if let expectedSize { out.reserveCapacity(expectedSize) }
        try inflate(&reader, into: &out)
        let end = reader.byteAlignedPosition
        guard end + 4 <= data.count else { throw Failure(message: "zlib stream lacks its Adler-32") }
        let stored = UInt32(data[end]) << 24 | UInt32(data[end + 1]) << 16 | UInt32(data[end + 2]) << 8 | UInt32(data[end + 3])
        guard adler32(out) == stored else { throw Failure(message: "Adler-32 mismatch: the compressed data is corrupt") }
        return out
    }

    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        while i < data.count {
            let end = min(i + 5552, data.count)
            while i < end {
                a += UInt32(data[i])
                b += a
                i += 1
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }

    struct BitReader {
        let data: [UInt8]
        var position: Int
        var bitBuffer: UInt64 = 0
        var bitCount = 0

        init(data: [UInt8], position: Int) {
            self.data = data
            self.position = position
        }

        mutating func bits(_ n: Int) throws(Failure) -> Int {
            while bitCount < n {
                guard position < data.count else { throw Failure(message: "compressed data ends early") }
                bitBuffer |= UInt64(data[position]) << UInt64(bitCount)
                position += 1
                bitCount += 8
            }
            let v = Int(bitBuffer & ((1 << UInt64(n)) - 1))
            bitBuffer >>= UInt64(n)
            bitCount -= n
            return v
        }

        /// Drops the bits left in the current byte.
        mutating func alignToByte() {
            let drop = bitCount % 8
            bitBuffer >>= UInt64(drop)
            bitCount -= drop
        }

        /// The position of the next whole byte not yet consumed.
        var byteAlignedPosition: Int { position - bitCount / 8 }
    }

    /// A canonical Huffman code as counts per length and symbols in code order (decoded bit by bit).
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]

        init(lengths: [Int]) throws(Failure) {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var offsets = [Int](repeating: 0, count: 16)
            for l in 1..<16 { offsets[l] = offsets[l - 1] + counts[l - 1] }
            symbols = [Int](repeating: 0, count: lengths.count)
            var left = 1
            for l in 1..<16 {
                left = left * 2 - counts[l]
                guard left >= 0 else { throw Failure(message: "over-subscribed Huffman code") }
            }
            for (symbol, l) in lengths.enumerated() where l != 0 {
                symbols[offsets[l]] = symbol
                offsets[l] += 1
            }
        }

        func decode(_ reader: inout BitReader) throws(Failure) -> Int {
            var code = 0, first = 0, index = 0
            for l in 1..<16 {
                code |= try reader.bits(1)
                let count = counts[l]
                if code - first < count { return symbols[index + code - first] }
                index += count
                first = (first + count) << 1
                code <<= 1
            }
            throw Failure(message: "invalid Huffman code")
        }
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                                       2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    private static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    private static func inflate(_ reader: inout BitReader, into out: inout [UInt8]) throws(Failure) {
        var last = false
        while !last {
            last = try reader.bits(1) == 1
            switch try reader.bits(2) {
            case 0:
                reader.alignToByte()
                let len = try reader.bits(16)
                let nlen = try reader.bits(16)
                guard len == ~nlen & 0xFFFF else { throw Failure(message: "stored block length check failed") }
                for _ in 0..<len { out.append(UInt8(try reader.bits(8))) }
            case 1:
                let lengths = [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112)
                    + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8)
                try codes(&reader, try Huffman(lengths: lengths), try Huffman(lengths: [Int](repeating: 5, count: 30)), &out)
            case 2:
                let nlen = try reader.bits(5) + 257, ndist = try reader.bits(5) + 1, ncode = try reader.bits(4) + 4
                var codeLengths = [Int](repeating: 0, count: 19)
                for i in 0..<ncode { codeLengths[codeLengthOrder[i]] = try reader.bits(3) }
                let codeCode = try Huffman(lengths: codeLengths)
                var lengths = [Int]()
                while lengths.count < nlen + ndist {
                    let symbol = try codeCode.decode(&reader)
                    switch symbol {
                    case 0..<16: lengths.append(symbol)
                    case 16:
                        guard let previous = lengths.last else { throw Failure(message: "repeat with no previous length") }
                        lengths += [Int](repeating: previous, count: 3 + (try reader.bits(2)))
                    case 17: lengths += [Int](repeating: 0, count: 3 + (try reader.bits(3)))
                    default: lengths += [Int](repeating: 0, count: 11 + (try reader.bits(7)))
                    }
                }
                guard lengths.count == nlen + ndist else { throw Failure(message: "code lengths overrun") }
                try codes(&reader, try Huffman(lengths: Array(lengths[..<nlen])), try Huffman(lengths: Array(lengths[nlen...])), &out)
            default:
                throw Failure(message: "invalid block type")
            }
        }
    }

    private static func codes(_ reader: inout BitReader, _ literal: Huffman, _ distance: Huffman,
                              _ out: inout [UInt8]) throws(Failure) {
        while true {
            let symbol = try literal.decode(&reader)
            if symbol < 256 {
                out.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let l = symbol - 257
                guard l < 29 else { throw Failure(message: "invalid length symbol") }
                let length = lengthBase[l] + (try reader.bits(lengthExtra[l]))
                let d = try distance.decode(&reader)
                guard d < 30 else { throw Failure(message: "invalid distance symbol") }
                let dist = distanceBase[d] + (try reader.bits(distanceExtra[d]))
                guard dist <= out.count else { throw Failure(message: "distance reaches before the start") }
                let start = out.count - dist
                for k in 0..<length { out.append(out[start + k]) }
            }
        }
    }
}
