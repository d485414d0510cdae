import ArgumentParser

struct SynthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a synthetic MIMIC-CXR-shaped dump."
    )

    @Argument(help: "Output folder.") var out: String
    @Option(help: "Number of studies.") var studies: Int

    func run() async throws {
        throw CLIError.notBuiltYet("synth")
    }
}
