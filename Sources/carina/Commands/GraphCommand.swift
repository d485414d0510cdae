import ArgumentParser

struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Extract the entity graph (RadGraph shape) of reports."
    )

    @Argument(help: "A report (.txt, .xml), a folder of them, or a dump root.") var path: String

    func run() async throws {
        throw CLIError.notBuiltYet("graph")
    }
}
