import ArgumentParser
import CarinaShards
import Foundation

/// Limits on sizes a command would otherwise try to allocate whatever they cost: each is checked against a fixed
/// bound and against this machine's memory before anything is allocated.
enum Bounds {
    /// The largest `--size` of `carina ingest`: twice the long side of the largest chest radiograph (about 4,300).
    static let ingestSize = 8192
    /// The largest `--size` of `carina stream`.
    static let streamSize = 4096
    /// The largest `--text-length` of `carina stream`.
    static let textLength = 8192

    static var memory: Double { Double(ProcessInfo.processInfo.physicalMemory) }

    static func gigabytes(_ bytes: Double) -> String { String(format: "%.1f GB", bytes / 1e9) }

    /// Checks `carina ingest --size` and the memory its worker threads need (about 16 bytes per output pixel each:
    /// decoded values, resize buffers, encoder).
    static func check(ingestSize size: Int, threads: Int) throws {
        guard size <= ingestSize else {
            throw ValidationError("--size \(size) is larger than \(ingestSize) pixels, twice the largest chest radiograph; "
                + "use 0 to keep the full matrix")
        }
        let need = Double(threads) * Double(size) * Double(size) * 16
        guard need <= memory / 2 else {
            throw ValidationError("--size \(size) with --threads \(threads) needs about \(gigabytes(need)), more than half "
                + "this machine's \(gigabytes(memory)); use fewer --threads or a smaller --size")
        }
    }

    /// Checks `carina stream` sizes and the memory of its batch tensors (the batch being used, the prefetched ones and
    /// the one being filled: four of `batch × size² × 4` bytes).
    static func check(batch: Int, size: Int, textLength: Int) throws {
        guard size <= streamSize else {
            throw ValidationError("--size \(size) is larger than \(streamSize) pixels; models take 224 to 1024")
        }
        guard textLength <= Self.textLength else {
            throw ValidationError("--text-length \(textLength) is larger than \(Self.textLength) tokens")
        }
        let need = 4 * Double(batch) * Double(size) * Double(size) * 4
        guard need <= memory / 2 else {
            throw ValidationError("--batch \(batch) at --size \(size) needs about \(gigabytes(need)) of batch tensors, "
                + "more than half this machine's \(gigabytes(memory)); use a smaller --batch or --size")
        }
    }

    /// Checks that every named column (`none` for no column) is in the dataset at `directory`.
    static func checkColumns(_ directory: String, _ columns: [String: String]) throws {
        guard let index = try? MDSIndex(directory: directory), let first = index.shards.first else { return }
        let names = first.columns.map(\.name)
        for (option, column) in columns.sorted(by: { $0.key < $1.key }) where column != "none" && !names.contains(column) {
            throw ValidationError("\(option) \(column): \(directory) has no such column (its columns: "
                + "\(names.joined(separator: ", ")))")
        }
    }
}
