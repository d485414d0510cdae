/// An error the command line reports as one line on stderr, with a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) { description = message }

    /// A command of the contract whose implementation has not landed yet.
    static func notBuiltYet(_ command: String) -> CLIError {
        CLIError("`carina \(command)` is not built yet in this version of Carina; nothing was done.")
    }
}
