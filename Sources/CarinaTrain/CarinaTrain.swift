/// The carina-tiny dual encoder, its losses, AdamW, the training loop, checkpoints and evaluation.
public enum CarinaTrainModule {
    /// The module's name, as it appears in error messages.
    public static let name = "CarinaTrain"
}
