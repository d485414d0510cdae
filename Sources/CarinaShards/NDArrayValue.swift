/// An n-dimensional array as MDS stores it: a dtype, a shape, and the values' little-endian bytes in C order.
public struct NDArrayValue: Sendable, Equatable {
    /// The element type.
    public var dtype: NDArrayDType
    /// The shape (every dimension at least 1).
    public var shape: [Int]
    /// The values, little-endian, C order: `shape.reduce(1, *) * dtype.byteWidth` bytes.
    public var data: [UInt8]

    /// An array from its raw little-endian bytes.
    public init(dtype: NDArrayDType, shape: [Int], data: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// A float32 array with the given shape (defaults to one dimension).
    public init(float32 values: [Float], shape: [Int]? = nil) {
        dtype = .float32
        self.shape = shape ?? [values.count]
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for v in values { bytes.appendLittleEndian(v.bitPattern) }
        data = bytes
    }

    /// A uint16 array with the given shape.
    public init(uint16 values: [UInt16], shape: [Int]) {
        dtype = .uint16
        self.shape = shape
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 2)
        for v in values { bytes.appendLittleEndian(v) }
        data = bytes
    }

    /// The number of elements the shape holds.
    public var elementCount: Int { shape.reduce(1, *) }

    /// The values as `Float`, when the dtype is float32.
    public var float32Values: [Float]? {
        guard dtype == .float32 else { return nil }
        return stride(from: 0, to: data.count - 3, by: 4).map { Float(bitPattern: data.getLittleEndianUInt32(at: $0)) }
    }
}

/// The element types MDS `ndarray` columns can hold, with the one-byte codes `streaming` writes.
public enum NDArrayDType: String, Sendable, CaseIterable {
    case uint8, int8, uint16, int16, float16, uint32, int32, float32, uint64, int64, float64

    /// The code `streaming`'s `NDArray` encoding writes for a dynamic dtype.
    public var code: UInt8 {
        switch self {
        case .uint8: 8
        case .int8: 9
        case .uint16: 16
        case .int16: 17
        case .float16: 18
        case .uint32: 32
        case .int32: 33
        case .float32: 34
        case .uint64: 64
        case .int64: 65
        case .float64: 66
        }
    }

    /// The dtype with a given code, if any.
    public init?(code: UInt8) {
        guard let match = NDArrayDType.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .uint8, .int8: 1
        case .uint16, .int16, .float16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64: 8
        }
    }

    /// The file extension-free numpy descriptor (`<f4`, `|u1`, …) used in `.npy` headers.
    public var numpyDescriptor: String {
        switch self {
        case .uint8: "|u1"
        case .int8: "|i1"
        case .uint16: "<u2"
        case .int16: "<i2"
        case .float16: "<f2"
        case .uint32: "<u4"
        case .int32: "<i4"
        case .float32: "<f4"
        case .uint64: "<u8"
        case .int64: "<i8"
        case .float64: "<f8"
        }
    }
}
