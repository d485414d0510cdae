/// Errors of the trainer: each says what is wrong and where.
public enum TrainError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(String)
    case invalidBatch(String)
    case invalidCheckpoint(String)
    case io(String)

    public var description: String {
        switch self {
        case .invalidConfig(let m): "invalid model configuration: \(m)"
        case .invalidBatch(let m): "invalid training batch: \(m)"
        case .invalidCheckpoint(let m): "invalid checkpoint: \(m)"
        case .io(let m): m
        }
    }
}
