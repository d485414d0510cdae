import ArgumentParser

struct SectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sections",
        abstract: "Split reports into sections and inspect the split."
    )

    @Argument(help: "A report (.txt, .xml), a folder of them, or a dump root.") var path: String

    func run() async throws {
        throw CLIError.notBuiltYet("sections")
    }
}
