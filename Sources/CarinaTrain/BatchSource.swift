import CarinaLoader

/// Anything that yields training batches and can save and restore its position (the streaming loader, or a test's
/// in-memory list). `state` is opaque to the trainer; it is stored in each checkpoint as is.
public protocol BatchSource {
    /// The next batch, or nil when the source is exhausted.
    mutating func nextBatch() throws -> TrainingBatch?
    /// The resumable position after the batches handed out so far.
    var state: [UInt8] { get }
    /// Moves to the position saved in `state`.
    mutating func restore(_ state: [UInt8]) throws
}
