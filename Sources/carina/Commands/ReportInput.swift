import ArgumentParser
import CarinaGraph

/// The reports `carina graph` and `carina labels` read, and the text their labels come from.
struct ReportInput: ParsableArguments {
    @Argument(help: "A report (.txt), a folder of them, or a dump root.") var path: String
    @Option(
        help:
            "Label text: impression (the impression, else the findings, as MIMIC-CXR) or report (findings + impression)."
    )
    var source: LabelSource = .impression

    /// Whether PATH is precomputed RadGraph output rather than reports.
    var isRadGraphJSON: Bool { path.hasSuffix(".json") }
}

extension LabelSource: ExpressibleByArgument {}
