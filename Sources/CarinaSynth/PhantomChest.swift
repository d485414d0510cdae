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

    /// Renders the phantom, row by row, drawing two noise values per pixel from `rng` in row-major order.
    ///
    /// Every shape is an ellipse or a band whose terms depend on the column alone or the row alone, so those terms
    /// (and the diaphragm's cosine) are computed once per column and once per row; the per-pixel work is additions
    /// and comparisons. The arithmetic is the same, operation for operation, as evaluating each shape at each pixel.
    func render(rng: inout SplitMix64) -> [UInt16] {
        var pixels = [UInt16](repeating: 0, count: rows * columns)
        let cardiacRadius = findings.contains(.cardiomegaly) ? (0.19, 0.17) : (0.12, 0.13)
        let columnTerms = (0..<columns).map { ColumnTerms(x: $0, columns: columns, jitter: jitter,
                                                          cardiacRadius: cardiacRadius.0) }
        let has = FindingFlags(findings)
        let top = Double(Self.maxValue)
        unsafe pixels.withUnsafeMutableBufferPointer { out in
        unsafe columnTerms.withUnsafeBufferPointer { terms in
        for y in 0..<rows {
            let v = (Double(y) + 0.5) / Double(rows)
            let pv = (v - 0.5 - jitter.dy) / jitter.scale + 0.5
            let bodyB = Self.square((pv - 0.56) / 0.52)
            let lungB = Self.square((pv - 0.46) / 0.33)
            let heartB = Self.square((pv - 0.63) / cardiacRadius.1)
            let ribRow = pv - 0.12
            let lowerB = (pv - 0.62) * (pv - 0.62)
            let upperB = (pv - 0.30) * (pv - 0.30)
            let lineU = 0.44 - 0.08 * max(0, 0.3 - pv)
            let lineRow = pv > 0.05 && pv < 0.45
            let spineRow = pv > 0.12
            let rowStart = y * columns
            for x in 0..<columns {
                let c = unsafe terms[x]
                let pu = c.pu
                var value = 180.0
                let body = c.bodyA + bodyB
                if body < 1 { value = 1700 + 200 * (1 - body) }
                let rightLung = c.rightA + lungB   // patient's right: image left
                let leftLung = c.leftA + lungB
                let inLung = rightLung < 1 || leftLung < 1
                if inLung {
                    value = 650 + 250 * min(rightLung, leftLung)
                    // ribs: gently curved bands across the lung fields
                    let band = (ribRow + c.ribCurve) / 0.068
                    if band - band.rounded(.down) < 0.28 { value += 230 }
                }
                if has.any {
                    var add = 0.0
                    func blob(_ du2: Double, _ dv2: Double, _ r: Double, _ strength: Double) -> Double {
                        let d = (du2 + dv2) / (r * r)
                        return d < 4 ? strength * exp(-d) : 0
                    }
                    if has.opacityLeftLower && leftLung < 1.1 { add += blob(c.du70, lowerB, 0.07, 850) }
                    if has.opacityRightLower && rightLung < 1.1 { add += blob(c.du30, lowerB, 0.07, 850) }
                    if has.opacityRightUpper && rightLung < 1.1 { add += blob(c.du30, upperB, 0.06, 800) }
                    // effusions: a meniscus that rises towards the lateral chest wall, filling the lung base below it
                    if has.effusionLeft && leftLung < 1 && pv > c.effusionLeftLevel { add += 800 }
                    if has.effusionRight && rightLung < 1 && pv > c.effusionRightLevel { add += 800 }
                    if has.pneumothoraxRight && rightLung < 1 && pv < 0.45 && pu < 0.31 && rightLung > 0.5 {
                        // a lucent apical-lateral crescent without lung markings, bounded by a thin pleural line
                        add += rightLung < 0.56 ? 500 : -380
                    }
                    // a right internal jugular line: from the neck down the right of the mediastinum to the SVC
                    if has.centralLine && abs(pu - lineU) < 0.004 && lineRow { add += 1500 }
                    value += add
                }
                // spine and mediastinum
                if c.spine && spineRow && body < 1 { value = max(value, 2350) }
                let heart = c.heartA + heartB
                if heart < 1 { value = max(value, 2500 + 300 * (1 - heart)) }
                // diaphragm domes and abdomen below them
                if pv > c.dome && body < 1 { value = max(value, 2150) }
                // quantum noise: the sum of two uniforms, about ±40
                value += 40 * (rng.nextUnitDouble() + rng.nextUnitDouble() - 1)
                unsafe out[rowStart + x] = UInt16(max(0, min(top, value)))
            }
        }
        }
        }
        return pixels
    }

    static func square(_ a: Double) -> Double { a * a }

    /// The terms of the phantom's shapes that depend on the column alone (see `render`).
    struct ColumnTerms {
        let pu, bodyA, rightA, leftA, heartA, ribCurve, dome: Double
        let du30, du70, effusionLeftLevel, effusionRightLevel: Double
        let spine: Bool

        init(x: Int, columns: Int, jitter: (dx: Double, dy: Double, scale: Double), cardiacRadius: Double) {
            let u = (Double(x) + 0.5) / Double(columns)
            let pu = (u - 0.5 - jitter.dx) / jitter.scale + 0.5
            self.pu = pu
            bodyA = square((pu - 0.5) / 0.47)
            rightA = square((pu - 0.31) / 0.155)
            leftA = square((pu - 0.69) / 0.155)
            heartA = square((pu - 0.54) / cardiacRadius)
            ribCurve = 0.35 * (pu - 0.5) * (pu - 0.5)
            dome = 0.76 - 0.05 * cos((pu - (pu < 0.5 ? 0.31 : 0.69)) * 9)
            spine = abs(pu - 0.5) < 0.035
            du30 = (pu - 0.30) * (pu - 0.30)
            du70 = (pu - 0.70) * (pu - 0.70)
            effusionLeftLevel = 0.68 - 0.1 * (pu - 0.54) / 0.3
            effusionRightLevel = 0.68 - 0.1 * (0.46 - pu) / 0.3
        }
    }

    /// The study's findings as flags, read once per image rather than looked up per pixel.
    struct FindingFlags {
        let opacityLeftLower: Bool, opacityRightLower: Bool, opacityRightUpper: Bool
        let effusionLeft: Bool, effusionRight: Bool, pneumothoraxRight: Bool, centralLine: Bool
        let any: Bool

        init(_ findings: Set<SynthFinding>) {
            opacityLeftLower = findings.contains(.opacityLeftLower)
            opacityRightLower = findings.contains(.opacityRightLower)
            opacityRightUpper = findings.contains(.opacityRightUpper)
            effusionLeft = findings.contains(.effusionLeft)
            effusionRight = findings.contains(.effusionRight)
            pneumothoraxRight = findings.contains(.pneumothoraxRight)
            centralLine = findings.contains(.centralLine)
            any = opacityLeftLower || opacityRightLower || opacityRightUpper || effusionLeft || effusionRight
                || pneumothoraxRight || centralLine
        }
    }

    /// The normalized elliptical distance of (u, v) from the ellipse centred at (cu, cv): < 1 inside.
    static func ellipse(_ u: Double, _ v: Double, _ cu: Double, _ cv: Double, _ ru: Double, _ rv: Double) -> Double {
        let a = (u - cu) / ru, b = (v - cv) / rv
        return a * a + b * b
    }
}

import Foundation
