/// Resizing by area averaging and padding to a square.
extension GrayImage {
    /// The output size whose long side is `longSide`, aspect kept (short side rounded half to even, at least 1).
    public static func size(width: Int, height: Int, longSide: Int) -> (width: Int, height: Int) {
        let scale = Double(longSide) / Double(max(width, height))
        let w = max(1, Int((Double(width) * scale).rounded(.toNearestOrEven)))
        let h = max(1, Int((Double(height) * scale).rounded(.toNearestOrEven)))
        return width >= height ? (longSide, h) : (w, longSide)
    }

    /// The image scaled so its long side is `longSide`, each output pixel the area-weighted mean of the input pixels
    /// its footprint covers (fractional coverage at the edges), so large reductions do not alias.
    ///
    /// - Complexity: O(input pixels + output pixels × footprint).
    public func resized(longSide: Int) -> GrayImage {
        precondition(longSide > 0, "long side must be positive, got \(longSide)")
        let target = GrayImage.size(width: width, height: height, longSide: longSide)
        return resized(width: target.width, height: target.height)
    }

    /// The image scaled to `newWidth` × `newHeight` by area averaging.
    public func resized(width newWidth: Int, height newHeight: Int) -> GrayImage {
        precondition(newWidth > 0 && newHeight > 0, "target size must be positive")
        if newWidth == width && newHeight == height { return self }
        return GrayImage.areaResize(values: pixels, width: width, height: height, table: nil, bitDepth: bitDepth,
                                    newWidth: newWidth, newHeight: newHeight)
    }

    /// `GrayImage(width:height:bitDepth:pixels: values.map { table[Int($0)] }).resized(longSide:)` in one pass,
    /// without the full-size mapped image: what a decoder with a lookup-table transform needs.
    ///
    /// - Parameters:
    ///   - values: `width * height` row-major indices into `table`.
    ///   - table: the transform (nil: the values themselves); every entry below `1 << bitDepth`. Indices past its end
    ///     read its last entry.
    public static func resized(values: [UInt16], width: Int, height: Int, through table: [UInt16]?, bitDepth: Int,
                               longSide: Int) -> GrayImage {
        precondition(values.count == width * height && table?.isEmpty != true, "values must fill \(width)x\(height)")
        let target = size(width: width, height: height, longSide: longSide)
        return areaResize(values: values, width: width, height: height, table: table, bitDepth: bitDepth,
                          newWidth: target.width, newHeight: target.height)
    }

