/// NumPy `.npy` format version 1.0: magic `\x93NUMPY`, version bytes `1 0`, a little-endian uint16 header length, an
/// ASCII Python-dict header (`{'descr': '<u2', 'fortran_order': False, 'shape': (H, W), }`) padded with spaces and
/// a newline so the data starts on a 64-byte boundary, then the raw little-endian values in C order.
public enum NPYFile {
    /// The bytes of an `.npy` file holding `array`.
    public static func encode(_ array: NDArrayValue) -> [UInt8] {
        let shape = array.shape.count == 1 ? "(\(array.shape[0]),)" : "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(array.dtype.numpyDescriptor)', 'fortran_order': False, 'shape': \(shape), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        out.appendLittleEndian(UInt16(header.utf8.count))
        out.appendUTF8(header)
        out.append(contentsOf: array.data)
        return out
    }
}
