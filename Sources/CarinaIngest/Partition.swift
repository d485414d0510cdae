import CarinaCore

/// A deterministic, patient-disjoint share of a dump: task `index` of `count` (`--partition i/N`).
///
/// Subjects are assigned by a stable hash of the subject id, so every study and image of a patient lands in the same
/// partition and the partitions of one dump are disjoint and complete.
public struct Partition: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public static let whole = Partition(index: 0, count: 1)

    public init(index: Int, count: Int) {
        precondition(count >= 1 && index >= 0 && index < count, "partition index must be in 0..<count")
        self.index = index
        self.count = count
    }

    /// Parses `i/N` with `0 <= i < N`.
    public init(parsing text: String) throws(IngestError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else {
            throw IngestError(.badPartition, "partition \"\(text)\" must be i/N with 0 <= i < N, e.g. 0/4")
        }
        self.init(index: i, count: n)
    }

    /// Whether the patient `subjectID` belongs to this partition.
    public func contains(subjectID: String) -> Bool {
        count == 1 || Int(StableHash.fnv1a(subjectID, salt: "carina-partition") % UInt64(count)) == index
    }

    public var description: String { "\(index)/\(count)" }
}
