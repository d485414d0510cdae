import Foundation

/// The VOI stage of the `window` transform (DICOM PS3.3 C.11.2): a VOI LUT, a window, or min–max.
struct Window {
    enum Kind {
        case lut(LookupTable)
        case linear(center: Double, width: Double)
        case linearExact(center: Double, width: Double)
        case sigmoid(center: Double, width: Double)
        case minMax(low: Double, high: Double)
    }

    let kind: Kind

    init(metadata: DicomMetadata, voiLUT: LookupTable?, mapping: RawMapping, stored: StoredValues, histogram: [Int]?) {
        let function = (metadata.voiLUTFunction ?? "LINEAR").uppercased()
        if let voiLUT {
            kind = .lut(voiLUT)
        } else if !Window.usesMinMax(metadata: metadata), let c = metadata.windowCenter, let w = metadata.windowWidth {
            switch function {
            case "LINEAR_EXACT": kind = .linearExact(center: c, width: w)
            case "SIGMOID": kind = .sigmoid(center: c, width: w)
            default: kind = .linear(center: c, width: w)
            }
        } else {
            let present = TransformTable.presentPatterns(histogram ?? [])
            let values = present.map { mapping.modality.apply(stored.value($0)) }
            kind = .minMax(low: values.min() ?? 0, high: values.max() ?? 0)
        }
    }

    /// Whether the header gives no usable VOI LUT or window, so the window falls back to min–max of the frame.
    static func usesMinMax(metadata: DicomMetadata) -> Bool {
        if metadata.hasVOILUT { return false }
        guard metadata.windowCenter != nil, let w = metadata.windowWidth else { return true }
        let function = (metadata.voiLUTFunction ?? "LINEAR").uppercased()
        return function == "LINEAR_EXACT" || function == "SIGMOID" ? !(w > 0) : !(w >= 1)
    }

    /// The output, 0...top, for a modality value.
    func apply(_ x: Double, top: Double) -> Double {
        let y: Double
        switch kind {
        case .lut(let table):
            let entry = Double(table(Int(x.rounded(.down))))
            y = entry / Double((1 << table.bits) - 1) * top
        case .linear(let c, let w):
            if x <= c - 0.5 - (w - 1) / 2 { y = 0 } else if x > c - 0.5 + (w - 1) / 2 { y = top } else {
                y = ((x - (c - 0.5)) / (w - 1) + 0.5) * top
            }
        case .linearExact(let c, let w):
            if x <= c - w / 2 { y = 0 } else if x > c + w / 2 { y = top } else { y = ((x - c) / w + 0.5) * top }
        case .sigmoid(let c, let w):
            y = top / (1 + exp(-4 * (x - c) / w))
        case .minMax(let lo, let hi):
            y = hi > lo ? (x - lo) / (hi - lo) * top : 0
        }
        return min(max(y.rounded(), 0), top)
    }
}
