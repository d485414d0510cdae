/// RadGraph-shaped entity graphs and CheXpert-14 labels from report sections, from a curated lexicon.
public enum CarinaGraphModule {
    /// The module's name, as it appears in error messages.
    public static let name = "CarinaGraph"
}
