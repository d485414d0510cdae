import CarinaCore
import CarinaDICOM
import CarinaTestSupport
import Foundation
import Testing

/// A mutation loop over real files: every mutant must either decode to an image of its declared size or throw one
/// `DicomError`; a crash fails the run. `CARINA_FUZZ_ITERATIONS` sets the count (default 300; `Scripts/dicom-fuzz.sh`
/// runs many more in release mode and prints the tally).
@Suite struct FuzzTests {
    static let seeds = [
        "syntax-small/MR_small.dcm", "syntax-small/MR_small_RLE.dcm", "syntax-small/MR_small_bigendian.dcm",
        "syntax-small/MR_small_implicit.dcm", "syntax-small/MR_small_jp2klossless.dcm",
        "syntax-small/MR_small_jpeg_ls_lossless.dcm", "syntax-small/emri_small_RLE.dcm", "syntax-small/image_dfl.dcm",
        "syntax-small/JPEGBaseline_1s_1f_u_08_08.dcm", "syntax-small/JPEGLSNearLossless_16.dcm",
        "syntax-small/CT_small.dcm", "radiograph-other/CR_cspine_16x16_MONOCHROME1_dicomdir_6154.dcm",
        "syntax-small/JPGExtended.dcm",
    ]

    /// Mutates a copy of `input` by 1 to 4 edits drawn from `g` (seeded, so every run tries the same mutants).
    static func mutate(_ input: [UInt8], _ g: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + g.below(4)) {
            guard !bytes.isEmpty else { break }
            let at = g.below(bytes.count)
            switch g.below(7) {
            case 0: bytes[at] ^= UInt8(1 << g.below(8))                         // flip a bit
            case 1: bytes[at] = [0x00, 0xFF, 0x7F, 0x80][g.below(4)]            // an interesting byte
            case 2:                                                              // an absurd 32-bit length
                let value = [UInt32.max, 0xFFFF_FFF0, 0x7FFF_FFFF, 0x0001_0000, 0][g.below(5)]
                for i in 0..<4 where at + i < bytes.count { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
            case 3: bytes.removeSubrange(at..<min(bytes.count, at + 1 + g.below(64)))  // delete a run
            case 4: bytes = Array(bytes.prefix(at))                              // truncate
            case 5:                                                              // duplicate a run
                let run = Array(bytes[at..<min(bytes.count, at + 1 + g.below(32))])
                bytes.insert(contentsOf: run, at: g.below(bytes.count))
            default: bytes[at] = UInt8(truncatingIfNeeded: g.next())            // a random byte
            }
        }
        return bytes
    }

    @Test func mutantsDecodeOrFailCleanly() throws {
        let iterations = Int(ProcessInfo.processInfo.environment["CARINA_FUZZ_ITERATIONS"] ?? "") ?? 300
        let inputs = try Self.seeds.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: SharedData.path("dicom/" + $0)))) }
        let dir = try TemporaryDirectory("carina-fuzz")
        var g = SplitMix64(seed: UInt64(ProcessInfo.processInfo.environment["CARINA_FUZZ_SEED"] ?? "") ?? 1)
        var decoded = 0
        var errors: [DicomError.Code: Int] = [:]
        for i in 0..<iterations {
            let mutant = Self.mutate(inputs[g.below(inputs.count)], &g)
            let path = dir.file("m\(i % 8).dcm")
            try Data(mutant).write(to: URL(fileURLWithPath: path))
            do {
                let transform = PixelTransform.allCases[i % 3]
                let (image, metadata) = try DicomRenderer.decode(path: path, transform: transform, frame: 0)
                #expect(image.width == metadata.columns && image.height == metadata.rows)
                #expect(image.pixels.allSatisfy { $0 <= image.maxValue })
                decoded += 1
            } catch {
                errors[error.code, default: 0] += 1
                #expect(!error.message.isEmpty)
            }
        }
        let tally = errors.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }
        print("fuzz: \(iterations) mutants, \(decoded) decoded, errors: \(tally.joined(separator: ", "))")
        #expect(decoded + errors.values.reduce(0, +) == iterations)
    }
}
