import ArgumentParser
import CarinaCore
import Foundation

/// The `carina` command: chest X-ray archives in, training-ready shards out, shards streamed into training.
@main
struct Carina: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carina",
        abstract: "Turn chest X-ray archives (DICOM + reports) into training shards and train on them.",
        discussion: """
            Ingest MIMIC-CXR dumps, inspect section splits, and stream shards into training.
            Run `carina help <command>` for the options of a command.
            """,
        version: "0.1.0",
        groupedSubcommands: [
            CommandGroup(name: "Data", subcommands: [
                IngestCommand.self, DicomCommand.self, SectionsCommand.self, GraphCommand.self,
                LabelsCommand.self, ShardsCommand.self, SynthCommand.self, ShowCommand.self,
            ]),
            CommandGroup(name: "Training", subcommands: [
                StreamCommand.self, TrainCommand.self, EvalCommand.self, GenerateCommand.self, ProbeCommand.self,
            ]),
        ]
    )

    /// Parses and runs a command; every error is one line on stderr (`Error: …`), with exit status 64 for a usage
    /// error (a bad option or argument) and 1 for anything else. `--help` and `--version` print as usual.
    static func main() async {
        do {
            try await execute(Array(CommandLine.arguments.dropFirst()))
        } catch {
            let code = exitCode(for: error)
            // --help, --version, and an exit status a command chose after printing its own report.
            if code.isSuccess || error is ExitCode { exit(withError: error) }
            FileHandle.standardError.write(Data("Error: \(errorLine(for: error))\n".utf8))
            Foundation.exit(code.rawValue)
        }
    }

    /// Parses `arguments` (the command line without the program name) and runs the command they name.
    static func execute(_ arguments: [String]) async throws {
        var command = try parseAsRoot(CommandLineValues.joiningNegativeNumbers(arguments))
        if var command = command as? AsyncParsableCommand {
            try await command.run()
        } else {
            try command.run()
        }
    }

    /// The one line `main` prints after `Error: ` for a failed command.
    static func errorLine(for error: Error) -> String {
        FileErrorText.isFileError(error) ? FileErrorText.describe(error)
            : (message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)")
    }
}

/// Command-line rewriting done before parsing.
enum CommandLineValues {
    /// `--steps -5` becomes `--steps=-5`, so a negative number is taken as the option's value (and refused by the
    /// command's own check, with a message that says what the option accepts) instead of as an unknown option.
    static func joiningNegativeNumbers(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                out += arguments[index...]
                break
            }
            if argument.hasPrefix("--"), !argument.contains("="), index + 1 < arguments.count,
               isNegativeNumber(arguments[index + 1]) {
                out.append(argument + "=" + arguments[index + 1])
                index += 2
                continue
            }
            out.append(argument)
            index += 1
        }
        return out
    }

    static func isNegativeNumber(_ text: String) -> Bool {
        text.count > 1 && text.hasPrefix("-") && Double(text.dropFirst()) != nil
            || ["-nan", "-inf", "-infinity"].contains(text.lowercased())
    }
}
