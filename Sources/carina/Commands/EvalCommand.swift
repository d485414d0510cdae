import ArgumentParser

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint: retrieval recall@k and linear-probe AUROC."
    )

    @Argument(help: "A checkpoint file or folder.") var checkpoint: String
    @Argument(help: "A shard folder of held-out data.") var dir: String

    func run() async throws {
        throw CLIError.notBuiltYet("eval")
    }
}