    /// The area-averaging kernel. Per output row, pass 1 sums its input rows into one Float row (contiguous,
    /// vectorisable), pass 2 reduces that row to `newWidth` columns.
    static func areaResize(values: [UInt16], width: Int, height: Int, table: [UInt16]?, bitDepth: Int,
                           newWidth: Int, newHeight: Int) -> GrayImage {
        let columns = AreaWeights(input: width, output: newWidth)
        let rows = AreaWeights(input: height, output: newHeight)
        let top = Float(bitDepth == 16 ? 65535 : 255)
        var out = [UInt16](repeating: 0, count: newWidth * newHeight)
        var accumulator = [Float](repeating: 0, count: width)
        let lookup = table ?? []
        let last = max(lookup.count - 1, 0)
        // A table of the form base ± index (MONOCHROME1 inversion, an integer intercept) is computed rather than
        // looked up, which vectorises; the values, and so the sums, are the same.
        let line = table.flatMap(UnitSlopeTable.init)
        unsafe values.withUnsafeBufferPointer { src in
            unsafe lookup.withUnsafeBufferPointer { lut in
                unsafe out.withUnsafeMutableBufferPointer { dst in
                    unsafe accumulator.withUnsafeMutableBufferPointer { acc in
                        unsafe columns.start.withUnsafeBufferPointer { start in
                            unsafe columns.offset.withUnsafeBufferPointer { offset in
                                unsafe columns.weight.withUnsafeBufferPointer { weight in
                                    let a = unsafe acc.baseAddress!
                                    for y in 0..<newHeight {
                                        unsafe a.update(repeating: 0, count: width)
                                        var row = rows.start[y]
                                        var t = rows.offset[y]
                                        let end = rows.offset[y + 1]
                                        while t < end {
                                            let w = rows.weight[t]
                                            let p = unsafe src.baseAddress! + row &* width
                                            if table == nil && t + 1 < end {
                                                // Two input rows per sweep: the same sums in the same order, half
                                                // the accumulator traffic.
                                                let w1 = rows.weight[t + 1]
                                                let q = unsafe p + width
                                                for x in 0..<width {
                                                    unsafe a[x] = (a[x] + Float(p[x]) * w) + Float(q[x]) * w1
                                                }
                                                row += 2
                                                t += 2
                                                continue
                                            }
                                            if table == nil {
                                                for x in 0..<width { unsafe a[x] += Float(p[x]) * w }
                                            } else if let line {
                                                let base = line.base
                                                let step = line.step
                                                let top = UInt16(last)
                                                for x in 0..<width {
                                                    unsafe a[x] += Float(base &+ step &* Int32(min(p[x], top))) * w
                                                }
                                            } else {
                                                let l = unsafe lut.baseAddress!
                                                for x in 0..<width { unsafe a[x] += Float(l[min(Int(p[x]), last)]) * w }
                                            }
                                            row += 1
                                            t += 1
                                        }
                                        let rowOut = y &* newWidth
                                        for x in 0..<newWidth {
                                            var sum: Float = 0
                                            var j = unsafe start[x]
                                            for t in unsafe offset[x]..<offset[x + 1] {
                                                sum += unsafe a[j] * weight[t]
                                                j &+= 1
                                            }
                                            unsafe dst[rowOut &+ x] = UInt16(min(max(sum + 0.5, 0), top))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return GrayImage(width: newWidth, height: newHeight, bitDepth: bitDepth, pixels: out)
    }

    /// The image centred on a square canvas of side `max(width, height)`, the margins black (0).
    public func paddedToSquare() -> GrayImage {
        let side = max(width, height)
        if width == height { return self }
        var out = [UInt16](repeating: 0, count: side * side)
        let left = (side - width) / 2
        let top = (side - height) / 2
        for y in 0..<height {
            let from = y * width
            let to = (y + top) * side + left
            out.replaceSubrange(to..<(to + width), with: pixels[from..<(from + width)])
        }
        return GrayImage(width: side, height: side, bitDepth: bitDepth, pixels: out)
    }
}

/// For each output index along one axis: the first input index and the normalized overlap weights of the input
/// pixels `[j, j+1)` with the output footprint `[i·s, (i+1)·s)`, where `s = input / output`.
struct AreaWeights {
    var start: [Int] = []
    var offset: [Int] = [0]
    var weight: [Float] = []

    init(input: Int, output: Int) {
        let scale = Double(input) / Double(output)
        start.reserveCapacity(output)
        for i in 0..<output {
            let lo = Double(i) * scale
            let hi = min(Double(i + 1) * scale, Double(input))
            let first = min(Int(lo.rounded(.down)), input - 1)
            var last = Int(hi.rounded(.up)) - 1
            last = max(first, min(last, input - 1))
            var taps: [Double] = []
            for j in first...last {
                let overlap = min(hi, Double(j + 1)) - max(lo, Double(j))
                taps.append(max(overlap, 0))
            }
            let total = taps.reduce(0, +)
            start.append(first)
            for t in taps { weight.append(Float(total > 0 ? t / total : 1.0 / Double(taps.count))) }
            offset.append(weight.count)
        }
    }
}

/// A lookup table that is `base + step × index` for every index, with `step` 1 or -1.
struct UnitSlopeTable {
    let base: Int32
    let step: Int32

    /// Nil unless every entry lies on one such line.
    init?(_ table: [UInt16]) {
        guard table.count >= 2 else { return nil }
        let step = Int32(table[1]) - Int32(table[0])
        guard step == 1 || step == -1 else { return nil }
        let base = Int32(table[0])
        for i in table.indices where Int32(table[i]) != base + step * Int32(i) { return nil }
        self.base = base
        self.step = step
    }
}
