/// IU X-ray (OpenI ecgen-radiology) XML reports read through libxml2.
public enum CarinaOpenIModule {
    /// The module's name, as it appears in error messages.
    public static let name = "CarinaOpenI"
}
