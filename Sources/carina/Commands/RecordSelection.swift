import ArgumentParser
import CarinaLoader

/// Which records of a shard folder a command reads (`--split`), and how labels become targets (`--uncertain`):
/// the options `stream`, `train`, `eval` and `generate` share.
struct RecordSelection: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Records of these splits only: train, validate, test (comma-separated), or all.",
        discussion: "Default: train for `train`, test for `eval`, all for `stream`."))
    var split: String?

    @Option(help: "Uncertain CheXpert labels (-1) as targets: ones, zeros or ignore (masked out); blank labels are always ignored.")
    var uncertain: String = UncertainLabelPolicy.ones.rawValue

    static let splitNames: Set<String> = ["train", "validate", "test"]

    /// The splits chosen, `defaultValue` when none was given; nil means every record.
    func splits(default defaultValue: String) throws -> Set<String>? {
        let value = split ?? defaultValue
        if value == "all" { return nil }
        let names = Set(value.split(separator: ",").map { String($0) })
        guard !names.isEmpty, names.isSubset(of: Self.splitNames) else {
            throw ValidationError("--split must be train, validate, test (comma-separated) or all; got '\(value)'")
        }
        return names
    }

    func uncertainPolicy() throws -> UncertainLabelPolicy {
        guard let policy = UncertainLabelPolicy(rawValue: uncertain) else {
            throw ValidationError("--uncertain must be ones, zeros or ignore; got '\(uncertain)'")
        }
        return policy
    }

    func validate() throws {
        _ = try splits(default: "all")
        _ = try uncertainPolicy()
    }
}

/// The batch size and vocabulary of the loader: the options `stream`, `train`, `eval`, `generate` and `probe` share.
/// Each command checks `--batch` in its own `validate()`, beside the options it is refused with.
/// (`--seed` stays with each command: it seeds something different in each, and its help says what.)
struct LoaderFlags: ParsableArguments {
    @Option(help: "Samples per batch.") var batch: Int = 32
    @Option(help: "WordPiece vocabulary (a BERT vocab.txt).") var vocab: String = Resources.defaultVocabulary
}
