/// Synthetic MIMIC-CXR-shaped dumps: phantom chest DICOMs drawn from their reports, the reports and the CSVs.
public enum CarinaSynthModule {
    /// The module's name, as it appears in error messages.
    public static let name = "CarinaSynth"
}
