import CarinaCore
import CarinaImage
import CarinaRecord
import CarinaShards
import Foundation

/// Exports an MDS dataset to WebDataset: one plain ustar tar per MDS shard (`shard-NNNNNN.tar`), each record a
/// group of adjacent members named `<key>.<ext>`, and a `wids` index `index.wids.json`.
///
/// Records are read through ``CarinaRecord``'s schema and 16-bit PNGs decoded with ``CarinaImage``'s PNG decoder.
///
/// Members per record (`key` = the `dicom_id` column, else the zero-padded global index; dots become `_` because
/// webdataset splits the key at the first dot):
/// - the `image` column: `<key>.png` / `<key>.jpg` for 8-bit images as stored; 16-bit PNG and `raw16` images as
///   `<key>.npy` (uint16, shape `(height, width)`), because webdataset's image decoders clip to 8 bits;
/// - `str` columns `<key>.<column>.txt`; `json` columns `<key>.<column>.json`; integer and float scalars
///   `<key>.<column>.txt` (decimal / Python repr); arrays `<key>.<column>.npy`; other bytes `<key>.<column>.bin`.
public enum WebDatasetExport {
    typealias Column = RecordSchema.Column

    /// The index file name (`wids.ShardListDataset` reads it).
    public static let indexFileName = "index.wids.json"

    /// What the export wrote.
    public struct Summary: Sendable {
        public var tars: [String] = []
        public var samples = 0
        public var bytes = 0
    }

    /// Exports `dataset` into the folder `output` (created if missing).
    ///
    /// - Throws: ``ShardError`` for a corrupt sample (under the dataset's CRC policy), an image that cannot be
    ///   converted, or a file error.
    @discardableResult
    public static func export(_ dataset: MDSDataset, to output: String) throws(ShardError) -> Summary {
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw ShardError(.io, "cannot create \(output): \(FileErrorText.reason(error))")
        }
        var summary = Summary()
        var shardList = [JSONValue]()
        let width = max(6, String(dataset.count).count)
        let ranges = dataset.shardSampleRanges
        for (s, entry) in dataset.index.shards.enumerated() {
            let name = "shard-" + String(repeating: "0", count: max(0, 6 - String(s).count)) + String(s) + ".tar"
            var tar = try TarWriter(path: (output as NSString).appendingPathComponent(name))
            for global in ranges[s] {
                let sample = try dataset.sample(at: global)
                var key = sample[Column.dicomID.rawValue]?.stringValue ?? ""
                if key.isEmpty { key = String(repeating: "0", count: max(0, width - String(global).count)) + String(global) }
                key = key.replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "/", with: "_")
                for (member, data) in try members(of: sample, key: key, dataset: dataset, global: global) {
                    try tar.add(name: member, data: data)
                }
            }
            try tar.finish()
            summary.tars.append(name)
            summary.samples += entry.samples
            summary.bytes += tar.bytesWritten
            shardList.append(.object([("url", .string(name)), ("nsamples", .int(Int64(entry.samples))),
                                      ("filesize", .int(Int64(tar.bytesWritten)))]))
        }
        let index = JSONValue.object([
            ("__kind__", .string("wids-shard-index-v1")), ("wids_version", .int(1)),
            ("name", .string((dataset.directory as NSString).lastPathComponent)), ("shardlist", .array(shardList)),
        ])
        let indexPath = (output as NSString).appendingPathComponent(indexFileName)
        do {
            try Data(index.pythonText().utf8).write(to: URL(fileURLWithPath: indexPath), options: .atomic)
        } catch {
            throw ShardError(.io, "cannot write \(indexPath): \(FileErrorText.reason(error))")
        }
        return summary
    }

    /// The members of one record, in column-name order (the image first).
    static func members(of sample: [String: ColumnValue], key: String, dataset: MDSDataset,
                        global: Int) throws(ShardError) -> [(String, [UInt8])] {
        var out = [(String, [UInt8])]()
        let format = sample[Column.imageFormat.rawValue]?.stringValue ?? ""
        for spec in dataset.columns {
            guard let value = sample[spec.name] else { continue }
            if spec.name == Column.image.rawValue, case .bytes(let bytes) = value {
                out.insert(try image(bytes, format: format, encoding: spec.encoding, sample: sample, key: key, global: global), at: 0)
                continue
            }
            switch value {
            case .string(let s): out.append(("\(key).\(spec.name).txt", Array(s.utf8)))
            case .json(let s): out.append(("\(key).\(spec.name).json", Array(s.utf8)))
            case .int(let v): out.append(("\(key).\(spec.name).txt", Array(String(v).utf8)))
            case .uint(let v): out.append(("\(key).\(spec.name).txt", Array(String(v).utf8)))
            case .float32(let v): out.append(("\(key).\(spec.name).txt", Array(JSONValue.pythonRepr(v).utf8)))
            case .float64(let v): out.append(("\(key).\(spec.name).txt", Array(JSONValue.pythonRepr(v).utf8)))
            case .float32Array(let a): out.append(("\(key).\(spec.name).npy", NPYFile.encode(NDArrayValue(float32: a))))
            case .ndarray(let a): out.append(("\(key).\(spec.name).npy", NPYFile.encode(a)))
            case .bytes(let b): out.append(("\(key).\(spec.name).bin", b))
            }
        }
        return out
    }

    private static func image(_ bytes: [UInt8], format: String, encoding: String, sample: [String: ColumnValue],
                              key: String, global: Int) throws(ShardError) -> (String, [UInt8]) {
        if format == "raw16" || (encoding == "bytes" && format.isEmpty) {
            guard let w = sample[Column.width.rawValue]?.intValue, let h = sample[Column.height.rawValue]?.intValue,
                  Int(w * h * 2) == bytes.count else {
                throw ShardError(.malformed, "sample \(global): raw16 image of \(bytes.count) bytes does not match width × height", sample: global)
            }
            return ("\(key).npy", NPYFile.encode(NDArrayValue(dtype: .uint16, shape: [Int(h), Int(w)], data: bytes)))
        }
        if let header = try? PNGInflateDecoder.header(bytes) {
            guard header.bitDepth == 16 else { return ("\(key).png", bytes) }
            let decoded: GrayImage
            do {
                decoded = try PNGCodec.decode(bytes)
            } catch {
                throw ShardError(.malformed, "sample \(global): its 16-bit PNG does not decode (\(error))", sample: global)
            }
            return ("\(key).npy", NPYFile.encode(NDArrayValue(uint16: decoded.pixels, shape: [decoded.height, decoded.width])))
        }
        if bytes.count > 3, bytes[0] == 0xFF, bytes[1] == 0xD8 { return ("\(key).jpg", bytes) }
        throw ShardError(.malformed, "sample \(global): image is neither PNG, JPEG nor raw16 (format `\(format)`)", sample: global)
    }
}
