import CarinaCore
import CarinaImage
import CarinaRecord
import CarinaShards
import Foundation

/// Options of the streaming loader; the defaults are the carina-tiny training set-up.
public struct LoaderOptions: Sendable {
    public var batchSize = 32
    public var textLength = 128
    public var conceptCount = 64
    public var seed: UInt64 = 0
    public var epoch = 0
    /// This process's rank and the world size; default from `RANK` / `WORLD_SIZE`, else 0 / 1.
    public var rank: Int
    public var world: Int
    /// Samples held by the shuffle buffer (memory ≈ this many sample indices, not samples).
    public var shuffleBuffer = 4096
    /// Worker threads decoding and augmenting samples, and batches prepared ahead of the consumer.
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    public var prefetch = 2
    public var augmentation = ImageAugmentation()
    /// Whether a sample whose CRC32C does not match stops the loader (`true`) or is skipped and counted.
    public var failOnCorruptSample = true
    /// Drop a last batch smaller than `batchSize` (default), or yield it.
    public var dropLast = true
    /// Check each sample's CRC32C against Carina's sidecar (shards written by `streaming` itself have none).
    public var verifyChecksums = true
    /// Columns holding the two texts and the record key; a nil text column gives an empty sequence.
    public var impressionColumn: String? = RecordSchema.Column.impression.rawValue
    public var findingsColumn: String? = RecordSchema.Column.findings.rawValue
    public var keyColumn = RecordSchema.Column.dicomID.rawValue
    /// Keep only records of these splits (`train`, `validate`, `test`; the `split` column); nil keeps every record.
    public var splits: Set<String>?
    /// The optional batch fields to decode (word map, graph, labels); the rest of a record is never decoded.
    public var fields: BatchFields = []
    /// Entity and relation slots per sample in a batch (`.graph`): more are left out and counted.
    public var maxEntities = 64
    public var maxRelations = 64
    /// How uncertain CheXpert labels become targets (`.labels`).
    public var uncertainLabels: UncertainLabelPolicy = .ones
    /// Above 1, each batch also carries `targetImages`: the image at this many times the augmentation's size (the
    /// same crop and jitter), MRM's higher-resolution reconstruction target.
    public var targetScale = 1

    public init() {
        let env = ProcessInfo.processInfo.environment
        rank = env["RANK"].flatMap(Int.init) ?? 0
        world = env["WORLD_SIZE"].flatMap(Int.init) ?? 1
    }
}

/// Streams training batches out of a folder of Carina MDS shards: a seeded, resumable, rank-partitioned order
/// (``EpochOrder``), samples checked against their CRC32C, decoded, augmented and tokenised on worker threads, a
/// bounded number of batches ahead.
///
/// ```swift
/// var options = LoaderOptions()
/// options.batchSize = 32
/// let loader = try StreamingLoader(directory: "shards", vocabulary: "vocab.txt", options: options)
/// while let batch = try loader.nextBatch() { train(batch) }   // one epoch
/// let state = loader.state                                     // save with the checkpoint; restore(state) resumes
/// ```
public final class StreamingLoader: @unchecked Sendable {
    public let dataset: MDSDataset
    public let tokenizer: WordPieceTokenizer
    public let options: LoaderOptions
    private var order: EpochOrder
    private var epoch: Int
    private var consumed: Int
    /// Bytes of shard data (image and text columns) decoded so far.
    public var bytesRead: Int { byteCounter.value }
    private let byteCounter = SharedCount()
    /// Samples left out of their batch because their checksum failed (only when `failOnCorruptSample` is false).
    public var skippedCorrupt: Int { skippedCounter.value }
    private let skippedCounter = SharedCount()
    private var futures: [Int: BatchFuture] = [:]
    private let lock = NSLock()
    private let producer = DispatchQueue(label: "carina.loader.prefetch")

