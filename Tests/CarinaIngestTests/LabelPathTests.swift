import CarinaGraph
import CarinaReports
import Foundation
import Testing
import CarinaTestSupport
@testable import CarinaIngest

/// One label path: `carina labels`, `carina graph` and the labels ingest derives for a study without a CheXpert CSV
/// row give the same answer for the same report, and the committed sample reports get the labels of their own
/// `mimic-cxr-2.0.0-chexpert.csv`.
@Suite struct LabelPathTests {
    static let sample = SharedData.sample("mimic-cxr-mini")

    /// The sample dump's reports in a new dump without any CSV (one placeholder image per study), so ingest has
    /// to derive every study's labels itself.
    static func dumpWithoutCSV() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        for study in try MimicDump(root: sample).studies {
            guard let report = study.reportPath else { continue }
            let folder = dir.url.appendingPathComponent(
                "files/p\(study.subjectID.prefix(2))/p\(study.subjectID)/s\(study.studyID)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("x".utf8).write(to: folder.appendingPathComponent("placeholder.dcm"))
            try FileManager.default.copyItem(atPath: report, toPath: folder.path + ".txt")
        }
        return dir
    }

    static func sections(_ path: String, studyID: String) throws -> [(name: String, text: String)] {
        let raw = try String(contentsOfFile: path, encoding: .utf8)
        return SectionSplitter.split(raw, studyID: studyID, mode: .clean).sections.map { ($0.name, $0.text) }
    }

    /// `carina labels` output as study id → the 14 csv fields.
    static func cliLabels(_ arguments: [String]) throws -> [String: [String]] {
        let run = try CarinaExecutable.run(["labels"] + arguments)
        #expect(run.status == 0, "carina labels failed: \(run.stderr)")
        var out: [String: [String]] = [:]
        for line in run.stdout.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            out[fields[1]] = Array(fields[2...])
        }
        return out
    }

    /// `carina graph --format json` labels as study id → the 14 csv fields.
    static func cliGraphLabels(_ arguments: [String]) throws -> [String: [String]] {
        let run = try CarinaExecutable.run(["graph", "--format", "json"] + arguments)
        #expect(run.status == 0, "carina graph failed: \(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
        var out: [String: [String]] = [:]
        for (id, value) in object {
            let labels = (value as? [String: Any])?["labels"] as? [String: Any] ?? [:]
            out[id] = CheXpertLabels.columns.map { column in
                guard let v = labels[column] as? Double else { return "" }
                return v == 1 ? "1.0" : v == 0 ? "0.0" : "-1.0"
            }
        }
        return out
    }

    static func fields(_ values: [Float?]) -> [String] { CheXpertLabels(values: values).csvFields() }

    @Test func labelsGraphAndIngestAgreeOnTheSampleReports() throws {
        let dir = try Self.dumpWithoutCSV()
        let dump = try MimicDump(root: dir.path)
        #expect(dump.studies.count == 6 && dump.tablesFound.isEmpty)
        let pipeline = try IngestPipeline(dump: dump, options: IngestOptions(output: dir.file("out")))
        let cli = try Self.cliLabels([dir.path])
        let graph = try Self.cliGraphLabels([dir.path])
        #expect(cli.count == 6 && graph.count == 6)
        for study in dump.studies {
            let text = pipeline.studyText(study)
            #expect(text.labelSource == "carina")
            let ingest = text.labels.map { $0.isNaN ? "" : $0 == 1 ? "1.0" : $0 == 0 ? "0.0" : "-1.0" }
            let sections = try Self.sections(study.reportPath!, studyID: study.studyID)
            let library = GraphExtractor.labels(sections: sections, source: .impression).csvFields()
            let combined = GraphExtractor.extractWithLabels(sections: sections, source: .impression).labels.csvFields()
            #expect(ingest == library, "ingest and GraphExtractor.labels differ on \(study.studyID)")
            #expect(combined == library, "extractWithLabels and labels differ on \(study.studyID)")
            #expect(cli[study.studyID] == library, "carina labels differs on \(study.studyID)")
            #expect(graph[study.studyID] == library, "carina graph differs on \(study.studyID)")
        }
    }

    @Test func sampleReportsGetTheLabelsOfTheirOwnCheXpertCSV() throws {
        let dump = try MimicDump(root: Self.sample)
        #expect(dump.tablesFound.contains("chexpert"))
        var compared = 0
        for study in dump.studies {
            guard let expected = study.labels, let path = study.reportPath else { continue }
            let sections = try Self.sections(path, studyID: study.studyID)
            let ours = GraphExtractor.labels(sections: sections, source: .impression)
            #expect(ours.csvFields() == Self.fields(expected), "study \(study.studyID): \(ours.csvFields()) vs CSV")
            compared += 1
        }
        #expect(compared == 6)
        // The study whose impression reads "Resolved left lower lobe pneumonia": Pneumonia 0, No Finding 1.
        let resolved = try #require(dump.studies.first { $0.studyID == "53189527" })
        let labels = GraphExtractor.labels(sections: try Self.sections(resolved.reportPath!, studyID: "53189527"))
        #expect(labels["Pneumonia"] == 0 && labels["No Finding"] == 1)
    }

    @Test func labelsAndGraphAgreeOnIUXMLForBothSources() throws {
        let folder = try Oracle.iuReportFolder.get()
        // A folder of 300 real OpenI XML reports: the kind of input `labels` and `graph` refused before.
        let dir = try TemporaryDirectory()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".xml") }
            .sorted().prefix(300)
        for name in names {
            try FileManager.default.copyItem(atPath: folder + "/" + name, toPath: dir.file(name))
        }
        for source in ["impression", "report"] {
            let cli = try Self.cliLabels([dir.path, "--source", source])
            let graph = try Self.cliGraphLabels([dir.path, "--source", source])
            #expect(cli.count == names.count)
            #expect(cli == graph, "labels and graph disagree with --source \(source)")
        }
        let impression = try Self.cliLabels([dir.path])
        let report = try Self.cliLabels([dir.path, "--source", "report"])
        // The whole report names findings the impression leaves out.
        #expect(impression != report)
    }
}
