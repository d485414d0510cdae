/// What turns decoded stored values into the pixels Carina keeps (ARCHITECTURE.md: `CarinaDICOM`; the README's dicom section).
///
/// - `raw`: the modality LUT (or rescale slope/intercept) output of every pixel; MONOCHROME1 reflected within the
///   declared range so bone is bright; negative ranges lifted by one constant (see `DicomMetadata.rawValueOffset`).
///   At 8 bits the raw values present are stretched min–max onto 0...255.
/// - `window`: the modality output through the first VOI LUT Sequence item, else the first Window Center/Width (VOI
///   LUT Function LINEAR, LINEAR_EXACT or SIGMOID), else min–max of the values present; then MONOCHROME1 inverted.
/// - `mimicJPG`: how MIMIC-CXR-JPG was made: raw stored values (no LUTs), global min–max to 8 bits with truncation,
///   MONOCHROME1 inverted (`255 - x`), then global histogram equalisation exactly as OpenCV's `equalizeHist`.
public enum PixelTransform: String, CaseIterable, Sendable, Codable {
    case raw
    case window
    case mimicJPG = "mimic-jpg"

    /// The bit depth the transform produces when no output depth is asked for.
    public var naturalBitDepth: Int { self == .mimicJPG ? 8 : 16 }
}