    public init(directory: String, vocabulary: String, options: LoaderOptions) throws {
        guard options.batchSize >= 1, options.textLength >= 2, options.workers >= 1, options.prefetch >= 1 else {
            throw LoaderError(.badOptions, "batch size, workers and prefetch must be at least 1, text length at least 2")
        }
        dataset = try MDSDataset(directory: directory,
                                 verify: !options.verifyChecksums ? .off : (options.failOnCorruptSample ? .fail : .skip))
        tokenizer = try WordPieceTokenizer(vocabularyPath: vocabulary)
        maskID = tokenizer.vocabulary["[MASK]"] ?? tokenizer.unknownID
        self.options = options
        columnsToDecode = Self.columnsToDecode(options, dataset: dataset)
        let dataset = self.dataset
        if options.fields.contains(.graph) {
            let layout = try Self.layout(of: dataset, directory: directory)
            guard layout == .version2 else {
                throw LoaderError(.badOptions, "\(directory) holds \(layout.version) records, which have no entity "
                    + "offsets; re-ingest the dump with this carina to get \(RecordSchema.version)")
            }
        }
        if let splits = options.splits {
            selected = try Self.selection(of: dataset, splits: splits, directory: directory)
        } else {
            selected = nil
        }
        epoch = options.epoch
        consumed = 0
        order = EpochOrder(shardSampleCounts: dataset.index.shards.map(\.samples), seed: options.seed, epoch: options.epoch,
                           rank: options.rank, world: options.world, bufferSize: options.shuffleBuffer, include: selected)
    }

    /// The `[MASK]` id of the vocabulary (`[UNK]` when it has none).
    public let maskID: Int32
    /// Which samples the split filter keeps (nil: all).
    private let selected: [Bool]?
    /// The columns each sample's preparation decodes.
    private let columnsToDecode: [String]

    static func layout(of dataset: MDSDataset, directory: String) throws(LoaderError) -> RecordLayout {
        do {
            return try RecordLayout(columns: dataset.columns)
        } catch {
            throw LoaderError(.badOptions, "\(directory): \(error.message)")
        }
    }

    /// Which samples have a split in `splits`, read from the `split` column in place.
    static func selection(of dataset: MDSDataset, splits: Set<String>, directory: String) throws(LoaderError) -> [Bool] {
        let column = RecordSchema.Column.split.rawValue
        guard dataset.encoding(of: column) != nil else {
            throw LoaderError(.badOptions, "\(directory) has no split column, so --split cannot choose records; "
                + "leave --split out to read every record")
        }
        var keep = [Bool](repeating: false, count: dataset.count)
        var seen: [String: Int] = [:]
        for i in 0..<dataset.count {
            let split: String
            do {
                split = try dataset.columnValue(column, at: i)?.stringValue ?? ""
            } catch {
                throw LoaderError(.corruptSample, "\(directory): \(error.message)")
            }
            seen[split, default: 0] += 1
            keep[i] = splits.contains(split)
        }
        guard keep.contains(true) || dataset.count == 0 else {
            let present = seen.keys.sorted().map { "\($0.isEmpty ? "(none)" : $0) \(seen[$0]!)" }.joined(separator: ", ")
            throw LoaderError(.badOptions, "\(directory) has no record of split \(splits.sorted().joined(separator: ","))"
                + " (it has: \(present)); choose another --split")
        }
        return keep
    }

    /// The resumable state: restoring it continues with exactly the next sample this loader would yield.
    public var state: LoaderState {
        LoaderState(seed: options.seed, epoch: epoch, consumed: consumed, rank: options.rank, world: options.world)
    }

    /// Continues from a saved state (same dataset, seed, rank and world).
    public func restore(_ state: LoaderState) throws {
        guard state.seed == options.seed, state.rank == options.rank, state.world == options.world else {
            throw LoaderError(.badState, "the saved loader state is for seed \(state.seed), rank \(state.rank)/"
                + "\(state.world); this loader has seed \(options.seed), rank \(options.rank)/\(options.world)")
        }
        lock.lock()
        defer { lock.unlock() }
        epoch = state.epoch
        consumed = state.consumed
        order = EpochOrder(shardSampleCounts: dataset.index.shards.map(\.samples), seed: options.seed, epoch: epoch,
                           rank: options.rank, world: options.world, bufferSize: options.shuffleBuffer, include: selected)
        futures.removeAll()
    }

    /// Samples this rank sees per epoch.
    public var samplesPerEpoch: Int { order.indices.count }

    /// Moves on to the next epoch (a new order from the same seed).
    public func startEpoch(_ newEpoch: Int) {
        lock.lock()
        defer { lock.unlock() }
        epoch = newEpoch
        consumed = 0
        order = EpochOrder(shardSampleCounts: dataset.index.shards.map(\.samples), seed: options.seed, epoch: newEpoch,
                           rank: options.rank, world: options.world, bufferSize: options.shuffleBuffer, include: selected)
        futures.removeAll()
    }

