/// How stored values become modality values (Modality LUT Sequence, or rescale slope/intercept), and how the `raw`
/// transform keeps those in 16 bits.
///
/// The declared range is the modality function applied to the whole stored range (`bitsStored`, signed or not).
/// When it fits in 16 bits after lifting by one constant integer offset (only when it reaches below zero), the output
/// is the modality value itself (exact when slope and intercept are integers, else rounded to the nearest integer);
/// otherwise it is mapped linearly onto 0...65535 and `scale` says by how much.
struct RawMapping: Sendable, Equatable {
    /// Added to the modality value before scaling.
    let offset: Double
    /// 1 when exact.
    let scale: Double
    /// The declared output range; MONOCHROME1 reflects within it.
    let low: Int
    let high: Int
    let exact: Bool
    let modality: ModalityFunction

    init(metadata: DicomMetadata, modalityLUT: LookupTable?) {
        let stored = StoredValues(bitsStored: metadata.bitsStored, signed: metadata.pixelRepresentation == 1)
        var lut = modalityLUT
        if var table = lut, metadata.pixelRepresentation == 1, table.firstMapped > 32767 {
            table.firstMapped -= 65536  // the descriptor's first value follows the pixel representation
            lut = table
        }
        modality = lut.map { .lut($0) }
            ?? .rescale(slope: metadata.rescaleSlope ?? 1, intercept: metadata.rescaleIntercept ?? 0)
        let (lo, hi): (Double, Double)
        switch modality {
        case .lut(let table):
            (lo, hi) = (0, Double((1 << table.bits) - 1))
        case .rescale:
            let a = modality.apply(stored.minimum)
            let b = modality.apply(stored.maximum)
            (lo, hi) = (min(a, b), max(a, b))
        }
        let integral: Bool
        switch modality {
        case .lut: integral = true
        case .rescale(let slope, let intercept): integral = slope == slope.rounded() && intercept == intercept.rounded()
        }
        let lift = lo < 0 ? -lo.rounded(.down) : 0
        if (hi + lift).rounded() <= 65535 {
            offset = lift
            scale = 1
            low = Int((lo + lift).rounded())
            high = Int((hi + lift).rounded())
            exact = integral
        } else {
            offset = -lo
            scale = 65535 / (hi - lo)
            low = 0
            high = 65535
            exact = false
        }
    }

    /// The raw transform's 16-bit output for a modality value.
    func output(_ value: Double, monochrome1: Bool) -> UInt16 {
        let scaled = ((value + offset) * scale).rounded()  // half away from zero; a no-op when exact
        let v = Int(min(max(scaled, Double(low)), Double(high)))
        return UInt16(monochrome1 ? low + high - v : v)
    }
}

/// The modality transform of DICOM PS3.3 C.11.1: a lookup table, or `value × slope + intercept`.
enum ModalityFunction: Sendable, Equatable {
    case lut(LookupTable)
    case rescale(slope: Double, intercept: Double)

    func apply(_ stored: Int) -> Double {
        switch self {
        case .lut(let table): return Double(table(stored))
        case .rescale(let slope, let intercept): return Double(stored) * slope + intercept
        }
    }
}

/// The stored values of a `bitsStored`-bit sample as the shim delivers them (low bits, two's complement kept).
struct StoredValues: Sendable {
    let bitsStored: Int
    let signed: Bool

    /// How many distinct patterns (the size of a table indexed by them).
    var count: Int { 1 << bitsStored }
    var minimum: Int { signed ? -(1 << (bitsStored - 1)) : 0 }
    var maximum: Int { signed ? (1 << (bitsStored - 1)) - 1 : (1 << bitsStored) - 1 }

    /// The value of a stored bit pattern (sign-extended when signed).
    func value(_ pattern: Int) -> Int {
        signed && pattern >= (1 << (bitsStored - 1)) ? pattern - (1 << bitsStored) : pattern
    }
}
