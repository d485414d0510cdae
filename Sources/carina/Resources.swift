import Foundation

/// Where the `carina` command finds the versioned data of `schemas/` (vocabulary, lexicon, model configurations).
enum Resources {
    /// `$CARINA_SCHEMAS`, else the `schemas` folder of the source tree the executable was built in
    /// (found by walking up from the executable), else `./schemas`.
    static let schemasDirectory: String = {
        if let env = ProcessInfo.processInfo.environment["CARINA_SCHEMAS"] { return env }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        if !CommandLine.arguments[0].contains("/"), let exe = Bundle.main.executableURL { url = exe }
        for _ in 0..<6 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("schemas")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("vocab").path) {
                return candidate.path
            }
        }
        return "schemas"
    }()

    /// Carina's default WordPiece vocabulary.
    static var defaultVocabulary: String { schemasDirectory + "/vocab/carina-cxr-vocab.txt" }
}
