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

import CarinaTrain

extension Resources {
    /// A model configuration by name (`schemas/models/NAME.json`) or by path.
    static func modelConfig(_ nameOrPath: String) throws -> ModelConfig {
        if nameOrPath == ModelConfig.carinaTiny.name && !FileManager.default.fileExists(atPath: nameOrPath) {
            let path = schemasDirectory + "/models/\(nameOrPath).json"
            return FileManager.default.fileExists(atPath: path) ? try ModelConfig.load(path: path) : .carinaTiny
        }
        if FileManager.default.fileExists(atPath: nameOrPath) { return try ModelConfig.load(path: nameOrPath) }
        let path = schemasDirectory + "/models/\(nameOrPath).json"
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError("no model configuration \"\(nameOrPath)\": not a file, and not in \(schemasDirectory)/models")
        }
        return try ModelConfig.load(path: path)
    }
}
