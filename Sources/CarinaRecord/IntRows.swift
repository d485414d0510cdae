/// A JSON list of integer rows, `[[1, 2, 3], [4, 5, 6]]`: how the `entities` and `relations` columns are stored.
///
/// Written exactly as Python's `json.dumps` writes a list of lists of ints (`", "` separators), so StreamingDataset
/// returns it as a list of lists and `numpy.array(rows)` gives the `(N, width)` table. Read by a small parser that
/// takes only this shape, because the loader reads these columns for every sample.
enum IntRows {
    static func text(_ rows: [[Int64]]) -> String {
        var out = "["
        for (i, row) in rows.enumerated() {
            if i > 0 { out += ", " }
            out += "["
            for (j, v) in row.enumerated() {
                if j > 0 { out += ", " }
                out += String(v)
            }
            out += "]"
        }
        return out + "]"
    }

    /// The rows of `bytes`, each `width` integers long.
    ///
    /// - Throws: ``RecordError`` (`badColumn`) naming the column when the text is not such a list.
    static func parse<Bytes: Collection<UInt8>>(_ bytes: Bytes, width: Int, column: String) throws(RecordError) -> [[Int64]]
    where Bytes.Index == Int {
        let bad = RecordError(.badColumn, "the \(column) column is not a JSON list of rows of \(width) integers")
        var rows: [[Int64]] = []
        var i = bytes.startIndex
        let end = bytes.endIndex
        func skipSpace() { while i < end, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 } }
        func expect(_ b: UInt8) -> Bool {
            skipSpace()
            guard i < end, bytes[i] == b else { return false }
            i += 1
            return true
        }
        guard expect(0x5B) else { throw bad }  // [
        skipSpace()
        if i < end, bytes[i] == 0x5D { i += 1; skipSpace(); if i == end { return rows }; throw bad }
        while true {
            guard expect(0x5B) else { throw bad }
            var row: [Int64] = []
            row.reserveCapacity(width)
            while true {
                skipSpace()
                var negative = false
                if i < end, bytes[i] == 0x2D { negative = true; i += 1 }
                var value: Int64 = 0, digits = 0
                while i < end, bytes[i] >= 0x30, bytes[i] <= 0x39, digits < 18 {
                    value = value * 10 + Int64(bytes[i] - 0x30)
                    i += 1
                    digits += 1
                }
                guard digits > 0 else { throw bad }
                row.append(negative ? -value : value)
                skipSpace()
                guard i < end else { throw bad }
                if bytes[i] == 0x2C { i += 1; continue }
                if bytes[i] == 0x5D { i += 1; break }
                throw bad
            }
            guard row.count == width else { throw bad }
            rows.append(row)
            skipSpace()
            guard i < end else { throw bad }
            if bytes[i] == 0x2C { i += 1; continue }
            if bytes[i] == 0x5D { i += 1; break }
            throw bad
        }
        skipSpace()
        guard i == end else { throw bad }
        return rows
    }
}
