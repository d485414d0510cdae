/// One sample's augmentation, drawn before its pixels are read (``ImageAugmentation/plan(width:height:rng:)``): the
/// crop's resampling taps, the rows and columns of the source they read, and the intensity jitter.
public struct AugmentationPlan: Sendable {
    /// The source image's size.
    public let width: Int
    public let height: Int
    let horizontal: ResampleTaps
    let vertical: ResampleTaps
    let contrast: Float
    let brightness: Float
    /// The crop box in source pixels (the whole image without a random crop).
    let crop: (x: Float, y: Float, w: Float, h: Float)
    /// The source rows the output reads: `rowLow ..< rowHigh` (a decoder may stop after row `rowHigh - 1`).
    public let rowLow: Int
    public let rowHigh: Int
    /// The source columns the output reads: `columnLow ..< columnHigh`.
    let columnLow: Int
    let columnHigh: Int

    init(width: Int, height: Int, horizontal: ResampleTaps, vertical: ResampleTaps, contrast: Float, brightness: Float,
         crop: (x: Float, y: Float, w: Float, h: Float)) {
        self.crop = crop
        self.width = width
        self.height = height
        self.horizontal = horizontal
        self.vertical = vertical
        self.contrast = contrast
        self.brightness = brightness
        rowLow = vertical.first.min() ?? 0
        rowHigh = zip(vertical.first, vertical.count).map { $0 + $1 }.max() ?? 0
        columnLow = horizontal.first.min() ?? 0
        columnHigh = zip(horizontal.first, horizontal.count).map { $0 + $1 }.max() ?? 0
    }
}
