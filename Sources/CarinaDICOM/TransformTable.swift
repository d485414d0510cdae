/// A transform as one lookup table from stored bit pattern to output sample: every transform Carina offers is a
/// function of the stored value alone (plus statistics of the whole frame), so one table and one pass suffice.
struct TransformTable {
    let table: [UInt16]
    /// True when every pattern maps to itself (unsigned MONOCHROME2 data, no rescale): nothing to apply.
    let isIdentity: Bool

    init(table: [UInt16]) {
        self.table = table
        isIdentity = table.indices.allSatisfy { Int(table[$0]) == $0 }
    }

    /// Builds the table for `transform` at `bitDepth` (8 or 16).
    ///
    /// - Parameters:
    ///   - histogram: counts of each stored pattern in the frame (needed by min–max and equalisation; nil if unused).
    static func make(transform: PixelTransform, bitDepth: Int, metadata: DicomMetadata, mapping: RawMapping,
                     voiLUT: LookupTable?, histogram: [Int]?) -> TransformTable {
        let stored = StoredValues(bitsStored: metadata.bitsStored, signed: metadata.pixelRepresentation == 1)
        let mono1 = metadata.isMonochrome1
        let top = bitDepth == 16 ? 65535.0 : 255.0
        var table = [UInt16](repeating: 0, count: stored.count)
        switch transform {
        case .raw:
            for p in 0..<stored.count {
                table[p] = mapping.output(mapping.modality.apply(stored.value(p)), monochrome1: mono1)
            }
            if bitDepth == 8 {
                let present = presentPatterns(histogram!)
                let values = present.map { Int(table[$0]) }
                let lo = values.min() ?? 0
                let hi = values.max() ?? 0
                for p in 0..<stored.count {
                    let v = hi > lo ? (Double(Int(table[p]) - lo) / Double(hi - lo) * 255).rounded() : 0
                    table[p] = UInt16(min(max(v, 0), 255))
                }
            }
        case .window:
            let window = Window(metadata: metadata, voiLUT: voiLUT, mapping: mapping, stored: stored, histogram: histogram)
            for p in 0..<stored.count {
                let y = window.apply(mapping.modality.apply(stored.value(p)), top: top)
                table[p] = UInt16(mono1 ? top - y : y)
            }
        case .mimicJPG:
            table = mimic(stored: stored, monochrome1: mono1, histogram: histogram!)
            if bitDepth == 16 { table = table.map { $0 &* 257 } }
        }
        return TransformTable(table: table)
    }

    /// The stored patterns that occur in the frame.
    static func presentPatterns(_ histogram: [Int]) -> [Int] {
        histogram.indices.filter { histogram[$0] > 0 }
    }

    /// MIMIC-CXR-JPG: `x = uint8((v - min) / (max - min) * 255)` in double precision with truncation, `255 - x` for
    /// MONOCHROME1, then OpenCV's `equalizeHist` (a float scale `255 / (total - first bin)`, round half to even).
    static func mimic(stored: StoredValues, monochrome1: Bool, histogram: [Int]) -> [UInt16] {
        let present = presentPatterns(histogram)
        let values = present.map(stored.value)
        let lo = values.min() ?? 0
        let hi = values.max() ?? 0
        var eight = [Int](repeating: 0, count: stored.count)
        var hist8 = [Int](repeating: 0, count: 256)
        for p in 0..<stored.count {
            var x = 0
            if hi > lo { x = Int(Double(stored.value(p) - lo) / Double(hi - lo) * 255.0) }  // truncation toward 0
            x = min(max(x, 0), 255)
            if monochrome1 { x = 255 - x }
            eight[p] = x
            hist8[x] += histogram[p]
        }
        let equalise = equalizeHistTable(hist8)
        return eight.map { UInt16(equalise[$0]) }
    }

    /// OpenCV's `equalizeHist` lookup table for an 8-bit histogram.
    static func equalizeHistTable(_ hist: [Int]) -> [UInt8] {
        var lut = [UInt8](repeating: 0, count: 256)
        let total = hist.reduce(0, +)
        guard let first = hist.firstIndex(where: { $0 > 0 }) else { return lut }
        if hist[first] == total { return [UInt8](repeating: UInt8(first), count: 256) }
        let scale = Float(255) / Float(total - hist[first])
        var sum = 0
        for i in (first + 1)..<256 {
            sum += hist[i]
            let v = (Float(sum) * scale).rounded(.toNearestOrEven)
            lut[i] = UInt8(min(max(v, 0), 255))
        }
        return lut
    }

    /// Maps every stored pattern through the table in place: `values[i] = table[values[i]]`.
    func apply(to values: inout [UInt16]) {
        if isIdentity { return }
        precondition(table.count >= 1, "empty transform table")
        let last = table.count - 1
        unsafe table.withUnsafeBufferPointer { lut in
            unsafe values.withUnsafeMutableBufferPointer { v in
                for i in 0..<v.count { unsafe v[i] = unsafe lut[min(Int(v[i]), last)] }
            }
        }
    }

    /// Counts of each stored pattern (`count` = 2^bitsStored).
    static func histogram(of stored: [UInt16], count: Int) -> [Int] {
        var hist = [Int](repeating: 0, count: count)
        unsafe stored.withUnsafeBufferPointer { src in
            unsafe hist.withUnsafeMutableBufferPointer { h in
                for i in 0..<src.count { unsafe h[Int(src[i])] += 1 }
            }
        }
        return hist
    }
}