    /// The next batch of this epoch, or nil at its end. Later batches are prepared in the background, at most
    /// `prefetch` ahead, so memory is bounded by the prefetch depth whatever the dataset size.
    public func nextBatch() throws -> TrainingBatch? {
        lock.lock()
        let start = consumed
        let starts = batchStarts(from: start)
        guard let first = starts.first else {
            lock.unlock()
            return nil
        }
        let future = future(at: first)
        for next in starts.dropFirst() { _ = self.future(at: next) }
        lock.unlock()

        let batch = try future.wait().get()
        lock.lock()
        if consumed == start {
            consumed = start + min(options.batchSize, order.indices.count - start)  // samples taken, skipped ones too
            futures[start] = nil
        }
        lock.unlock()
        return batch
    }

    /// Start positions of the next batch and of the ones to prefetch after it. Caller holds `lock`.
    private func batchStarts(from start: Int) -> [Int] {
        var starts: [Int] = []
        var position = start
        while starts.count <= options.prefetch {
            let size = min(options.batchSize, order.indices.count - position)
            if size <= 0 || (options.dropLast && size < options.batchSize) { break }
            starts.append(position)
            position += size
        }
        return starts
    }

    /// The (possibly already running) preparation of the batch starting at `start`. Caller holds `lock`.
    private func future(at start: Int) -> BatchFuture {
        if let existing = futures[start] { return existing }
        let size = min(options.batchSize, order.indices.count - start)
        let indices = Array(order.indices[start..<start + size])
        let epochNow = epoch
        let future = BatchFuture()
        futures[start] = future
        producer.async { [self] in
            future.fulfil(Result { try makeBatch(indices: indices, epoch: epochNow) })
        }
        return future
    }

    /// Decodes, augments and tokenises the samples `indices` into one batch, spreading samples over the workers.
    /// Every sample's randomness comes from (seed, epoch, sample index), so the result is the same for any worker count.
    func makeBatch(indices: [Int], epoch: Int) throws -> TrainingBatch {
        let b = indices.count
        let s = options.augmentation.size
        let t = options.textLength
        let k = options.conceptCount
        let r = max(1, options.targetScale), ts = s * r
        let prepared = IndexedResults<Result<PreparedSample?, any Error>>(count: b)
        var targets = [Float](repeating: 0, count: r > 1 ? b * ts * ts : 0)
        let workers = max(1, min(options.workers, b))
        // Workers render each image straight into its slot of the batch tensor; skipped samples are closed up after.
        var images = [Float]()
        unsafe targets.withUnsafeMutableBufferPointer { targetBuffer in
            images = unsafe [Float](unsafeUninitializedCapacity: b * s * s) { buffer, initialised in
                let slots = unsafe ImageSlots(buffer: buffer, size: s * s)
                let targetSlots = unsafe ImageSlots(buffer: targetBuffer, size: ts * ts)
                // Each worker takes the next sample not yet taken, so a worker the OS holds back delays nothing but
                // its own sample; results go to their sample's slot, whichever worker made them.
                let cursor = SharedCount()
                DispatchQueue.concurrentPerform(iterations: workers) { _ in
                    while true {
                        let i = cursor.fetchAdd(1)
                        guard i < b else { return }
                        let slot = unsafe slots.slot(i)
                        let target = unsafe r > 1 ? targetSlots.slot(i) : nil
                        let result = Result { try prepare(index: indices[i], epoch: epoch, into: slot, target: target) }
                        if case .success(.some) = result {} else { unsafe slot.update(repeating: 0) }
                        prepared.set(i, result)
                    }
                }
                initialised = buffer.count
            }
        }
        var kept: [PreparedSample] = []
        kept.reserveCapacity(b)
        for (i, result) in prepared.values.enumerated() {
            guard let sample = try result!.get() else { continue }
            if kept.count != i {
                images.withUnsafeMutableBufferPointer { all in
                    let from = unsafe all.baseAddress! + i * s * s, to = unsafe all.baseAddress! + kept.count * s * s
                    unsafe to.update(from: from, count: s * s)
                }
                if r > 1 {
                    targets.withUnsafeMutableBufferPointer { all in
                        let from = unsafe all.baseAddress! + i * ts * ts
                        unsafe (all.baseAddress! + kept.count * ts * ts).update(from: from, count: ts * ts)
                    }
                }
            }
            kept.append(sample)
        }
        images.removeLast((b - kept.count) * s * s)
        var batch = assemble(kept, images: images)
        if r > 1 {
            targets.removeLast((b - kept.count) * ts * ts)
            batch.targetScale = r
            batch.targetImages = targets
        }
        return batch
    }

