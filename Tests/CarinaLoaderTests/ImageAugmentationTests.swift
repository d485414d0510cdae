import CarinaCore
import Testing
@testable import CarinaLoader

@Suite struct ImageAugmentationTests {
    /// The random resized crop keeps at least `cropScale.lowerBound` of the image's area (up to the rounding of its
    /// sides) and spans the range: what `carina train --crop-scale` relies on.
    @Test func randomCropKeepsAtLeastTheSmallestAreaFraction() {
        for low: Float in [0.5, 0.8] {
            var augmentation = ImageAugmentation(size: 64)
            augmentation.cropScale = low...1
            var rng = SplitMix64(seed: 7, stream: 0, index: 0)
            var smallest: Float = 1
            for _ in 0..<2000 {
                let box = augmentation.randomCropBox(width: 512, height: 512, rng: &rng)
                #expect(box.x >= 0 && box.y >= 0 && box.x + box.w <= 512 && box.y + box.h <= 512)
                smallest = min(smallest, box.w * box.h / (512 * 512))
            }
            #expect(smallest >= low - 0.01)
            #expect(smallest < low + 0.05)
        }
    }

    /// Without the random crop every sample reads the whole image, as evaluation does.
    @Test func noRandomCropReadsTheWholeImage() {
        let augmentation = ImageAugmentation(size: 64, randomCrop: false)
        var rng = SplitMix64(seed: 7, stream: 0, index: 0)
        for _ in 0..<10 {
            let plan = augmentation.plan(width: 300, height: 200, rng: &rng)
            #expect(plan.rowLow == 0 && plan.rowHigh == 200)
            #expect(plan.columnLow == 0 && plan.columnHigh == 300)
        }
    }
}
