extension MDSEncoding {
    /// Appends the encoded bytes of `value` to `out`, as `streaming.base.format.mds.encodings.mds_encode` would.
    ///
    /// - Throws: ``ShardError`` (`invalidArgument`) when the value does not fit the encoding (wrong case, integer out
    ///   of range, array dtype or shape mismatch, empty array), naming the column.
    func encode(_ value: ColumnValue, column: String, into out: inout [UInt8]) throws(ShardError) {
        func mismatch(_ why: String) -> ShardError {
            ShardError(.invalidArgument, "column `\(column)` (\(name)): \(why)")
        }
        // `mds_encode` writes a bytes object as is, whatever the encoding.
        if case .bytes(let raw) = value {
            if let size = fixedSize, size != raw.count {
                throw mismatch("got \(raw.count) raw bytes but the encoding holds exactly \(size)")
            }
            out.append(contentsOf: raw)
            return
        }
        switch kind {
        case .string:
            guard case .string(let s) = value else { throw mismatch("expected a string, got \(value.caseName)") }
            out.appendUTF8(s)
        case .stringInt:
            guard let v = value.intValue else { throw mismatch("expected an integer, got \(value.caseName)") }
            out.appendUTF8(String(v))
        case .stringOther:
            guard case .string(let s) = value else {
                throw mismatch("give the number's Python text as a string, got \(value.caseName)")
            }
            out.appendUTF8(s)
        case .bytes:
            throw mismatch("expected encoded bytes, got \(value.caseName)")
        case .json:
            guard case .json(let text) = value else { throw mismatch("expected JSON text, got \(value.caseName)") }
            out.appendUTF8(text)
        case .signed(let width):
            let v: Int64
            switch value {
            case .int(let i): v = i
            case .uint(let u) where u <= UInt64(Int64.max): v = Int64(u)
            default: throw mismatch("expected an integer in range, got \(value.caseName)")
            }
            let bits = Int64(width * 8)
            if width < 8, v < -(Int64(1) << (bits - 1)) || v >= (Int64(1) << (bits - 1)) {
                throw mismatch("\(v) is out of range for a \(width * 8)-bit signed integer")
            }
            appendInteger(UInt64(bitPattern: v), width: width, into: &out)
        case .unsigned(let width):
            let v: UInt64
            switch value {
            case .uint(let u): v = u
            case .int(let i) where i >= 0: v = UInt64(i)
            default: throw mismatch("expected a non-negative integer, got \(value.caseName)")
            }
            if width < 8, v >= (UInt64(1) << UInt64(width * 8)) {
                throw mismatch("\(v) is out of range for a \(width * 8)-bit unsigned integer")
            }
            appendInteger(v, width: width, into: &out)
        case .float16:
            guard let d = value.doubleValue else { throw mismatch("expected a number, got \(value.caseName)") }
            out.appendLittleEndian(HalfFloat.bits(from: Float(d)))
        case .float32:
            guard let d = value.doubleValue else { throw mismatch("expected a number, got \(value.caseName)") }
            let f: Float = if case .float32(let x) = value { x } else { Float(d) }
            out.appendLittleEndian(f.bitPattern)
        case .float64:
            guard let d = value.doubleValue else { throw mismatch("expected a number, got \(value.caseName)") }
            out.appendLittleEndian(d.bitPattern)
        case .ndarray(let fixedDType, let fixedShape):
            let array: NDArrayValue
            switch value {
            case .ndarray(let a): array = a
            case .float32Array(let values): array = NDArrayValue(float32: values)
            default: throw mismatch("expected an array, got \(value.caseName)")
            }
            guard array.elementCount > 0, array.shape.allSatisfy({ $0 >= 1 }) else {
                throw mismatch("arrays need at least one element and every dimension >= 1, got shape \(array.shape)")
            }
            guard array.data.count == array.elementCount * array.dtype.byteWidth else {
                throw mismatch("shape \(array.shape) of \(array.dtype) needs "
                    + "\(array.elementCount * array.dtype.byteWidth) bytes, got \(array.data.count)")
            }
            if let fixedDType {
                guard array.dtype == fixedDType else { throw mismatch("wrong dtype: expected \(fixedDType), got \(array.dtype)") }
            } else {
                out.append(array.dtype.code)
            }
            if let fixedShape {
                guard array.shape == fixedShape else { throw mismatch("wrong shape: expected \(fixedShape), got \(array.shape)") }
            } else {
                guard array.shape.count < 64 else { throw mismatch("arrays have at most 63 axes") }
                let largest = array.shape.max()!
                let widthCode: UInt8 = largest < 1 << 8 ? 0 : largest < 1 << 16 ? 1 : largest < 1 << 32 ? 2 : 3
                out.append(UInt8(array.shape.count << 2) | widthCode)
                for dim in array.shape { appendInteger(UInt64(dim), width: 1 << Int(widthCode), into: &out) }
            }
            out.append(contentsOf: array.data)
        }
    }

    private func appendInteger(_ v: UInt64, width: Int, into out: inout [UInt8]) {
        for i in 0..<width { out.append(UInt8(truncatingIfNeeded: v >> UInt64(8 * i))) }
    }
}

extension ColumnValue {
    /// The case's name, for error messages.
    var caseName: String {
        switch self {
        case .string: "a string"
        case .bytes: "bytes"
        case .int: "an integer"
        case .uint: "an unsigned integer"
        case .float32: "a float32"
        case .float64: "a float64"
        case .json: "JSON text"
        case .float32Array: "a float32 array"
        case .ndarray: "an array"
        }
    }

    /// The number, for numeric cases.
    var doubleValue: Double? {
        switch self {
        case .int(let v): Double(v)
        case .uint(let v): Double(v)
        case .float32(let v): Double(v)
        case .float64(let v): v
        default: nil
        }
    }
}