    /// The batch of prepared samples (their images already in place).
    func assemble(_ samples: [PreparedSample], images: [Float]) -> TrainingBatch {
        let t = options.textLength
        var batch = TrainingBatch(
            batchSize: samples.count, imageSize: options.augmentation.size, textLength: t,
            conceptCount: options.conceptCount, images: images,
            impressionIDs: samples.flatMap(\.impression.ids), impressionMask: samples.flatMap(\.impression.mask),
            findingsIDs: samples.flatMap(\.findings.ids), findingsMask: samples.flatMap(\.findings.mask),
            concepts: samples.flatMap(\.concepts), keys: samples.map(\.key))
        batch.impressionPresent = samples.map { $0.impressionPresent ? 1 : 0 }
        batch.findingsPresent = samples.map { $0.findingsPresent ? 1 : 0 }
        batch.clsTokenID = tokenizer.clsID
        batch.sepTokenID = tokenizer.sepID
        batch.padTokenID = tokenizer.padID
        batch.maskTokenID = maskID
        if options.fields.contains(.words) {
            batch.impressionWordIndex = samples.flatMap(\.impression.wordIndex)
            batch.findingsWordIndex = samples.flatMap(\.findings.wordIndex)
        }
        if options.fields.contains(.graph) {
            let n = options.maxEntities, e = options.maxRelations
            batch.maxEntities = n
            batch.maxRelations = e
            for sample in samples {
                let g = sample.graph
                func padded(_ values: [Int32], _ fill: Int32) -> [Int32] { values + [Int32](repeating: fill, count: n - values.count) }
                batch.entityText += padded(g.text, -1)
                batch.entityStart += padded(g.start, 0)
                batch.entityEnd += padded(g.end, 0)
                batch.entityKind += padded(g.kind, -1)
                batch.entityCertainty += padded(g.certainty, -1)
                batch.entityConcept += padded(g.concept, -1)
                batch.entityMask += [Float](repeating: 1, count: g.text.count) + [Float](repeating: 0, count: n - g.text.count)
                batch.relations += g.relations + [Int32](repeating: 0, count: 3 * (e - g.relations.count / 3))
                batch.relationMask += [Float](repeating: 1, count: g.relations.count / 3)
                    + [Float](repeating: 0, count: e - g.relations.count / 3)
            }
        }
        if options.fields.contains(.labels) {
            batch.labels = samples.flatMap(\.labels)
            batch.labelMask = samples.flatMap(\.labelMask)
        }
        return batch
    }

