import CarinaGraph
import CarinaLoader
import CarinaRecord
import CarinaShards
import CarinaTestSupport
import Foundation
import Testing

@testable import CarinaIngest

/// The record contract from ingest to the batch, on records ingested from the real sample dump: entity offsets land
/// on the text they name and on the WordPiece positions the encoder sees, relations point at the right spans, absent
/// sections are absent, splits are kept apart, and labels follow the uncertainty policy.
@Suite struct RecordContractTests {
    static let vocabulary = SharedData.repositoryRoot.appendingPathComponent("schemas/vocab/carina-cxr-vocab.txt").path

    /// The sample dump ingested once per test into its own folder.
    static func ingested() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        var options = IngestOptions(output: dir.path)
        options.size = 64
        options.threads = 2
        _ = try IngestPipeline(dump: MimicDump(root: EndToEndIngestTests.dump), options: options).run()
        return dir
    }

    static func loader(_ dir: String, fields: BatchFields = .all, splits: Set<String>? = nil,
                       policy: UncertainLabelPolicy = .ones, batch: Int = 5) throws -> StreamingLoader {
        var options = LoaderOptions()
        options.batchSize = batch
        options.rank = 0
        options.world = 1
        options.dropLast = false
        options.fields = fields
        options.splits = splits
        options.uncertainLabels = policy
        options.augmentation = .evaluation(size: 32)
        return try StreamingLoader(directory: dir, vocabulary: vocabulary, options: options)
    }

    /// Letters and digits, lower-cased: how WordPiece pieces and the text they came from compare.
    static func letters(_ s: String) -> String { String(s.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }.map(Character.init)) }

    @Test func entityOffsetsNameTheirTextInTheSectionAndTheColumn() throws {
        let dir = try Self.ingested()
        let dataset = try MDSDataset(directory: dir.path)
        var checked = 0
        for i in 0..<dataset.count {
            let record = try CarinaRecord(columns: try dataset.sample(at: i))
            #expect(record.schema == RecordSchema.version)
            let graph = try EntityGraph(radGraphJSON: record.graphJSON)
            let sections = try #require(JSONValue(parsing: record.sectionsJSON))
            guard case .array(let items) = sections else { Issue.record("sections is not a list"); continue }
            #expect(record.entities.count == graph.entities.count)
            for (row, id) in zip(record.entities, graph.orderedIDs) {
                let tokens = graph.entities[id]!.tokens
                guard case .object(let members) = items[Int(row.section)],
                      case .string(let text)? = members.first(where: { $0.0 == "text" })?.1 else {
                    Issue.record("entity \(id) has no section")
                    continue
                }
                let scalars = Array(text.unicodeScalars)
                let inSection = String(String.UnicodeScalarView(scalars[Int(row.start)..<Int(row.end)]))
                #expect(Self.letters(inSection) == Self.letters(tokens), "entity \(id) of record \(i)")
                let column = Array((row.text == .impression ? record.impression : record.findings).unicodeScalars)
                let inColumn = String(String.UnicodeScalarView(column[Int(row.textStart)..<Int(row.textEnd)]))
                #expect(inColumn == inSection)
                checked += 1
            }
            for r in record.relations {
                let head = graph.entities[graph.orderedIDs[Int(r.head)]]!
                #expect(head.relations.contains([r.kind.radGraphName, graph.orderedIDs[Int(r.tail)]]))
            }
        }
        #expect(checked > 50)
    }

    @Test func spansLandOnTheWordPiecesOfTheirEntityAndRelationsOnTheirSpans() throws {
        let dir = try Self.ingested()
        let dataset = try MDSDataset(directory: dir.path)
        let loader = try Self.loader(dir.path)
        let batch = try #require(try loader.nextBatch())
        var names = [Int32: String]()
        for (token, id) in loader.tokenizer.vocabulary { names[id] = token }
        let t = batch.textLength, n = batch.maxEntities, e = batch.maxRelations
        var spans = 0, relations = 0
        for i in 0..<batch.batchSize {
            let index = (0..<dataset.count).first { (try? dataset.sample(at: $0)["dicom_id"]?.stringValue) == batch.keys[i] }!
            let record = try CarinaRecord(columns: try dataset.sample(at: index))
            let graph = try EntityGraph(radGraphJSON: record.graphJSON)
            // Entity slots in record order (none is truncated away at T = 128 in these reports).
            let placed = record.entities.enumerated().filter { $0.element.text != nil }
            #expect(Int(batch.entityMask[(i * n)..<((i + 1) * n)].reduce(0, +)) == placed.count)
            for (slot, (row, entity)) in placed.enumerated() {
                let at = i * n + slot
                let ids = batch.entityText[at] == 0 ? batch.impressionIDs : batch.findingsIDs
                let pieces = (Int(batch.entityStart[at])..<Int(batch.entityEnd[at])).map { names[ids[i * t + $0]]! }
                let expected = graph.entities[graph.orderedIDs[row]]!.tokens
                #expect(Self.letters(pieces.joined()) == Self.letters(expected), "\(pieces) vs \(expected)")
                #expect(batch.entityKind[at] == entity.kind.rawValue && batch.entityCertainty[at] == entity.certainty.rawValue)
                #expect(batch.entityConcept[at] == entity.concept)
                spans += 1
            }
            let slotOfRow = Dictionary(uniqueKeysWithValues: placed.enumerated().map { ($1.offset, Int32($0)) })
            let stored = record.relations.compactMap { r -> [Int32]? in
                guard let h = slotOfRow[Int(r.head)], let tl = slotOfRow[Int(r.tail)] else { return nil }
                return [h, tl, r.kind.rawValue]
            }
            let inBatch = (0..<e).filter { batch.relationMask[i * e + $0] != 0 }.map {
                Array(batch.relations[((i * e + $0) * 3)..<((i * e + $0) * 3 + 3)])
            }
            #expect(inBatch == stored)
            relations += inBatch.count
        }
        #expect(spans > 50 && relations > 20)
        // Word indices: pieces of one word share an index; special tokens and padding are -1.
        for i in 0..<batch.batchSize where batch.findingsPresent[i] == 1 {
            let words = Array(batch.findingsWordIndex[(i * t)..<((i + 1) * t)])
            let ids = Array(batch.findingsIDs[(i * t)..<((i + 1) * t)])
            #expect(words[0] == -1 && ids[0] == batch.clsTokenID)
            for p in 1..<t where ids[p] != batch.padTokenID && ids[p] != batch.sepTokenID {
                let continues = names[ids[p]]!.hasPrefix("##")
                #expect(continues == (words[p] == words[p - 1]), "position \(p)")
            }
        }
    }

    @Test func anAbsentSectionIsPaddingNotClsSep() throws {
        let dir = try Self.ingested()
        let batch = try #require(try Self.loader(dir.path, fields: []).nextBatch())
        let t = batch.textLength
        // Study 51029426 (image 68b5c4b1…) has an impression and no findings.
        let i = try #require(batch.keys.firstIndex { $0.hasPrefix("68b5c4b1") })
        #expect(batch.findingsPresent[i] == 0 && batch.impressionPresent[i] == 1)
        #expect(batch.findingsIDs[(i * t)..<((i + 1) * t)].allSatisfy { $0 == batch.padTokenID })
        #expect(batch.findingsMask[(i * t)..<((i + 1) * t)].allSatisfy { $0 == 0 })
        #expect(batch.impressionIDs[i * t] == batch.clsTokenID)
        // Fields not asked for are not decoded.
        #expect(batch.entityMask.isEmpty && batch.labels.isEmpty && batch.findingsWordIndex.isEmpty)
    }

    @Test func splitsAreKeptApart() throws {
        let dir = try Self.ingested()
        // The sample's split table: 4 train images (one of them unreadable), 1 validate, 1 test (unreadable).
        var seen: [String: Int] = [:]
        for split in ["train", "validate"] {
            let loader = try Self.loader(dir.path, fields: [], splits: [split], batch: 1)
            while let batch = try loader.nextBatch() { seen[split, default: 0] += batch.batchSize }
        }
        #expect(seen == ["train": 4, "validate": 1])
        #expect(throws: LoaderError.self) { try Self.loader(dir.path, splits: ["test"]) }
        // Every rank gets the same number of the split's records.
        var options = LoaderOptions()
        options.splits = ["train"]
        options.world = 2
        options.rank = 1
        options.batchSize = 1
        options.augmentation = .evaluation(size: 32)
        #expect(try StreamingLoader(directory: dir.path, vocabulary: Self.vocabulary, options: options).samplesPerEpoch == 2)
    }

    @Test(arguments: [(UncertainLabelPolicy.ones, Float(1), Float(1)), (.zeros, 0, 1), (.ignore, 0, 0)])
    func uncertainLabelsFollowThePolicy(policy: UncertainLabelPolicy, value: Float, mask: Float) throws {
        let dir = try Self.ingested()
        let batch = try #require(try Self.loader(dir.path, fields: .labels, policy: policy).nextBatch())
        let i = try #require(batch.keys.firstIndex { $0.hasPrefix("02aa804e") })
        let l = TrainingBatch.labelCount
        // Study 50414267's CheXpert row: Lung Opacity 1, Pneumonia -1, Atelectasis blank.
        #expect(batch.labels[i * l + 7] == 1 && batch.labelMask[i * l + 7] == 1)
        #expect(batch.labels[i * l + 11] == value && batch.labelMask[i * l + 11] == mask)
        #expect(batch.labelMask[i * l + 0] == 0)
    }

    @Test func labelSourceIsRecorded() throws {
        let dir = try Self.ingested()
        let record = try CarinaRecord(columns: try MDSDataset(directory: dir.path).sample(at: 0))
        #expect(record.labelSource == "mimic-cxr-2.0.0-chexpert.csv")
        // raw transform at 16 bits: the declared range of the modality values (a 12-bit or wider film).
        #expect(record.rawRange.low == 0 && record.rawRange.high >= 4095 && record.rawRange.high <= 65535)
    }

    @Test func version1ShardsStreamButRefuseGraphFields() throws {
        let dir = try TemporaryDirectory()
        let source = try Self.ingested()
        let dataset = try MDSDataset(directory: source.path)
        let writer = try MDSShardWriter(directory: dir.path, columns: RecordSchema.version1Columns(imageFormat: .png16))
        for i in 0..<dataset.count {
            var sample = try dataset.sample(at: i)
            for column in [RecordSchema.Column.entities, .relations, .rawRange, .labelSource, .source] { sample[column.rawValue] = nil }
            sample["schema"] = .string(RecordSchema.version1)
            try writer.write(sample)
        }
        try writer.finish()
        let batch = try #require(try Self.loader(dir.path, fields: [.words, .labels]).nextBatch())
        #expect(batch.batchSize == 5)
        #expect(throws: LoaderError.self) { try Self.loader(dir.path, fields: .graph) }
    }

    @Test func offsetsEncodingGivesTheSameIDsOnRealReports() throws {
        let tokenizer = try WordPieceTokenizer(vocabularyPath: Self.vocabulary)
        let folder = SharedData.path("reports/iu-openi")
        let texts = try FileManager.default.subpathsOfDirectory(atPath: folder).filter { $0.hasSuffix(".xml") }.prefix(60)
            .map { try String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }
            + ["Café crème: naïve résumé.", "Left\u{00A0}lung  \t\n ﬁbrosis — 3.5 cm ＃", "肺 opacity"]
        #expect(texts.count > 40)
        for text in texts {
            let plain = tokenizer.encode(text, length: 512)
            let withOffsets = tokenizer.encodeWithOffsets(text, length: 512)
            #expect(withOffsets.ids == plain.ids && withOffsets.mask == plain.mask)
            let scalars = Array(text.unicodeScalars)
            for p in withOffsets.ids.indices where withOffsets.wordIndex[p] >= 0 {
                let piece = String(String.UnicodeScalarView(scalars[Int(withOffsets.start[p])..<Int(withOffsets.end[p])]))
                #expect(!piece.trimmingCharacters(in: .whitespaces).isEmpty)
            }
        }
    }

    @Test func splitFoldersHoldEachSplitApart() throws {
        let dir = try TemporaryDirectory()
        var options = IngestOptions(output: dir.path)
        options.size = 32
        let result = try SplitFolders.run(dump: MimicDump(root: EndToEndIngestTests.dump), options: options)
        #expect(result.tallies.map(\.split) == ["train", "validate", "test"])
        #expect(result.tallies.map(\.tally.written) == [4, 1, 0])
        #expect(result.total.found == 6 && result.total.written == 5 && result.total.failed == 1)
        #expect(result.unsplit.isEmpty)
        for (split, count) in [("train", 4), ("validate", 1), ("test", 0)] {
            let dataset = try MDSDataset(directory: dir.file(split))
            #expect(dataset.count == count)
            for i in 0..<dataset.count { #expect(try dataset.sample(at: i)["split"]?.stringValue == split) }
        }
    }

    /// A graph read from RadGraph JSON (no offsets in it) is placed where Carina's own extractor places it.
    @Test func radGraphGraphsGetTheSameOffsets() throws {
        let own = try Self.ingested()
        let dataset = try MDSDataset(directory: own.path)
        var file: [String] = []
        var expected: [String: [RecordEntity]] = [:]
        for i in 0..<dataset.count {
            let record = try CarinaRecord(columns: try dataset.sample(at: i))
            file.append("\"p\(record.subjectID.prefix(2))/p\(record.subjectID)/s\(record.studyID).txt\": \(record.graphJSON)")
            // RadGraph JSON carries no concept, so devices read as observations.
            expected[record.dicomID] = record.entities.map { entity in
                var e = entity
                e.concept = -1
                if e.kind == .device { e.kind = .observation }
                return e
            }
        }
        let dir = try TemporaryDirectory()
        try Data(("{" + file.joined(separator: ", ") + "}").utf8).write(to: URL(fileURLWithPath: dir.file("radgraph.json")))
        var options = IngestOptions(output: dir.file("shards"))
        options.size = 32
        options.radGraphPath = dir.file("radgraph.json")
        _ = try IngestPipeline(dump: MimicDump(root: EndToEndIngestTests.dump), options: options).run()
        let fromFile = try MDSDataset(directory: dir.file("shards"))
        #expect(fromFile.count == dataset.count)
        var compared = 0
        for i in 0..<fromFile.count {
            let record = try CarinaRecord(columns: try fromFile.sample(at: i))
            #expect(record.entities == expected[record.dicomID], "record \(record.dicomID)")
            compared += record.entities.count
        }
        #expect(compared > 50)
    }
}

extension RecordContractTests {
    /// `carina-record/2` shards written before the `source` column read, with an empty source.
    @Test func recordsWithoutTheSourceColumnRead() throws {
        let dir = try TemporaryDirectory()
        let source = try Self.ingested()
        let dataset = try MDSDataset(directory: source.path)
        let columns = RecordSchema.columns(imageFormat: .png16).filter { $0.name != RecordSchema.Column.source.rawValue }
        let writer = try MDSShardWriter(directory: dir.path, columns: columns)
        for i in 0..<dataset.count {
            var sample = try dataset.sample(at: i)
            #expect(sample["source"]?.stringValue == "mimic-cxr-dicom")
            sample["source"] = nil
            try writer.write(sample)
        }
        try writer.finish()
        let old = try MDSDataset(directory: dir.path)
        let record = try CarinaRecord(columns: old.sample(at: 0))
        #expect(record.source.isEmpty)
        #expect(try RecordLayout(columns: old.columns) == .version2)
        let batch = try #require(try Self.loader(dir.path, fields: [.words, .labels, .graph]).nextBatch())
        #expect(batch.batchSize == 5)
    }
}
