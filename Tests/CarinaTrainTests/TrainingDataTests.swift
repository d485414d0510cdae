import CarinaTestSupport
import Foundation
import Testing

@testable import CarinaTrain

/// `carina eval` refuses records a checkpoint was trained on: the same shards (same `index.json`) and an
/// overlapping split.
@Suite struct TrainingDataTests {
    func dataset(_ index: String) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try Data(index.utf8).write(to: URL(fileURLWithPath: dir.file("index.json")))
        return dir
    }

    @Test func overlapIsTheSameShardsAndASharedSplit() throws {
        let trainedOn = try dataset(#"{"shards": [{"basename": "shard.00000.mds"}], "version": 2}"#)
        let other = try dataset(#"{"shards": [{"basename": "shard.00001.mds"}], "version": 2}"#)
        let record = try TrainingData(dataset: trainedOn.path, splits: ["train"])
        #expect(try record.overlaps(dataset: trainedOn.path, splits: ["train", "test"]))
        #expect(try record.overlaps(dataset: trainedOn.path, splits: nil))
        #expect(try !record.overlaps(dataset: trainedOn.path, splits: ["test"]))
        #expect(try !record.overlaps(dataset: other.path, splits: ["train"]))
        let everything = try TrainingData(dataset: trainedOn.path, splits: nil)
        #expect(try everything.overlaps(dataset: trainedOn.path, splits: ["test"]))
    }

    @Test func theRecordIsKeptBesideTheCheckpoints() throws {
        let data = try dataset(#"{"version": 2}"#)
        let checkpoints = try TemporaryDirectory()
        let record = try TrainingData(dataset: data.path, splits: ["train"])
        try record.write(toCheckpointFolder: checkpoints.path)
        #expect(TrainingData.read(besideCheckpoint: checkpoints.path) == record)
        #expect(TrainingData.read(besideCheckpoint: checkpoints.file("step-00000010.ckpt")) == record)
        #expect(TrainingData.read(besideCheckpoint: data.path) == nil)
        #expect(throws: (any Error).self) { try TrainingData(dataset: checkpoints.path + "/missing", splits: nil) }
    }
}
