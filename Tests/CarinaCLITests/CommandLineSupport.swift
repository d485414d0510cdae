import ArgumentParser
import Foundation
import Testing

@testable import carina

/// Parses a command line in-process, as `carina` does (negative numbers joined to their option first).
func parse<Command: ParsableCommand>(_ arguments: [String], as type: Command.Type = Command.self) throws -> Command {
    let command = try Carina.parseAsRoot(CommandLineValues.joiningNegativeNumbers(arguments))
    return try #require(command as? Command, "\(arguments) parsed as \(Swift.type(of: command)), not \(Command.self)")
}

/// How `carina` refuses a command line: its exit status and the line after `Error: `, or nil when the command ran.
/// The command runs in-process when parsing accepts it, so only refusals made before any work belong here.
func refusal(_ arguments: [String]) async -> (status: Int32, line: String)? {
    do {
        try await Carina.execute(arguments)
        return nil
    } catch {
        return (Carina.exitCode(for: error).rawValue, Carina.errorLine(for: error))
    }
}

/// Expects `arguments` to be refused with `status`, the error line containing `fragment`.
func expectRefused(
    _ arguments: [String], status: Int32 = 64, _ fragment: String,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    guard let result = await refusal(arguments) else {
        Issue.record("\(arguments) was accepted", sourceLocation: sourceLocation)
        return
    }
    #expect(
        result.status == status, "\(arguments): exit \(result.status), \(result.line)", sourceLocation: sourceLocation)
    #expect(result.line.contains(fragment), "\(arguments): \(result.line)", sourceLocation: sourceLocation)
    #expect(!result.line.contains("\n"), sourceLocation: sourceLocation)
}
