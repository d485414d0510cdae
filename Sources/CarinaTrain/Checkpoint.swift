import CarinaCore
import CarinaShards
import Foundation

/// A training checkpoint: model configuration, parameters, AdamW moments, step, and the batch source's opaque state.
///
/// File layout (version 2, all integers little-endian):
///
/// | offset | width | field |
/// | --- | --- | --- |
/// | 0 | 8 | magic `CARINACK` |
/// | 8 | 4 | version (`UInt32`, 2) |
/// | 12 | 4 | header size (`UInt32`, 64) |
/// | 16 | 8 | step: updates applied so far (`UInt64`) |
/// | 24 | 8 | parameter count `n` (`UInt64`) |
/// | 32 | 8 | configuration JSON byte count `c` (`UInt64`) |
/// | 40 | 8 | loader state byte count `s` (`UInt64`) |
/// | 48 | 4 | CRC-32C of the whole file with these 4 bytes zero (`UInt32`; version 2) |
/// | 52 | 12 | reserved, zero |
/// | 64 | `c` | `ModelConfig` as JSON (UTF-8) |
/// | 64+c | `4n` ×3 | parameters, AdamW first moments, second moments (Float32, LE) in arena order (the parameters' slab ends with the buffers, BatchNorm running statistics, whose moments are 0) |
/// | 64+c+12n | `s` | loader state |
///
/// The file size must equal `64 + c + 12n + s`; the parameter count must match the configuration's; the CRC-32C must
/// match (a flipped bit anywhere is refused) and every parameter must be finite. Version 1 files (no CRC) are read.
public struct Checkpoint: Sendable, Equatable {
    public static let magic: [UInt8] = Array("CARINACK".utf8)
    public static let version: UInt32 = 2
    /// Where the CRC-32C lies in the header.
    static let checksumOffset = 48
    public static let headerSize = 64

    public var config: ModelConfig
    public var step: Int
    public var parameters: [Float]
    public var firstMoment: [Float]
    public var secondMoment: [Float]
    public var loaderState: [UInt8]

    public init(config: ModelConfig, step: Int, parameters: [Float], firstMoment: [Float], secondMoment: [Float],
                loaderState: [UInt8]) {
        self.config = config
        self.step = step
        self.parameters = parameters
        self.firstMoment = firstMoment
        self.secondMoment = secondMoment
        self.loaderState = loaderState
    }

