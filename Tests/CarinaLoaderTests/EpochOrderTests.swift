import Testing
@testable import CarinaLoader

@Suite struct EpochOrderTests {
    let shards = [100, 37, 250, 1, 64]

    @Test func sameSeedAndEpochGiveTheSameOrder() {
        let a = EpochOrder(shardSampleCounts: shards, seed: 7, epoch: 3, rank: 0, world: 1, bufferSize: 64)
        let b = EpochOrder(shardSampleCounts: shards, seed: 7, epoch: 3, rank: 0, world: 1, bufferSize: 64)
        let c = EpochOrder(shardSampleCounts: shards, seed: 7, epoch: 4, rank: 0, world: 1, bufferSize: 64)
        #expect(a.indices == b.indices)
        #expect(a.indices != c.indices)
        #expect(a.indices.sorted() == Array(0..<452))
    }

    @Test(arguments: [1, 2, 3, 4, 7])
    func ranksAreDisjointCompleteAndEqual(world: Int) {
        let total = shards.reduce(0, +)
        var all: [Int] = []
        var sizes = Set<Int>()
        for rank in 0..<world {
            let order = EpochOrder(shardSampleCounts: shards, seed: 1, epoch: 0, rank: rank, world: world, bufferSize: 32)
            all += order.indices
            sizes.insert(order.indices.count)
        }
        #expect(sizes == [total / world])
        #expect(Set(all).count == all.count)
        #expect(all.count == total - total % world)
    }

    @Test func batchesMixShards() {
        // 8 shards of 512: with a 1024-sample buffer, no batch of 32 should come from a single shard.
        let counts = [Int](repeating: 512, count: 8)
        let order = EpochOrder(shardSampleCounts: counts, seed: 42, epoch: 0, rank: 0, world: 1, bufferSize: 1024)
        var worst = 0.0
        for start in stride(from: 0, to: order.indices.count - 32, by: 32) {
            var perShard = [Int](repeating: 0, count: 8)
            for i in order.indices[start..<start + 32] { perShard[i / 512] += 1 }
            worst = max(worst, Double(perShard.max()!) / 32)
        }
        #expect(worst < 0.75, "one shard dominated a batch: \(worst)")
    }
}

@Suite struct LoaderStateTests {
    @Test func roundTrips() throws {
        let state = LoaderState(seed: 9, epoch: 2, consumed: 1234, rank: 1, world: 4)
        #expect(try LoaderState(serialized: state.serialized()) == state)
        #expect(throws: LoaderError.self) { try LoaderState(serialized: Array("{}".utf8)) }
    }
}
