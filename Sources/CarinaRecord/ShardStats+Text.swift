import CarinaShards
import Foundation

extension ShardStats {
    /// A readable report, one topic per line.
    public var text: String {
        var out = ""
        func line(_ label: String, _ value: String) { out += label.padding(toLength: 14, withPad: " ", startingAt: 0) + value + "\n" }
        func percent(_ n: Int) -> String { samples == 0 ? "0%" : String(format: "%.1f%%", 100 * Double(n) / Double(samples)) }
        line("samples", "\(samples)" + (corrupt > 0 ? " (\(corrupt) failed their CRC32C and were skipped)" : ""))
        line("shards", "\(shards)")
        line("bytes", "\(shardBytes)")
        let columns = columnBytes.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }
        if !columns.isEmpty { line("column bytes", columns.joined(separator: ", ")) }
        for (column, counts) in byColumnValue.sorted(by: { $0.key < $1.key }) {
            line(column, counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !sections.isEmpty {
            line("sections", sections.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .map { "\($0.key) \($0.value) (\(percent($0.value)))" }.joined(separator: ", "))
        }
        if !labels.isEmpty {
            out += "labels        name                        positive  negative  uncertain  blank  prevalence\n"
            for (name, c) in zip(ShardStats.labelNames, labels) {
                out += "              " + name.padding(toLength: 26, withPad: " ", startingAt: 0)
                    + String(format: "%10d%10d%11d%7d  %@\n", c.positive, c.negative, c.uncertain, c.blank, percent(c.positive))
            }
        }
        return out
    }

    /// The statistics as JSON.
    public var json: JSONValue {
        func counts(_ d: [String: Int]) -> JSONValue { .object(d.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) }) }
        var members: [(String, JSONValue)] = [
            ("samples", .int(Int64(samples))), ("shards", .int(Int64(shards))), ("bytes", .int(Int64(shardBytes))),
            ("corrupt", .int(Int64(corrupt))), ("column_bytes", counts(columnBytes)),
        ]
        for (column, values) in byColumnValue.sorted(by: { $0.key < $1.key }) { members.append((column, counts(values))) }
        members.append(("sections", counts(sections)))
        members.append(("non_empty", counts(nonEmpty)))
        if !labels.isEmpty {
            members.append(("labels", .object(zip(ShardStats.labelNames, labels).map { name, c in
                (name, .object([("positive", .int(Int64(c.positive))), ("negative", .int(Int64(c.negative))),
                                ("uncertain", .int(Int64(c.uncertain))), ("blank", .int(Int64(c.blank)))]))
            })))
        }
        return .object(members)
    }
}