    /// The file's bytes.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(config)
        var d = Data()
        d.reserveCapacity(Self.headerSize + json.count + 12 * parameters.count + loaderState.count)
        d.append(contentsOf: Self.magic)
        Self.put(UInt32(Self.version), &d)
        Self.put(UInt32(Self.headerSize), &d)
        Self.put(UInt64(step), &d)
        Self.put(UInt64(parameters.count), &d)
        Self.put(UInt64(json.count), &d)
        Self.put(UInt64(loaderState.count), &d)
        d.append(contentsOf: [UInt8](repeating: 0, count: 16))
        d.append(json)
        for slab in [parameters, firstMoment, secondMoment] {
            unsafe slab.withUnsafeBufferPointer { bp in
                // Float32 little-endian: this machine's layout (x86-64, arm64).
                unsafe d.append(UnsafeBufferPointer(start: UnsafeRawPointer(bp.baseAddress!).assumingMemoryBound(to: UInt8.self),
                                                    count: bp.count * 4))
            }
        }
        d.append(contentsOf: loaderState)
        let crc = CRC32C.checksum([UInt8](d))
        for k in 0..<4 { d[Self.checksumOffset + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
        return d
    }

    /// Parses and checks a checkpoint's bytes; `source` names the file in errors.
    public static func decode(_ d: Data, source: String) throws -> Checkpoint {
        func fail(_ m: String) -> TrainError { .invalidCheckpoint("\(source): \(m)") }
        let bytes = [UInt8](d)
        guard bytes.count >= headerSize else { throw fail("\(bytes.count) bytes, shorter than the \(headerSize)-byte header") }
        guard Array(bytes[0..<8]) == magic else { throw fail("not a Carina checkpoint (bad magic)") }
        let version = get32(bytes, 8)
        guard version == 1 || version == Self.version else {
            throw fail("version \(version); this Carina reads versions 1 and \(Self.version)")
        }
        if version >= 2 {
            let stored = get32(bytes, checksumOffset)
            var crc = CRC32C.update(0, bytes[0..<checksumOffset])
            crc = CRC32C.update(crc, [UInt8](repeating: 0, count: 4)[...])
            crc = CRC32C.update(crc, bytes[(checksumOffset + 4)...])
            guard crc == stored else {
                throw fail("its bytes do not match the CRC-32C in its header: the file is corrupt; use an earlier "
                    + "checkpoint or train again")
            }
        }
        guard get32(bytes, 12) == UInt32(headerSize) else { throw fail("header size \(get32(bytes, 12)), expected \(headerSize)") }
        let step = get64(bytes, 16), n = get64(bytes, 24), c = get64(bytes, 32), s = get64(bytes, 40)
        guard n < 1 << 40, c < 1 << 32, s < 1 << 40 else { throw fail("implausible sizes in the header") }
        let expected = UInt64(headerSize) + c + 12 * n + s
        guard expected == UInt64(bytes.count) else {
            throw fail("header says \(expected) bytes (config \(c), \(n) parameters, loader state \(s)) but the file has \(bytes.count)")
        }
        let config: ModelConfig
        do { config = try JSONDecoder().decode(ModelConfig.self, from: Data(bytes[headerSize..<(headerSize + Int(c))])) } catch {
            throw fail("configuration JSON does not parse: \(error)")
        }
        try config.validate()
        let specCount = DualEncoder.arenaCount(config)
        guard specCount == Int(n) else { throw fail("\(n) parameters but model \(config.name) has \(specCount)") }
        var at = headerSize + Int(c)
        func floats() -> [Float] {
            let count = Int(n)
            var out = [Float](repeating: 0, count: count)
            unsafe out.withUnsafeMutableBytes { ob in
                unsafe bytes.withUnsafeBytes { ib in unsafe ob.copyMemory(from: UnsafeRawBufferPointer(rebasing: ib[at..<(at + 4 * count)])) }
            }
            at += 4 * count
            return out
        }
        let p = floats(), m = floats(), v = floats()
        for (name, values) in [("parameter", p), ("first moment", m), ("second moment", v)] {
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw fail("\(name) \(bad) is \(values[bad]): the model diverged or the file is corrupt; use an "
                    + "earlier checkpoint or train again with a lower --lr")
            }
        }
        return Checkpoint(config: config, step: Int(step), parameters: p, firstMoment: m, secondMoment: v,
                          loaderState: Array(bytes[at...]))
    }

    /// Writes atomically (a temporary file renamed into place).
    public func write(to path: String) throws {
        let data = try encoded()
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw TrainError.io("cannot write checkpoint \(path): \(FileErrorText.reason(error))")
        }
    }

    public static func read(from path: String) throws -> Checkpoint {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TrainError.io("cannot read checkpoint \(path): \(FileErrorText.reason(error))")
        }
        return try decode(data, source: path)
    }

    /// `checkpoint-<step, 8 digits>.ckpt`.
    public static func fileName(step: Int) -> String {
        let digits = String(step)
        return "checkpoint-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".ckpt"
    }

    /// The checkpoint with the highest step in `directory`, or nil if it holds none.
    public static func latest(in directory: String) -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        let steps = names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("checkpoint-"), name.hasSuffix(".ckpt"),
                  let s = Int(name.dropFirst("checkpoint-".count).dropLast(".ckpt".count)) else { return nil }
            return (s, name)
        }
        guard let best = steps.max(by: { $0.0 < $1.0 }) else { return nil }
        return URL(fileURLWithPath: directory).appendingPathComponent(best.1).path
    }

    private static func put<T: FixedWidthInteger>(_ v: T, _ d: inout Data) {
        unsafe withUnsafeBytes(of: v.littleEndian) { unsafe d.append(contentsOf: $0) }
    }
    private static func get32(_ b: [UInt8], _ o: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[o + $1]) << (8 * UInt32($1)) }
    }
    private static func get64(_ b: [UInt8], _ o: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[o + $1]) << (8 * UInt64($1)) }
    }
}

extension DualEncoder {
    /// The model a checkpoint holds: its configuration with its parameters (the optimiser state is not needed).
    public convenience init(checkpoint: Checkpoint) throws {
        try self.init(config: checkpoint.config, seed: 0)
        arena.setAll(checkpoint.parameters)
    }
}
