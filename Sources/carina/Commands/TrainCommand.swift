import ArgumentParser

struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train carina-tiny on a shard folder."
    )

    @Argument(help: "A shard folder (holding index.json).") var dir: String

    func run() async throws {
        throw CLIError.notBuiltYet("train")
    }
}
