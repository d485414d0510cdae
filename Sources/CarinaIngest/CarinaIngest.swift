/// MIMIC-CXR dump sources and the ingest pipeline from DICOM and report to MDS records.
public enum CarinaIngestModule {
    /// The module's name, as it appears in error messages.
    public static let name = "CarinaIngest"
}
