/// Errors of the trainer: each says what is wrong and where.
public enum TrainError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(String)
    case invalidBatch(String)
    case invalidCheckpoint(String)
    case io(String)
    /// An option out of its range (a learning rate that is not a finite positive number, …).
    case invalidOption(String)
    /// Training produced a non-finite loss, gradient or parameter: the run stops, no checkpoint of it is written.
    case diverged(String)

    public var description: String {
        switch self {
        case .invalidConfig(let m): "invalid model configuration: \(m)"
        case .invalidBatch(let m): "invalid training batch: \(m)"
        case .invalidCheckpoint(let m): "invalid checkpoint: \(m)"
        case .io(let m): m
        case .invalidOption(let m): m
        case .diverged(let m): m
        }
    }
}
