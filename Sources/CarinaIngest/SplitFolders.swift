import Foundation

extension MimicDump {
    /// The dump's studies of one split (`train`, `validate`, `test`), in dump order, with the dump's notices.
    public func only(split: String) -> MimicDump {
        var part = MimicDump(root: root, studies: studies.filter { $0.split == split }, tablesFound: tablesFound, notices: notices)
        part.release = release
        part.labelTable = labelTable
        return part
    }

    init(root: String, studies: [DumpStudy], tablesFound: [String], notices: DumpNotices) {
        self.root = root
        self.studies = studies
        self.tablesFound = tablesFound
        self.notices = notices
    }
}

/// An ingest into one folder per split, `OUT/train`, `OUT/validate` and `OUT/test`: the layout
/// `StreamingDataset(local=OUT, split="train")` reads. Each folder is a complete dataset with its own
/// `ingest-report.tsv` and summary, written (and resumed) by its own ingest run over that split's studies. The dump's
/// notices (CSV rows that disagree with it, stray files) concern the whole dump: each folder lists them, and the total
/// counts them once.
public enum SplitFolders {
    public static let splits = ["train", "validate", "test"]

    /// The tallies of each split's ingest, and the images whose split is none of the three (not written; named in
    /// `OUT/ingest-unsplit.tsv`).
    public struct Result: Sendable {
        public var tallies: [(split: String, tally: IngestTally)] = []
        public var unsplit: [DumpImage] = []

        /// The sum of the splits' tallies, with the images of no split counted as skipped.
        public var total: IngestTally {
            var total = IngestTally()
            for (_, t) in tallies {
                total.studies += t.studies
                total.found += t.found
                total.written += t.written
                total.skipped += t.skipped
                total.failed += t.failed
                total.resumed += t.resumed
                total.keptWithoutView += t.keptWithoutView
                total.droppedWithoutView += t.droppedWithoutView
            }
            total.found += unsplit.count
            total.skipped += unsplit.count
            // The dump's own notices once; the report notices each split's run found.
            let reportKinds: Set<DumpNotices.Kind> = [.reportMissing, .reportEmpty, .reportNotText]
            var notices = DumpNotices()
            for (k, (_, t)) in tallies.enumerated() {
                for item in t.notices.items where k == 0 || reportKinds.contains(item.kind) { notices.add(item.kind, item.what) }
            }
            total.notices = notices
            return total
        }
    }

    /// Runs one ingest per split into `options.output/<split>`.
    public static func run(dump: MimicDump, options: IngestOptions, progress: (String, IngestTally) -> Void = { _, _ in },
                           problem: (DumpImage, IngestImageStatus, ImageProblem) -> Void = { _, _, _ in }) throws -> Result {
        var result = Result()
        for split in splits {
            var splitOptions = options
            splitOptions.output = (options.output as NSString).appendingPathComponent(split)
            let pipeline = try IngestPipeline(dump: dump.only(split: split), options: splitOptions)
            let tally = try pipeline.run(progress: { progress(split, $0) }, problem: problem)
            result.tallies.append((split, tally))
        }
        let known = Set(splits)
        result.unsplit = dump.studies.filter { !known.contains($0.split) }.flatMap(\.images)
        let listing = (options.output as NSString).appendingPathComponent("ingest-unsplit.tsv")
        if result.unsplit.isEmpty {
            try? FileManager.default.removeItem(atPath: listing)
        } else {
            let rows = result.unsplit.map { "\($0.dicomID)\tskipped\tthe image's study has no train, validate or test split\n" }
            try Data(("dicom_id\tstatus\treason\n" + rows.joined()).utf8).write(to: URL(fileURLWithPath: listing))
        }
        return result
    }
}
