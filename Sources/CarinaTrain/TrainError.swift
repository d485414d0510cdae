import CarinaCore

/// What kind of failure the trainer met.
public enum TrainErrorCode: String, ErrorCode {
    /// A model configuration that cannot be built, or a model that lacks what an objective or command needs.
    case invalidConfig
    /// A training batch of the wrong size or shape for the model or the run.
    case invalidBatch
    /// A checkpoint that is damaged, of another version or of another model.
    case invalidCheckpoint
    /// A file or folder that cannot be read, created or written.
    case io
    /// An option out of its range (a learning rate that is not a finite positive number, …).
    case invalidOption
    /// Training produced a non-finite loss, gradient or parameter: the run stops, no checkpoint of it is written.
    case diverged

    public static let domain = "train"
}

/// Errors of the trainer: each says what is wrong and where.
public typealias TrainError = ModuleError<TrainErrorCode>

extension ModuleError where Kind == TrainErrorCode {
    /// A configuration that cannot be built (`invalid model configuration: …`).
    public static func invalidConfig(_ message: String) -> Self { Self(.invalidConfig, "invalid model configuration: \(message)") }
    /// A batch that does not fit the model or the run (`invalid training batch: …`).
    public static func invalidBatch(_ message: String) -> Self { Self(.invalidBatch, "invalid training batch: \(message)") }
    /// A checkpoint that cannot be used (`invalid checkpoint: …`).
    public static func invalidCheckpoint(_ message: String) -> Self { Self(.invalidCheckpoint, "invalid checkpoint: \(message)") }
    /// A file or folder that cannot be read or written; `message` names it.
    public static func io(_ message: String) -> Self { Self(.io, message) }
    /// An option out of its range; `message` names the option, its value and its range.
    public static func invalidOption(_ message: String) -> Self { Self(.invalidOption, message) }
    /// A non-finite loss, gradient or parameter; `message` says where.
    public static func diverged(_ message: String) -> Self { Self(.diverged, message) }
}
