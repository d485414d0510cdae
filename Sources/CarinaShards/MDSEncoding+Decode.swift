extension MDSEncoding {
    /// The value of one column's encoded bytes.
    ///
    /// `str`/`str_float`/`str_decimal` → `.string`; `str_int` and signed integers → `.int`; unsigned → `.uint`;
    /// `float16`/`float32` → `.float32`; `float64` → `.float64`; `json` → `.json`; image and byte encodings →
    /// `.bytes`; a one-dimensional float32 `ndarray` → `.float32Array`, any other array → `.ndarray`.
    ///
    /// - Throws: ``ShardError`` (`malformed`) when the bytes do not hold a value of this encoding.
    func decode(_ bytes: ArraySlice<UInt8>, column: String) throws(ShardError) -> ColumnValue {
        func bad(_ why: String) -> ShardError { ShardError(.malformed, "column `\(column)` (\(name)): \(why)") }
        let base = bytes.startIndex
        switch kind {
        case .string, .stringOther:
            guard let s = String(validating: bytes, as: UTF8.self) else { throw bad("text is not valid UTF-8") }
            return .string(s)
        case .json:
            guard let s = String(validating: bytes, as: UTF8.self) else { throw bad("JSON is not valid UTF-8") }
            return .json(s)
        case .stringInt:
            guard let s = String(validating: bytes, as: UTF8.self), let v = Int64(s) else { throw bad("not an integer") }
            return .int(v)
        case .bytes:
            return .bytes(Array(bytes))
        case .signed(let width):
            guard bytes.count == width else { throw bad("expected \(width) bytes, got \(bytes.count)") }
            let raw = bytes.getLittleEndianUInt64(at: base, width: width)
            let shift = UInt64(64 - width * 8)
            return .int(Int64(bitPattern: raw << shift) >> Int64(shift))
        case .unsigned(let width):
            guard bytes.count == width else { throw bad("expected \(width) bytes, got \(bytes.count)") }
            return .uint(bytes.getLittleEndianUInt64(at: base, width: width))
        case .float16:
            guard bytes.count == 2 else { throw bad("expected 2 bytes, got \(bytes.count)") }
            return .float32(HalfFloat.float(from: UInt16(bytes.getLittleEndianUInt64(at: base, width: 2))))
        case .float32:
            guard bytes.count == 4 else { throw bad("expected 4 bytes, got \(bytes.count)") }
            return .float32(Float(bitPattern: bytes.getLittleEndianUInt32(at: base)))
        case .float64:
            guard bytes.count == 8 else { throw bad("expected 8 bytes, got \(bytes.count)") }
            return .float64(Double(bitPattern: bytes.getLittleEndianUInt64(at: base, width: 8)))
        case .ndarray(let fixedDType, let fixedShape):
            var cursor = base
            let dtype: NDArrayDType
            if let fixedDType {
                dtype = fixedDType
            } else {
                guard cursor < bytes.endIndex, let d = NDArrayDType(code: bytes[cursor]) else { throw bad("unknown dtype code") }
                dtype = d
                cursor += 1
            }
            let shape: [Int]
            if let fixedShape {
                shape = fixedShape
            } else {
                guard cursor < bytes.endIndex else { throw bad("missing shape header") }
                let header = bytes[cursor]
                cursor += 1
                let ndim = Int(header >> 2)
                let width = 1 << Int(header & 3)
                guard cursor + ndim * width <= bytes.endIndex else { throw bad("shape runs past the column") }
                shape = (0..<ndim).map { Int(bytes.getLittleEndianUInt64(at: cursor + $0 * width, width: width)) }
                cursor += ndim * width
            }
            let values = Array(bytes[cursor...])
            let count = shape.reduce(1, *)
            guard values.count == count * dtype.byteWidth else {
                throw bad("shape \(shape) of \(dtype) needs \(count * dtype.byteWidth) bytes, got \(values.count)")
            }
            let array = NDArrayValue(dtype: dtype, shape: shape, data: values)
            if dtype == .float32, shape.count == 1, let floats = array.float32Values { return .float32Array(floats) }
            return .ndarray(array)
        }
    }
}
