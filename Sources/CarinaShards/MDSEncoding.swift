/// A parsed MDS column encoding: how one column's value becomes bytes in a sample, as `streaming`'s
/// `encodings.py` (mosaicml-streaming 0.13) does it.
///
/// Byte layouts (all little-endian):
/// - `str`, `str_int`, `str_float`, `str_decimal`: UTF-8 text (variable size).
/// - `bytes`, `png`, `jpeg`, `pil`, `pkl`, `jpeg_array`, `list[…]`: the bytes as given (variable size).
/// - `json`: UTF-8 JSON text (variable size).
/// - `int`, `int64`: 8-byte signed; `int8`…`uint64`: their width; `float16`/`float32`/`float64`: IEEE 754.
/// - `ndarray[:dtype[:d0,d1,…]]`: `[dtype code: 1 byte, if no dtype]` `[ndim<<2 | shape width code: 1 byte,
///   shape: ndim × (1|2|4|8) bytes, if no shape]` then the values in C order. With both dtype and shape given the
///   column has a fixed size and only the values are stored.
public struct MDSEncoding: Sendable, Equatable {
    /// The family of an encoding.
    public enum Kind: Sendable, Equatable {
        case string, stringInt, stringOther, bytes, json
        case signed(width: Int), unsigned(width: Int), float16, float32, float64
        case ndarray(dtype: NDArrayDType?, shape: [Int]?)
    }

    /// The encoding name as written in `index.json`.
    public let name: String
    /// What the encoding stores.
    public let kind: Kind

    /// Parses an encoding name.
    ///
    /// - Throws: ``ShardError`` (`invalidArgument`) for a name `streaming` does not know, naming the column.
    public init(_ name: String, column: String = "?") throws(ShardError) {
        self.name = name
        let bad = ShardError(.invalidArgument, "column `\(column)`: unsupported MDS encoding `\(name)`; use one of "
            + "str, bytes, int, int8…int64, uint8…uint64, float16/32/64, json, png, jpeg, ndarray[:dtype[:shape]]")
        if name.hasPrefix("ndarray") {
            let rest = name.dropFirst("ndarray".count)
            if rest.isEmpty {
                kind = .ndarray(dtype: nil, shape: nil)
                return
            }
            guard rest.first == ":" else { throw bad }
            let args = rest.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(args.count), let dtype = NDArrayDType(rawValue: String(args[0])) else { throw bad }
            var shape: [Int]?
            if args.count == 2 {
                let dims = args[1].split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
                guard !dims.isEmpty, dims.allSatisfy({ ($0 ?? 0) >= 1 }) else { throw bad }
                shape = dims.map { $0! }
            }
            kind = .ndarray(dtype: dtype, shape: shape)
            return
        }
        switch name {
        case "str": kind = .string
        case "str_int": kind = .stringInt
        case "str_float", "str_decimal": kind = .stringOther
        case "bytes", "png", "jpeg", "pil", "pkl", "jpeg_array", "jpegarray", "list[pil]", "list[jpeg]", "list[png]":
            kind = .bytes
        case "json": kind = .json
        case "int", "int64": kind = .signed(width: 8)
        case "int8": kind = .signed(width: 1)
        case "int16": kind = .signed(width: 2)
        case "int32": kind = .signed(width: 4)
        case "uint8": kind = .unsigned(width: 1)
        case "uint16": kind = .unsigned(width: 2)
        case "uint32": kind = .unsigned(width: 4)
        case "uint64": kind = .unsigned(width: 8)
        case "float16": kind = .float16
        case "float32": kind = .float32
        case "float64": kind = .float64
        default: throw bad
        }
    }

    /// The fixed encoded size in bytes, or `nil` for a variable-size column (written as `null` in `column_sizes`).
    public var fixedSize: Int? {
        switch kind {
        case .signed(let w), .unsigned(let w): w
        case .float16: 2
        case .float32: 4
        case .float64: 8
        case .ndarray(let dtype?, let shape?): shape.reduce(1, *) * dtype.byteWidth
        default: nil
        }
    }
}
