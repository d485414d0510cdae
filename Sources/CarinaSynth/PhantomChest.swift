import CarinaCore
/// A synthetic frontal chest radiograph: body, lungs, heart, spine, ribs and diaphragm, plus the study's findings,
/// drawn as 12-bit stored values where higher means more attenuation (brighter in MONOCHROME2).
///
/// Positions follow the radiographic convention of a PA film: the patient's left is on the image's right.
struct PhantomChest {
    let rows: Int
    let columns: Int
    let findings: Set<SynthFinding>
    /// Small per-study variation of anatomy (position and size jitter), from the study's generator.
    let jitter: (dx: Double, dy: Double, scale: Double)

    static let maxValue = 4095

    func render(rng: inout SplitMix64) -> [UInt16] {
        var pixels = [UInt16](repeating: 0, count: rows * columns)
        let cardiacRadius = findings.contains(.cardiomegaly) ? (0.19, 0.17) : (0.12, 0.13)
        for y in 0..<rows {
            let v = (Double(y) + 0.5) / Double(rows)
            for x in 0..<columns {
                let u = (Double(x) + 0.5) / Double(columns)
                let pu = (u - 0.5 - jitter.dx) / jitter.scale + 0.5
                let pv = (v - 0.5 - jitter.dy) / jitter.scale + 0.5
                var value = 180.0
                let body = Self.ellipse(pu, pv, 0.5, 0.56, 0.47, 0.52)
                if body < 1 { value = 1700 + 200 * (1 - body) }
                let rightLung = Self.ellipse(pu, pv, 0.31, 0.46, 0.155, 0.33)   // patient's right: image left
                let leftLung = Self.ellipse(pu, pv, 0.69, 0.46, 0.155, 0.33)
                let inLung = rightLung < 1 || leftLung < 1
                if inLung {
                    value = 650 + 250 * min(rightLung, leftLung)
                    // ribs: gently curved bands across the lung fields
                    let band = (pv - 0.12 + 0.35 * (pu - 0.5) * (pu - 0.5)) / 0.068
                    if band - band.rounded(.down) < 0.28 { value += 230 }
                }
                value += findingsValue(pu: pu, pv: pv, inLung: inLung, rightLung: rightLung, leftLung: leftLung)
                // spine and mediastinum
                if abs(pu - 0.5) < 0.035 && pv > 0.12 && body < 1 { value = max(value, 2350) }
                let heart = Self.ellipse(pu, pv, 0.54, 0.63, cardiacRadius.0, cardiacRadius.1)
                if heart < 1 { value = max(value, 2500 + 300 * (1 - heart)) }
                // diaphragm domes and abdomen below them
                let dome = 0.76 - 0.05 * cos((pu - (pu < 0.5 ? 0.31 : 0.69)) * 9)
                if pv > dome && body < 1 { value = max(value, 2150) }
                // quantum noise: the sum of two uniforms, about ±40
                value += 40 * (rng.nextUnitDouble() + rng.nextUnitDouble() - 1)
                pixels[y * columns + x] = UInt16(max(0, min(Double(Self.maxValue), value)))
            }
        }
        return pixels
    }

    private func findingsValue(pu: Double, pv: Double, inLung: Bool, rightLung: Double, leftLung: Double) -> Double {
        var add = 0.0
        func blob(_ cu: Double, _ cv: Double, _ r: Double, _ strength: Double) -> Double {
            let d = ((pu - cu) * (pu - cu) + (pv - cv) * (pv - cv)) / (r * r)
            return d < 4 ? strength * exp(-d) : 0
        }
        if findings.contains(.opacityLeftLower) && leftLung < 1.1 { add += blob(0.70, 0.62, 0.07, 850) }
        if findings.contains(.opacityRightLower) && rightLung < 1.1 { add += blob(0.30, 0.62, 0.07, 850) }
        if findings.contains(.opacityRightUpper) && rightLung < 1.1 { add += blob(0.30, 0.30, 0.06, 800) }
        // effusions: a meniscus that rises towards the lateral chest wall, filling the lung base below it
        if findings.contains(.effusionLeft) && leftLung < 1 && pv > 0.68 - 0.1 * (pu - 0.54) / 0.3 { add += 800 }
        if findings.contains(.effusionRight) && rightLung < 1 && pv > 0.68 - 0.1 * (0.46 - pu) / 0.3 { add += 800 }
        if findings.contains(.pneumothoraxRight) && rightLung < 1 && pv < 0.45 && pu < 0.31 && rightLung > 0.5 {
            // a lucent apical-lateral crescent without lung markings, bounded by a thin pleural line
            add += rightLung < 0.56 ? 500 : -380
        }
        if findings.contains(.centralLine) {
            // a right internal jugular line: from the neck down the right of the mediastinum to the SVC
            let lineU = 0.44 - 0.08 * max(0, 0.3 - pv)
            if abs(pu - lineU) < 0.004 && pv > 0.05 && pv < 0.45 { add += 1500 }
        }
        return add
    }

    /// The normalised elliptical distance of (u, v) from the ellipse centred at (cu, cv): < 1 inside.
    static func ellipse(_ u: Double, _ v: Double, _ cu: Double, _ cv: Double, _ ru: Double, _ rv: Double) -> Double {
        let a = (u - cu) / ru, b = (v - cv) / rv
        return a * a + b * b
    }
}

import Foundation
