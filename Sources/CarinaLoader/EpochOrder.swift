import CarinaCore
/// The order in which one rank sees a dataset's samples in one epoch.
///
/// Shards are visited in an order shuffled by `(seed, epoch)`; samples stream out of them in stored order through a
/// bounded shuffle buffer of `bufferSize` samples (emit a random slot, refill it), so each batch mixes samples from
/// several shards without holding the dataset in memory. The global sequence is then dealt round-robin to ranks:
/// position `p` goes to rank `p % world`. To give every rank the same number of samples, the last
/// `count % world` positions of the global sequence are dropped in that epoch (they are different samples in each
/// epoch, because the order is reshuffled).
///
/// - Complexity: O(n) time and 4n bytes for n samples; the order depends only on the seed, epoch, shard sizes,
///   rank and world, never on thread count.
public struct EpochOrder: Sendable {
    /// Global sample indices of this rank, in the order they are consumed.
    public let indices: [Int]

    /// - Parameter include: when given, only samples `i` with `include[i]` enter the order (a split of the dataset);
    ///   the shuffle and the rank partition run over those alone, so every rank still gets the same count.
    public init(shardSampleCounts: [Int], seed: UInt64, epoch: Int, rank: Int, world: Int, bufferSize: Int,
                include: [Bool]? = nil) {
        precondition(world >= 1 && rank >= 0 && rank < world, "rank must be in 0..<world")
        precondition(bufferSize >= 1, "the shuffle buffer holds at least one sample")
        var rng = SplitMix64(seed: seed, stream: 0x5348_5546, index: UInt64(epoch))
        var shardStarts: [Int] = []
        var total = 0
        for count in shardSampleCounts {
            shardStarts.append(total)
            total += count
        }
        var shardOrder = Array(shardSampleCounts.indices)
        shardOrder.shuffle(using: &rng)

        var global: [Int] = []
        global.reserveCapacity(total)
        var buffer: [Int] = []
        buffer.reserveCapacity(min(bufferSize, total))
        for shard in shardOrder {
            for index in shardStarts[shard]..<(shardStarts[shard] + shardSampleCounts[shard]) {
                if let include, !include[index] { continue }
                if buffer.count < bufferSize {
                    buffer.append(index)
                } else {
                    let slot = Int(rng.next() % UInt64(bufferSize))
                    global.append(buffer[slot])
                    buffer[slot] = index
                }
            }
        }
        while !buffer.isEmpty {
            let slot = Int(rng.next() % UInt64(buffer.count))
            buffer.swapAt(slot, buffer.count - 1)
            global.append(buffer.removeLast())
        }
        let usable = global.count - global.count % world
        var mine: [Int] = []
        mine.reserveCapacity(usable / world)
        var position = rank
        while position < usable {
            mine.append(global[position])
            position += world
        }
        indices = mine
    }
}
