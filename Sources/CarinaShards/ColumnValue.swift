/// One column's value in a sample, as the writer takes it and the reader returns it.
///
/// The column's MDS encoding decides which cases it accepts: `str` takes `.string`; `bytes`, `png`, `jpeg` take
/// `.bytes` (already-encoded image bytes); `int`, `int8`…`uint64` take `.int` or `.uint`; `float32`/`float64` take
/// any number; `json` takes `.json` (serialised JSON text, written verbatim — use ``JSONValue`` to produce exactly
/// Python's `json.dumps` text); `ndarray…` takes `.ndarray` or `.float32Array` (a 1-D float32 array).
/// As in `streaming`'s `mds_encode`, `.bytes` given to any column is written as is (fixed-size columns still check
/// its length).
public enum ColumnValue: Sendable, Equatable {
    case string(String)
    case bytes([UInt8])
    case int(Int64)
    case uint(UInt64)
    case float32(Float)
    case float64(Double)
    /// Serialised JSON text.
    case json(String)
    /// A one-dimensional float32 array (an `ndarray` column of dtype float32).
    case float32Array([Float])
    /// An n-dimensional array of any MDS dtype.
    case ndarray(NDArrayValue)

    /// The string, for `.string` and `.json`.
    public var stringValue: String? {
        switch self {
        case .string(let s), .json(let s): return s
        default: return nil
        }
    }

    /// The integer, for `.int` and `.uint` values that fit in `Int64`.
    public var intValue: Int64? {
        switch self {
        case .int(let v): return v
        case .uint(let v): return v <= UInt64(Int64.max) ? Int64(v) : nil
        default: return nil
        }
    }

    /// The bytes, for `.bytes`.
    public var bytesValue: [UInt8]? {
        if case .bytes(let b) = self { return b }
        return nil
    }

    /// The values as floats, for `.float32Array` and float32 `.ndarray`.
    public var floatArrayValue: [Float]? {
        switch self {
        case .float32Array(let a): return a
        case .ndarray(let a) where a.dtype == .float32: return a.float32Values
        default: return nil
        }
    }
}
