/// DICOM decoding through DCMTK and OpenJPEG, pixel semantics, the raw/window/mimic-jpg transforms, and metadata.
public enum CarinaDICOMModule {
    /// The module's name, as it appears in error messages.
    public static let name = "CarinaDICOM"
}
