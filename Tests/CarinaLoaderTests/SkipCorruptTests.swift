import CarinaShards
import Foundation
import Testing
import CarinaTestSupport
@testable import CarinaLoader

/// Skipping a corrupt sample never repeats another one nor loops: the epoch moves on by the samples taken.
@Suite struct SkipCorruptTests {
    @Test(arguments: [1, 2, 3])
    func anEpochWithASkippedSampleHoldsEveryOtherSampleOnceAndEnds(batch: Int) throws {
        let dir = try TemporaryDirectory()
        try StreamingLoaderTests.makeShardsWithACorruptSample(dir.path, count: 8)
        var options = StreamingLoaderTests.options(batch: batch)
        options.augmentation = .evaluation(size: 16)
        options.failOnCorruptSample = false
        options.dropLast = false
        let loader = try StreamingLoader(directory: dir.path, vocabulary: StreamingLoaderTests.vocabulary, options: options)
        var keys: [String] = []
        var batches = 0
        while let next = try loader.nextBatch() {
            keys += next.keys
            batches += 1
            try #require(batches <= 8, "the epoch does not end")
        }
        #expect(loader.skippedCorrupt == 1)
        #expect(keys.count == 7)
        #expect(Set(keys).count == 7, "a sample came twice: \(keys.sorted())")
    }
}
