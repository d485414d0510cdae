import ArgumentParser

struct DicomCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dicom",
        abstract: "Inspect and render DICOM files.",
        subcommands: [DicomInfoCommand.self, DicomRenderCommand.self]
    )
}

struct DicomInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Print a DICOM file's metadata.")
    @Argument(help: "A DICOM file.") var file: String
    @Flag(help: "Print JSON.") var json = false

    func run() async throws { throw CLIError.notBuiltYet("dicom info") }
}

struct DicomRenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "render", abstract: "Render a DICOM file to PNG.")
    @Argument(help: "A DICOM file.") var file: String
    @Option(name: .short, help: "Output PNG path.") var output: String

    func run() async throws { throw CLIError.notBuiltYet("dicom render") }
}
