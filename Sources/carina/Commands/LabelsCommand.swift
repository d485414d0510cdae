import ArgumentParser

struct LabelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "Derive CheXpert-14 labels per study."
    )

    @Argument(help: "A report (.txt, .xml), a folder of them, or a dump root.") var path: String

    func run() async throws {
        throw CLIError.notBuiltYet("labels")
    }
}
