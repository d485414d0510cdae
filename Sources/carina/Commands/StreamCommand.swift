import ArgumentParser

struct StreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream",
        abstract: "Stream batches from a shard folder."
    )

    @Argument(help: "A shard folder (holding index.json).") var dir: String

    func run() async throws {
        throw CLIError.notBuiltYet("stream")
    }
}
