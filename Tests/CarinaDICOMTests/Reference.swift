import CarinaDICOM
import Testing

/// Expected pixels of one file and frame of `../shared/data/dicom`, from pydicom and OpenCV
/// (`Scripts/dicom-reference.py` writes `ReferenceValues.swift`).
struct Reference: Sendable, CustomTestStringConvertible {
    let file: String
    var frame = 0
    var rows = 0
    var columns = 0
    var rawLow = 0
    var rawHigh = 0
    var rawOffset = 0.0
    var rawMean = 0.0
    /// FNV-1a 64 of the raw16 / mimic8 samples (lossless files).
    var rawHash: UInt64? = nil
    var mimicHash: UInt64? = nil
    /// Pixel indices and their expected values (lossy files).
    var samples: [Int] = []
    var rawSamples: [Int] = []
    var mimicSamples: [Int] = []
    /// The error this file must give instead of pixels.
    var error: DicomError.Code? = nil

    /// The geometry and raw statistics every decodable file has.
    private init(file: String, frame: Int, rows: Int, columns: Int, rawLow: Int, rawHigh: Int, rawOffset: Double,
                 rawMean: Double) {
        self.file = file
        self.frame = frame
        self.rows = rows
        self.columns = columns
        self.rawLow = rawLow
        self.rawHigh = rawHigh
        self.rawOffset = rawOffset
        self.rawMean = rawMean
    }

    init(file: String, frame: Int, rows: Int, columns: Int, rawLow: Int, rawHigh: Int, rawOffset: Double,
         rawMean: Double, rawHash: UInt64, mimicHash: UInt64) {
        self.init(file: file, frame: frame, rows: rows, columns: columns, rawLow: rawLow, rawHigh: rawHigh,
                  rawOffset: rawOffset, rawMean: rawMean)
        self.rawHash = rawHash
        self.mimicHash = mimicHash
    }

    init(file: String, frame: Int, rows: Int, columns: Int, rawLow: Int, rawHigh: Int, rawOffset: Double,
         rawMean: Double, samples: [Int], rawSamples: [Int], mimicSamples: [Int]) {
        self.init(file: file, frame: frame, rows: rows, columns: columns, rawLow: rawLow, rawHigh: rawHigh,
                  rawOffset: rawOffset, rawMean: rawMean)
        self.samples = samples
        self.rawSamples = rawSamples
        self.mimicSamples = mimicSamples
    }

    init(file: String, error: DicomError.Code) {
        self.file = file
        self.error = error
    }

    var testDescription: String { error == nil ? "\(file)#\(frame)" : file }
}


/// FNV-1a 64 of samples as little-endian bytes: 2 per sample when `wide`, else 1.
func fnv1a64(_ values: [UInt16], wide: Bool) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for v in values {
        h = (h ^ UInt64(v & 0xFF)) &* 0x100_0000_01B3
        if wide { h = (h ^ UInt64(v >> 8)) &* 0x100_0000_01B3 }
    }
    return h
}
