import CarinaShards
import Foundation

/// The stored grey value that the loader maps to 1 before normalising.
///
/// A `raw` ingest keeps a DICOM's values as they are: a 12-bit film (most chest radiographs, Bits Stored 12) lands in a
/// 16-bit PNG holding 0…4095. Dividing by 65535 would squeeze it into [0, 0.06] and, after the mean/std normalisation,
/// leave the model an almost constant image; so a 16-bit sample whose `meta` declares its raw range
/// (`rawValueRange: [low, high]`, written by `carina ingest`) is scaled by `high`. 8-bit images, and 16-bit ones
/// without that field (shards written by other tools), use the full scale of their bit depth.
enum WhiteLevel {
    static func of(_ record: [String: ColumnValue], bitDepth: Int) -> Float {
        let full = Float((1 << bitDepth) - 1)
        guard bitDepth == 16, let meta = record["meta"]?.stringValue,
              let object = try? JSONSerialization.jsonObject(with: Data(meta.utf8)) as? [String: Any],
              let range = object["rawValueRange"] as? [NSNumber], range.count == 2 else { return full }
        let high = range[1].doubleValue
        return high >= 1 && high <= Double(full) ? Float(high) : full
    }
}
