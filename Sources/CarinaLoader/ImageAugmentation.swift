import CarinaCore
/// Per-sample image work of the loader: crop, resize to the model's size, intensity jitter and normalisation.
///
/// Never a horizontal flip: laterality matters in a chest film (a flipped heart is a different diagnosis).
public struct ImageAugmentation: Sendable {
    /// Output side length (the model's input is `size × size`).
    public var size: Int
    /// Random resized crop: area fraction range and aspect-ratio range (torchvision's RandomResizedCrop rule).
    public var randomCrop: Bool
    public var cropScale: ClosedRange<Float> = 0.5...1.0
    public var cropRatio: ClosedRange<Float> = 0.75...(4.0 / 3.0)
    /// Multiplicative contrast and additive brightness jitter (0 = off), drawn per sample.
    public var contrastJitter: Float
    public var brightnessJitter: Float
    /// Normalisation applied after scaling pixels to [0, 1]: `(x - mean) / std`.
    public var mean: Float = 0.4978
    public var std: Float = 0.2449

    public init(size: Int = 224, randomCrop: Bool = true, contrastJitter: Float = 0.1, brightnessJitter: Float = 0.05) {
        self.size = size
        self.randomCrop = randomCrop
        self.contrastJitter = contrastJitter
        self.brightnessJitter = brightnessJitter
    }

    /// No randomness: the whole image resized to `size × size` and normalised (evaluation).
    public static func evaluation(size: Int = 224) -> ImageAugmentation {
        ImageAugmentation(size: size, randomCrop: false, contrastJitter: 0, brightnessJitter: 0)
    }

    /// Writes the `size × size` normalised image into `output` (row-major).
    ///
    /// - Parameters:
    ///   - pixels: stored grey values, row-major, `width × height`.
    ///   - maxValue: the value that maps to 1 (255 for 8-bit images; for 16-bit ones the top of the declared raw
    ///     range, see `WhiteLevel`).
    public func apply(pixels: [UInt16], width: Int, height: Int, maxValue: Float,
                      rng: inout SplitMix64, into output: inout ArraySlice<Float>) {
        precondition(output.count == size * size, "output must hold size × size values")
        var crop = (x: 0.0 as Float, y: 0.0 as Float, w: Float(width), h: Float(height))
        if randomCrop { crop = randomCropBox(width: width, height: height, rng: &rng) }
        let horizontal = ResampleTaps(inStart: crop.x, inLength: crop.w, inSize: width, outSize: size)
        let vertical = ResampleTaps(inStart: crop.y, inLength: crop.h, inSize: height, outSize: size)

        // Horizontal pass over the rows the vertical pass needs, then the vertical pass.
        let rowLow = vertical.first.min() ?? 0
        let rowHigh = zip(vertical.first, vertical.count).map { $0 + $1 }.max() ?? 0
        var temp = [Float](repeating: 0, count: max(0, rowHigh - rowLow) * size)
        for row in rowLow..<rowHigh {
            let base = row * width
            let tbase = (row - rowLow) * size
            for x in 0..<size {
                let first = horizontal.first[x], offset = horizontal.offset[x]
                var sum: Float = 0
                for k in 0..<horizontal.count[x] { sum += horizontal.weights[offset + k] * Float(pixels[base + first + k]) }
                temp[tbase + x] = sum
            }
        }
        let contrast = 1 + contrastJitter * (2 * rng.nextUnit() - 1)
        let brightness = brightnessJitter * (2 * rng.nextUnit() - 1)
        let scale = contrast / maxValue / std
        let shift = (brightness + 0.5 * (1 - contrast) - mean) / std
        let start = output.startIndex
        var row = [Float](repeating: 0, count: size)
        for y in 0..<size {
            for x in 0..<size { row[x] = 0 }
            let first = vertical.first[y], offset = vertical.offset[y]
            for k in 0..<vertical.count[y] {
                let w = vertical.weights[offset + k]
                let tbase = (first + k - rowLow) * size
                for x in 0..<size { row[x] += w * temp[tbase + x] }
            }
            for x in 0..<size { output[start + y * size + x] = row[x] * scale + shift }
        }
    }

    func randomCropBox(width: Int, height: Int, rng: inout SplitMix64) -> (x: Float, y: Float, w: Float, h: Float) {
        let area = Float(width * height)
        let logLow = logf(cropRatio.lowerBound), logHigh = logf(cropRatio.upperBound)
        for _ in 0..<10 {
            let target = area * (cropScale.lowerBound + (cropScale.upperBound - cropScale.lowerBound) * rng.nextUnit())
            let ratio = expf(logLow + (logHigh - logLow) * rng.nextUnit())
            let w = (target * ratio).squareRoot().rounded()
            let h = (target / ratio).squareRoot().rounded()
            if w > 0, h > 0, w <= Float(width), h <= Float(height) {
                let x = (Float(width) - w + 1) * rng.nextUnit()
                let y = (Float(height) - h + 1) * rng.nextUnit()
                return (x.rounded(.down), y.rounded(.down), w, h)
            }
        }
        let side = Float(min(width, height))
        return ((Float(width) - side) / 2, (Float(height) - side) / 2, side, side)
    }
}

/// Antialiased linear resampling taps (a triangle filter widened by the downscale factor, as PIL and torchvision's
/// `antialias=True` do) for `outSize` outputs over `[inStart, inStart + inLength)`, in flat arrays: output `o` reads
/// inputs `first[o] ..< first[o] + count[o]` with weights `weights[offset[o] ..< offset[o] + count[o]]`.
struct ResampleTaps {
    var first: [Int] = []
    var count: [Int] = []
    var offset: [Int] = []
    var weights: [Float] = []

    init(inStart: Float, inLength: Float, inSize: Int, outSize: Int) {
        let scale = inLength / Float(outSize)
        let support = max(scale, 1)
        first.reserveCapacity(outSize)
        count.reserveCapacity(outSize)
        offset.reserveCapacity(outSize)
        for o in 0..<outSize {
            let center = inStart + (Float(o) + 0.5) * scale
            let low = min(max(Int((center - support).rounded(.down)), 0), inSize - 1)
            let high = max(min(Int((center + support).rounded(.up)), inSize), low + 1)
            var total: Float = 0
            let begin = weights.count
            for i in low..<high {
                let w = max(0, 1 - abs((Float(i) + 0.5 - center) / support))
                weights.append(w)
                total += w
            }
            if total == 0 {
                // the window fell between samples: take the nearest input
                weights.removeSubrange(begin...)
                weights.append(1)
                first.append(min(max(Int(center), 0), inSize - 1))
                count.append(1)
            } else {
                for k in begin..<weights.count { weights[k] /= total }
                first.append(low)
                count.append(high - low)
            }
            offset.append(begin)
        }
    }
}

import Foundation