    /// Passes over every sample of this rank's epoch order in place, without copying or decoding: each sample's
    /// CRC32C is computed over its mapped bytes (and checked when checksums are enabled), on `workers` threads;
    /// returns the bytes covered. This is the loader's floor: every shard byte out of the page cache, once.
    public func readRawEpoch() throws -> Int {
        let indices = order.indices
        let workers = max(1, options.workers)
        let totals = SharedCount()
        let failures = IndexedResults<Result<PreparedSample?, any Error>>(count: 1)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var total = 0
            var i = worker
            while i < indices.count {
                do {
                    total += try dataset.checkSampleInPlace(at: indices[i])
                } catch {
                    failures.set(0, .failure(error))
                    return
                }
                i += workers
            }
            totals.add(total)
        }
        if case .failure(let error)? = failures.values[0] { throw error }
        return totals.value
    }

    /// One sample's share of a batch, everything but its image.
    struct PreparedSample: Sendable {
        var impression: EncodedText
        var findings: EncodedText
        var impressionPresent: Bool
        var findingsPresent: Bool
        var concepts: [Float]
        var key: String
        var graph = SampleGraph()
        var labels: [Float] = []
        var labelMask: [Float] = []
    }

    /// A sample's entity spans in token positions and its relations between them, before padding.
    struct SampleGraph: Sendable {
        var text: [Int32] = [], start: [Int32] = [], end: [Int32] = [], kind: [Int32] = []
        var certainty: [Int32] = [], concept: [Int32] = []
        /// `(head, tail, type)` triples, flattened.
        var relations: [Int32] = []
    }

    /// The columns a sample's preparation decodes, given the batch fields asked for.
    static func columnsToDecode(_ options: LoaderOptions, dataset: MDSDataset) -> [String] {
        typealias C = RecordSchema.Column
        var names = [C.image, .imageFormat, .width, .height, .rawRange, .concepts].map(\.rawValue)
        // carina-record/1 keeps the raw range in `meta`.
        if dataset.encoding(of: C.rawRange.rawValue) == nil { names.append(C.meta.rawValue) }
        names += [options.impressionColumn, options.findingsColumn, options.keyColumn].compactMap { $0 }
        if options.fields.contains(.graph) { names += [C.entities.rawValue, C.relations.rawValue] }
        if options.fields.contains(.labels) { names.append(C.labels.rawValue) }
        return names
    }

    /// Prepares one sample, its image rendered into `image` (`size × size`) and, with a `target`, at
    /// `targetScale ×` that size into it, or returns nil for a corrupt sample skipped under
    /// `failOnCorruptSample == false`. Only the columns the batch needs are decoded.
    func prepare(index: Int, epoch: Int, into image: UnsafeMutableBufferPointer<Float>,
                 target: UnsafeMutableBufferPointer<Float>? = nil) throws -> PreparedSample? {
        let read = Result { () throws(ShardError) -> MDSRawSample in try dataset.rawSample(at: index) }
        if case .failure(let error) = read, error.code == .checksumMismatch, !options.failOnCorruptSample {
            skippedCounter.add(1)
            return nil
        }
        let raw = try read.get()
        var columns: [String: ColumnValue] = [:]
        for name in columnsToDecode { columns[name] = try dataset.value(of: name, in: raw) }
        let record = RecordReader(columns)
        guard let bytes = record.value(.image)?.bytesValue else {
            throw LoaderError(.corruptSample, "sample \(index) has no image column")
        }
        byteCounter.add(bytes.count)
        let format: RecordImageFormat
        do {
            format = try record.imageFormat()
        } catch {
            throw LoaderError(.badImage, "sample \(index): \(error.message)")
        }
        var rng = SplitMix64(seed: options.seed, stream: UInt64(epoch), index: UInt64(index))
        let augmentation = options.augmentation
        let decoded: GrayImage
        let plan: AugmentationPlan
        switch format {
        case .png16, .png8:
            // The crop is drawn from the header alone, so the decoder unfilters only the rows the crop reads.
            let header = try PNGInflateDecoder.header(bytes)
            plan = augmentation.plan(width: header.width, height: header.height, rng: &rng)
            let rows = target == nil ? plan.rowHigh
                : max(plan.rowHigh, augmentation.scaled(plan, by: options.targetScale).plan.rowHigh)
            decoded = try PNGInflateDecoder.decode(bytes, rows: rows) ?? PNGCodec.decodeWithLibpng(bytes)
        case .jpeg8:
            decoded = try JPEGCodec.decode(bytes)
            plan = augmentation.plan(width: decoded.width, height: decoded.height, rng: &rng)
        case .raw16:
            guard let w = record.value(.width)?.intValue, let h = record.value(.height)?.intValue, w > 0, h > 0,
                  Int(w * h * 2) == bytes.count else {
                throw LoaderError(.badImage, "sample \(index): raw16 image without matching width and height")
            }
            let pixels = unsafe [UInt16](unsafeUninitializedCapacity: bytes.count / 2) { buffer, initialised in
                for p in 0..<buffer.count { unsafe buffer[p] = UInt16(bytes[2 * p]) | UInt16(bytes[2 * p + 1]) << 8 }
                initialised = buffer.count
            }
            decoded = GrayImage(width: Int(w), height: Int(h), bitDepth: 16, pixels: pixels)
            plan = augmentation.plan(width: decoded.width, height: decoded.height, rng: &rng)
        }
        unsafe decoded.pixels.withUnsafeBufferPointer { pixels in
            unsafe augmentation.render(plan, pixels: pixels, maxValue: record.whiteLevel(bitDepth: decoded.bitDepth),
                                       into: image)
            if let target = unsafe target {
                let big = augmentation.scaled(plan, by: options.targetScale)
                unsafe big.augmentation.render(big.plan, pixels: pixels,
                                               maxValue: record.whiteLevel(bitDepth: decoded.bitDepth), into: target)
            }
        }
        var concepts = record.value(.concepts)?.floatArrayValue ?? []
        if concepts.count != options.conceptCount {
            concepts = Array(concepts.prefix(options.conceptCount))
            concepts += [Float](repeating: 0, count: options.conceptCount - concepts.count)
        }
        let impressionText = options.impressionColumn.flatMap { columns[$0]?.stringValue } ?? ""
        let findingsText = options.findingsColumn.flatMap { columns[$0]?.stringValue } ?? ""
        var sample = PreparedSample(
            impression: text(impressionText), findings: text(findingsText),
            impressionPresent: !impressionText.isEmpty, findingsPresent: !findingsText.isEmpty, concepts: concepts,
            key: columns[options.keyColumn]?.stringValue ?? String(index))
        if options.fields.contains(.graph) {
            do {
                sample.graph = graph(entities: try record.entities(), relations: try record.relations(),
                                     impression: sample.impression, findings: sample.findings)
            } catch {
                throw LoaderError(.corruptSample, "sample \(index): \(error.message)")
            }
        }
        if options.fields.contains(.labels) {
            let stored = record.value(.labels)?.floatArrayValue ?? []
            for c in 0..<TrainingBatch.labelCount {
                let (value, mask) = options.uncertainLabels.target(c < stored.count ? stored[c] : .nan)
                sample.labels.append(value)
                sample.labelMask.append(mask)
            }
        }
        return sample
    }

    /// A text encoded for the batch: the empty text (an absent section) is all padding, not `[CLS] [SEP]`.
    func text(_ value: String) -> EncodedText {
        let t = options.textLength
        if value.isEmpty {
            return EncodedText(ids: [Int32](repeating: tokenizer.padID, count: t), mask: [Float](repeating: 0, count: t),
                               wordIndex: [Int32](repeating: -1, count: t), start: [], end: [])
        }
        if options.fields.isDisjoint(with: [.words, .graph]) {
            let (ids, mask) = tokenizer.encode(value, length: t)
            return EncodedText(ids: ids, mask: mask, wordIndex: [], start: [], end: [])
        }
        return tokenizer.encodeWithOffsets(value, length: t)
    }

    /// The entities that land on tokens of either sequence, in slots, and the relations among them.
    func graph(entities: [RecordEntity], relations: [RecordRelation], impression: EncodedText, findings: EncodedText)
        -> SampleGraph
    {
        var g = SampleGraph()
        var slot = [Int32](repeating: -1, count: entities.count)
        for (row, e) in entities.enumerated() {
            guard g.text.count < options.maxEntities, let column = e.text else { continue }
            let sequence = column == .impression ? impression : findings
            guard let positions = sequence.positions(overlapping: e.textStart, e.textEnd) else { continue }
            slot[row] = Int32(g.text.count)
            g.text.append(column.rawValue)
            g.start.append(Int32(positions.lowerBound))
            g.end.append(Int32(positions.upperBound))
            g.kind.append(e.kind.rawValue)
            g.certainty.append(e.certainty.rawValue)
            g.concept.append(e.concept)
        }
        for r in relations where g.relations.count / 3 < options.maxRelations {
            guard Int(r.head) < slot.count, Int(r.tail) < slot.count, slot[Int(r.head)] >= 0, slot[Int(r.tail)] >= 0
            else { continue }
            g.relations += [slot[Int(r.head)], slot[Int(r.tail)], r.kind.rawValue]
        }
        return g
    }
}

/// One batch being prepared in the background.
final class BatchFuture: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<TrainingBatch, Error>?

    func fulfil(_ value: Result<TrainingBatch, Error>) {
        condition.lock()
        result = value
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> Result<TrainingBatch, Error> {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return result!
    }
}

/// The batch tensor's memory while workers fill it: one `size`-float slot per sample, each written by one worker.
struct ImageSlots: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Float>
    let size: Int

    func slot(_ i: Int) -> UnsafeMutableBufferPointer<Float> {
        unsafe UnsafeMutableBufferPointer(rebasing: buffer[(i * size)..<((i + 1) * size)])
    }
}
