import ArgumentParser

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
                StreamCommand.self, TrainCommand.self, EvalCommand.self,
            ]),
        ]
    )
}
