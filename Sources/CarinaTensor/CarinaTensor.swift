/// Float32 tensors and kernels over OpenBLAS, each with an explicit forward and backward.
public enum CarinaTensorModule {
    /// The module's name, as it appears in error messages.
    public static let name = "CarinaTensor"
}
