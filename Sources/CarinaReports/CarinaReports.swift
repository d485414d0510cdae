/// Radiology report sections: the MIT-LCP-compatible mimic mode, the clean mode, sentences and offsets.
public enum CarinaReportsModule {
    /// The module's name, as it appears in error messages.
    public static let name = "CarinaReports"
}
