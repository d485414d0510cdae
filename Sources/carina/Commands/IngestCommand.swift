import ArgumentParser

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest a MIMIC-CXR dump into MDS shards."
    )

    @Argument(help: "The dump root (holding files/ and the CSVs).") var dump: String
    @Option(help: "Output folder for the shards.") var out: String

    func run() async throws {
        throw CLIError.notBuiltYet("ingest")
    }
}
