import ArgumentParser

struct ShardsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shards",
        abstract: "Inspect, verify, merge and export MDS shard folders.",
        subcommands: [ShardsStats.self, ShardsVerify.self, ShardsList.self, ShardsCat.self, ShardsMerge.self,
                      ShardsExportWDS.self]
    )
}

struct ShardsStats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Counts, bytes, views, splits, sections, labels.")
    @Argument(help: "A shard folder.") var dir: String
    func run() async throws { throw CLIError.notBuiltYet("shards stats") }
}

struct ShardsVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check every hash and per-sample CRC32C.")
    @Argument(help: "A shard folder.") var dir: String
    func run() async throws { throw CLIError.notBuiltYet("shards verify") }
}

struct ShardsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List shards and their records.")
    @Argument(help: "A shard folder.") var dir: String
    func run() async throws { throw CLIError.notBuiltYet("shards ls") }
}

struct ShardsCat: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cat", abstract: "Print one record, readable.")
    @Argument(help: "A shard folder.") var dir: String
    func run() async throws { throw CLIError.notBuiltYet("shards cat") }
}

struct ShardsMerge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merge", abstract: "Join partial shard folders into one index.")
    @Argument(help: "Shard folders to merge.") var dirs: [String]
    @Option(help: "Output folder.") var out: String
    func run() async throws { throw CLIError.notBuiltYet("shards merge") }
}

struct ShardsExportWDS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export-wds", abstract: "Export to WebDataset tar shards.")
    @Argument(help: "A shard folder.") var dir: String
    @Option(help: "Output folder.") var out: String
    func run() async throws { throw CLIError.notBuiltYet("shards export-wds") }
}
