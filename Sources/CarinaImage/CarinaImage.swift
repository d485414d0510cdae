/// Grey-level image buffers, area-averaging resize, and PNG/JPEG encode and decode (libpng, libjpeg-turbo).
public enum CarinaImageModule {
    /// The module's name, as it appears in error messages.
    public static let name = "CarinaImage"
}
