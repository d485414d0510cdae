import CarinaShards
import Foundation

/// Summary statistics of a dataset folder: counts, bytes, and — for the record columns that are present — views,
/// splits, image formats, schema versions, label sources, sections present, label prevalence and graph sizes.
public struct ShardStats: Sendable {
    /// The CheXpert label names, in `mimic-cxr-2.0.0-chexpert.csv` column order (the `labels` column's order).
    public static let labelNames = RecordSchema.labelNames

    /// Prevalence of one label.
    public struct LabelCounts: Sendable, Equatable {
        public var positive = 0, negative = 0, uncertain = 0, blank = 0
    }

    public var samples = 0
    public var shards = 0
    /// Bytes of all shard files.
    public var shardBytes = 0
    /// Stored bytes per column (without the per-sample size header).
    public var columnBytes: [String: Int] = [:]
    /// Records per value of the `view`, `split`, `image_format` and `schema` columns (when present).
    public var byColumnValue: [String: [String: Int]] = [:]
    /// Records having each section (non-empty text in the `sections` column; `impression` and `findings` columns
    /// count as sections of those names when the `sections` column is absent).
    public var sections: [String: Int] = [:]
    /// Records with a non-empty `impression` / `findings` column.
    public var nonEmpty: [String: Int] = [:]
    /// Per label (``labelNames`` order), when a 14-wide `labels` column is present.
    public var labels: [LabelCounts] = []
    /// Samples skipped because they failed their CRC-32C (policy `.skip`).
    public var corrupt = 0

    /// Reads every sample of a dataset once.
    ///
    /// - Throws: ``ShardError`` from the reader (a corrupt sample under `.fail`, a malformed column).
    public init(dataset: MDSDataset) throws(ShardError) {
        samples = dataset.count
        shards = dataset.index.shards.count
        shardBytes = dataset.index.shards.reduce(0) { $0 + $1.bytes }
        let names = Set(dataset.columns.map(\.name))
        typealias C = RecordSchema.Column
        let tallied = [C.view, .split, .imageFormat, .schema, .labelSource].map(\.rawValue).filter { names.contains($0) }
        for column in tallied { byColumnValue[column] = [:] }
        let labelCount = RecordSchema.labelCount
        let hasLabels = dataset.encoding(of: C.labels.rawValue).map { $0.fixedSize == labelCount * 4 } ?? false
        if hasLabels { labels = Array(repeating: LabelCounts(), count: labelCount) }
        for i in 0..<dataset.count {
            guard let raw = try rawIfIntact(dataset, i) else {
                corrupt += 1
                continue
            }
            for (spec, range) in zip(raw.columns, raw.ranges) { columnBytes[spec.name, default: 0] += range.count }
            for column in tallied {
                let value = raw[column].flatMap { String(validating: $0, as: UTF8.self) } ?? ""
                byColumnValue[column, default: [:]][value.isEmpty ? "(empty)" : value, default: 0] += 1
            }
            for column in [C.impression.rawValue, C.findings.rawValue] where names.contains(column) {
                if let bytes = raw[column], !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) {
                    nonEmpty[column, default: 0] += 1
                }
            }
            if let json = raw[C.sections.rawValue] {
                for name in Self.sectionNames(json) { sections[name, default: 0] += 1 }
            }
            if hasLabels, let bytes = raw[C.labels.rawValue] {
                for k in 0..<labelCount {
                    let o = bytes.startIndex + 4 * k
                    let v = Float(bitPattern: UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16
                        | UInt32(bytes[o + 3]) << 24)
                    if v.isNaN { labels[k].blank += 1 } else if v > 0.5 { labels[k].positive += 1 }
                    else if v < -0.5 { labels[k].uncertain += 1 } else { labels[k].negative += 1 }
                }
            }
        }
        if !names.contains(C.sections.rawValue) {
            for column in [C.impression.rawValue, C.findings.rawValue] { if let n = nonEmpty[column] { sections[column] = n } }
        }
    }

    private func rawIfIntact(_ dataset: MDSDataset, _ i: Int) throws(ShardError) -> MDSRawSample? {
        do {
            return try dataset.rawSample(at: i)
        } catch where error.code == .checksumMismatch && dataset.policy == .skip {
            return nil
        }
    }

    /// The distinct names of sections with non-empty text in one `sections` JSON value.
    static func sectionNames(_ json: ArraySlice<UInt8>) -> Set<String> {
        guard let list = try? JSONSerialization.jsonObject(with: Data(json)) as? [[String: Any]] else { return [] }
        var names = Set<String>()
        for section in list {
            guard let name = section["name"] as? String else { continue }
            let text = (section["text"] as? String ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { names.insert(name) }
        }
        return names
    }
}
