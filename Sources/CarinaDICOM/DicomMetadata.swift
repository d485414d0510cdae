/// What Carina keeps about a DICOM image besides its pixels (ARCHITECTURE.md: `CarinaDICOM`; the README's dicom section), read from the header only.
public struct DicomMetadata: Codable, Sendable, Equatable {
    public var rows: Int
    public var columns: Int
    /// Pixel Spacing (0028,0030) in mm, row then column; Imager Pixel Spacing (0018,1164) when it is absent.
    public var pixelSpacing: [Double]?
    public var bitsAllocated: Int
    public var bitsStored: Int
    public var highBit: Int
    /// 0 unsigned, 1 two's complement.
    public var pixelRepresentation: Int
    public var samplesPerPixel: Int
    public var photometricInterpretation: String
    public var transferSyntaxUID: String
    public var transferSyntaxName: String
    public var numberOfFrames: Int
    public var modality: String?
    public var viewPosition: String?
    public var studyDate: String?
    public var studyTime: String?
    public var manufacturer: String?
    public var sopClassUID: String?
    public var sopInstanceUID: String?
    public var studyInstanceUID: String?
    public var seriesInstanceUID: String?
    public var patientID: String?
    public var rescaleSlope: Double?
    public var rescaleIntercept: Double?
    /// A Modality LUT Sequence (0028,3000) replaces rescale slope/intercept.
    public var hasModalityLUT: Bool
    /// A VOI LUT Sequence (0028,3010) is what the `window` transform applies first.
    public var hasVOILUT: Bool
    /// The first Window Center (0028,1050), if any.
    public var windowCenter: Double?
    /// The first Window Width (0028,1051), if any.
    public var windowWidth: Double?
    /// VOI LUT Function (0028,1056): LINEAR (default), LINEAR_EXACT or SIGMOID.
    public var voiLUTFunction: String?
    /// How the `raw` transform stores modality-LUT values in 16 bits: `out = round((value + rawValueOffset) ×
    /// rawValueScale)`. When the declared range fits (the usual case) the scale is 1 and the offset is 0, or the
    /// constant that lifts negative values to 0.
    public var rawValueOffset: Double
    /// 1 when the raw output is exact; otherwise the factor that squeezes a wider or fractional range into 16 bits.
    public var rawValueScale: Double
    /// True when raw output values are the modality values themselves (plus the offset); false when fractional
    /// values (a non-integer slope or intercept) were rounded to the nearest integer, or a range was scaled.
    public var rawValueExact: Bool
    /// The declared range of the raw output, `[low, high]`; MONOCHROME1 is reflected within it (`low + high - v`).
    public var rawValueRange: [Int]

    /// True for MONOCHROME1 (bright = low values), which Carina inverts exactly once.
    public var isMonochrome1: Bool { photometricInterpretation == "MONOCHROME1" }
}
