import Synchronization

/// Results that worker threads hand in by index, each slot written by one worker, read back in index order once the
/// workers are done: how parallel work stays in input order whatever the thread count.
public final class IndexedResults<Value: Sendable>: Sendable {
    private let slots: Mutex<[Value?]>

    public init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    /// Stores the result of item `index`.
    public func set(_ index: Int, _ value: Value) { slots.withLock { $0[index] = value } }

    /// Every slot, in index order (nil where no result was handed in).
    public var values: [Value?] { slots.withLock { $0 } }
}

/// A count that worker threads add to atomically: bytes read, samples skipped, or the next item to take.
public final class SharedCount: Sendable {
    private let total = Atomic<Int>(0)

    public init() {}

    public var value: Int { total.load(ordering: .relaxed) }

    public func add(_ n: Int) { total.wrappingAdd(n, ordering: .relaxed) }

    /// Adds `n` and returns the count before: a worker's claim on the next `n` items.
    public func fetchAdd(_ n: Int) -> Int { total.wrappingAdd(n, ordering: .relaxed).oldValue }
}
