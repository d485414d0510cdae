import ArgumentParser
import CarinaRecord
import CarinaExport
import CarinaShards
import Foundation

struct ShardsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shards",
        abstract: "Inspect, verify, merge and export MDS shard folders.",
        subcommands: [ShardsStats.self, ShardsVerify.self, ShardsList.self, ShardsCat.self, ShardsMerge.self,
                      ShardsExportWDS.self]
    )
}

/// Options shared by the commands that read a shard folder.
struct ShardReadOptions: ParsableArguments {
    @Argument(help: "A shard folder (holding index.json).") var dir: String
    @Flag(name: .customLong("no-verify"), help: "Do not check per-sample CRC32C (folders written by other tools have none).")
    var noVerify = false

    /// Opens the folder, with a hint when sidecars are missing.
    func open(_ policy: CRCPolicy = .fail) throws -> MDSDataset {
        let dataset: MDSDataset
        do {
            dataset = try MDSDataset(directory: dir, verify: noVerify ? .off : policy)
        } catch {
            if error.code == .missingChecksums { throw CLIError("\(error.message) (pass --no-verify to read without checks)") }
            throw error
        }
        return dataset
    }
}

struct ShardsStats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Counts, bytes, views, splits, sections, labels.")
    @OptionGroup var options: ShardReadOptions
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() async throws {
        let stats = try ShardStats(dataset: options.open())
        print(json ? stats.json.pythonText() : stats.text, terminator: json ? "\n" : "")
    }
}

struct ShardsVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check every hash and per-sample CRC32C.",
        discussion: "Exits 1 and names the shard and sample of every problem found.")
    @Argument(help: "A shard folder.") var dir: String
    @Flag(name: [.customLong("no-verify"), .customLong("allow-missing-sidecars")],
          help: "Accept shards without a CRC32C sidecar (folders written by streaming.MDSWriter), as the other shard commands' --no-verify reads them.")
    var noVerify = false

    func run() async throws {
        let report = try ShardVerifier.verify(directory: dir, requireSidecars: !noVerify)
        for problem in report.problems {
            print("FAIL \(problem.message)" + (problem.code == .missingChecksums ? " (--no-verify accepts this)" : ""))
        }
        let summary = "\(report.shards) shards, \(report.samples) samples, \(report.bytes) bytes checked"
        if report.isIntact {
            print("OK \(summary)")
        } else {
            print("\(report.problems.count) problem(s); \(summary)")
            throw ExitCode.failure
        }
    }
}

struct ShardsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List shards and their records.")
    @OptionGroup var options: ShardReadOptions
    @Flag(help: "List only the shards, not each record.") var shardsOnly = false

    func run() async throws {
        let dataset = try options.open(.off)
        var first = 0
        for entry in dataset.index.shards {
            let hashes = entry.hashes.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            print("\(entry.basename)\t\(entry.samples) samples\t\(entry.bytes) bytes\tsamples \(first)..<\(first + entry.samples)"
                + (hashes.isEmpty ? "" : "\t\(hashes)"))
            if !shardsOnly {
                for i in first..<(first + entry.samples) {
                    print("  " + RecordText.line(try dataset.rawSample(at: i), index: i))
                }
            }
            first += entry.samples
        }
    }
}

struct ShardsCat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cat", abstract: "Print one record, readable.")
    @OptionGroup var options: ShardReadOptions
    @Option(help: "The record's global index.") var index: Int?
    @Option(help: "The record whose dicom_id is this.") var id: String?
    @Flag(help: "Print the record as JSON (images as base64).") var json = false

    func validate() throws {
        if index != nil && id != nil { throw ValidationError("give --index or --id, not both") }
    }

    func run() async throws {
        let dataset = try options.open()
        var target = index ?? 0
        if let id {
            var found: Int?
            for i in 0..<dataset.count where found == nil {
                if let bytes = try dataset.rawSample(at: i)[RecordSchema.Column.dicomID.rawValue], String(decoding: bytes, as: UTF8.self) == id { found = i }
            }
            guard let found else { throw CLIError("no record with dicom_id \(id) in \(options.dir)") }
            target = found
        }
        let sample = try dataset.sample(at: target)
        print(json ? RecordText.json(sample, columns: dataset.columns).pythonText()
                : RecordText.text(sample, columns: dataset.columns, index: target), terminator: json ? "\n" : "")
    }
}

struct ShardsMerge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Join partial shard folders into one index.",
        discussion: "No shard bytes are copied: the parts must lie inside --out, and the merged index.json names their "
            + "shards by relative path (part0/shard.00000.mds).")
    @Argument(help: "Shard folders to merge, in order.") var dirs: [String]
    @Option(help: "Output folder (containing the parts).") var out: String

    func run() async throws {
        let merged = try ShardMerge.merge(parts: dirs, into: out)
        print("merged \(dirs.count) folders: \(merged.shards.count) shards, \(merged.sampleCount) samples → \(out)/index.json")
    }
}

struct ShardsExportWDS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-wds", abstract: "Export to WebDataset tar shards.",
        discussion: "One ustar tar per MDS shard, members <key>.<ext> adjacent per record; 16-bit images as .npy "
            + "(uint16); a wids index index.wids.json.")
    @OptionGroup var options: ShardReadOptions
    @Option(help: "Output folder.") var out: String

    func run() async throws {
        let summary = try WebDatasetExport.export(options.open(), to: out)
        print("exported \(summary.samples) records into \(summary.tars.count) tar files (\(summary.bytes) bytes) → \(out)")
    }
}
