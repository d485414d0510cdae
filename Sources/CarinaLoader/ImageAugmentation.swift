import CarinaCore
/// Per-sample image work of the loader: crop, resize to the model's size, intensity jitter and normalization.
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
    /// Normalization applied after scaling pixels to [0, 1]: `(x - mean) / std`.
    public var mean: Float = 0.4978
    public var std: Float = 0.2449

    public init(size: Int = 224, randomCrop: Bool = true, contrastJitter: Float = 0.1, brightnessJitter: Float = 0.05) {
        self.size = size
        self.randomCrop = randomCrop
        self.contrastJitter = contrastJitter
        self.brightnessJitter = brightnessJitter
    }

    /// No randomness: the whole image resized to `size × size` and normalized (evaluation).
    public static func evaluation(size: Int = 224) -> ImageAugmentation {
        ImageAugmentation(size: size, randomCrop: false, contrastJitter: 0, brightnessJitter: 0)
    }

    /// Writes the `size × size` normalized image into `output` (row-major): ``plan(width:height:rng:)`` then
    /// ``render(_:pixels:maxValue:into:)``.
    ///
    /// - Parameters:
    ///   - pixels: stored gray values, row-major, `width × height`.
    ///   - maxValue: the value that maps to 1 (255 for 8-bit images; for 16-bit ones the top of the declared raw
    ///     range, see `WhiteLevel`).
    public func apply(pixels: [UInt16], width: Int, height: Int, maxValue: Float,
                      rng: inout SplitMix64, into output: inout ArraySlice<Float>) {
        precondition(output.count == size * size, "output must hold size × size values")
        precondition(pixels.count == width * height, "pixels must hold width × height values")
        let plan = plan(width: width, height: height, rng: &rng)
        unsafe pixels.withUnsafeBufferPointer { source in
            unsafe output.withUnsafeMutableBufferPointer { target in
                unsafe render(plan, pixels: source, maxValue: maxValue, into: target)
            }
        }
    }

    /// Draws one sample's crop and intensity jitter for a `width × height` image (always the same draws, in the same
    /// order, from `rng`) before any pixel is read, so a decoder can stop after the last row the crop needs
    /// (``AugmentationPlan/rowHigh``).
    public func plan(width: Int, height: Int, rng: inout SplitMix64) -> AugmentationPlan {
        var crop = (x: 0.0 as Float, y: 0.0 as Float, w: Float(width), h: Float(height))
        if randomCrop { crop = randomCropBox(width: width, height: height, rng: &rng) }
        let horizontal = ResampleTaps(inStart: crop.x, inLength: crop.w, inSize: width, outSize: size)
        let vertical = ResampleTaps(inStart: crop.y, inLength: crop.h, inSize: height, outSize: size)
        let contrast = 1 + contrastJitter * (2 * rng.nextUnit() - 1)
        let brightness = brightnessJitter * (2 * rng.nextUnit() - 1)
        return AugmentationPlan(width: width, height: height, horizontal: horizontal, vertical: vertical,
                                contrast: contrast, brightness: brightness, crop: crop)
    }

    /// The same crop and intensity jitter as `plan`, rendered at `scale ×` the output size (MRM's higher-resolution
    /// reconstruction target): the augmentation to render it with and its plan. Draws nothing.
    public func scaled(_ plan: AugmentationPlan, by scale: Int) -> (augmentation: ImageAugmentation, plan: AugmentationPlan) {
        precondition(scale >= 1, "the scale must be at least 1")
        var big = self
        big.size = size * scale
        let c = plan.crop
        let horizontal = ResampleTaps(inStart: c.x, inLength: c.w, inSize: plan.width, outSize: big.size)
        let vertical = ResampleTaps(inStart: c.y, inLength: c.h, inSize: plan.height, outSize: big.size)
        return (big, AugmentationPlan(width: plan.width, height: plan.height, horizontal: horizontal, vertical: vertical,
                                      contrast: plan.contrast, brightness: plan.brightness, crop: c))
    }

    /// Resamples, jitters and normalizes the image of `plan` into `output` (`size × size`, row-major).
    ///
    /// - Parameters:
    ///   - pixels: the image's rows `0 ..< plan.rowHigh` at least (`width` values each, row-major); rows below are
    ///     never read.
    ///   - maxValue: the value that maps to 1 (255 for 8-bit images; for 16-bit ones the top of the declared raw
    ///     range, see `WhiteLevel`).
    public func render(_ plan: AugmentationPlan, pixels: UnsafeBufferPointer<UInt16>, maxValue: Float,
                       into output: UnsafeMutableBufferPointer<Float>) {
        precondition(output.count == size * size, "output must hold size × size values")
        precondition(pixels.count >= plan.rowHigh * plan.width, "pixels must hold the rows the plan reads")
        let size = self.size, width = plan.width
        let horizontal = plan.horizontal, vertical = plan.vertical
        let columnLow = plan.columnLow, columns = plan.columnHigh - plan.columnLow
        let taps = horizontal.count.max() ?? 1
        // Horizontal weights padded to `taps` per output (zeros after an output's own taps, reading zeros past the
        // last column), so every output runs the same short loop.
        var weights = [Float](repeating: 0, count: size * taps)
        for x in 0..<size {
            for k in 0..<horizontal.count[x] { weights[x * taps + k] = horizontal.weights[horizontal.offset[x] + k] }
        }
        let scale = plan.contrast / maxValue / std
        let shift = (plan.brightness + 0.5 * (1 - plan.contrast) - mean) / std

        // Vertical pass first, on whole rows of the crop's columns (contiguous, so it vectorises), then the
        // horizontal pass on the `size` rows that remain.
        var line = [Float](repeating: 0, count: columns + taps)
        unsafe line.withUnsafeMutableBufferPointer { line in
            unsafe weights.withUnsafeBufferPointer { weights in
                unsafe horizontal.first.withUnsafeBufferPointer { first in
                    for y in 0..<size {
                        for i in 0..<columns { unsafe line[i] = 0 }
                        let top = vertical.first[y], offset = vertical.offset[y]
                        for k in 0..<vertical.count[y] {
                            let w = vertical.weights[offset + k]
                            let source = unsafe pixels.baseAddress! + (top + k) * width + columnLow
                            for i in 0..<columns { unsafe line[i] += w * Float(source[i]) }
                        }
                        let target = unsafe output.baseAddress! + y * size
                        for x in 0..<size {
                            let from = unsafe line.baseAddress! + (first[x] - columnLow)
                            let w = unsafe weights.baseAddress! + x * taps
                            var sum: Float = 0
                            for k in 0..<taps { unsafe sum += w[k] * from[k] }
                            unsafe target[x] = sum * scale + shift
                        }
                    }
                }
            }
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
