/// An error the command line reports as one line on stderr, with a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ message: String) { description = message }
}
