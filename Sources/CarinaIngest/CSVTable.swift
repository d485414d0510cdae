import CarinaCore

/// A CSV file (RFC 4180: quoted fields, doubled quotes, CRLF or LF) read into a header and rows of strings.
public struct CSVTable: Sendable {
    public let header: [String]
    public let rows: [[String]]

    /// Parses CSV text. Rows whose field count differs from the header's are an error naming the line.
    ///
    /// - Complexity: O(n) in the length of the text.
    public init(text: [UInt8], source: String) throws(IngestError) {
        var records: [[String]] = []
        var recordLines: [Int] = []
        try Self.scanRecords(text, source: source) { (fields: [String], line: Int) throws(IngestError) in
            records.append(fields)
            recordLines.append(line)
        }
        guard let first = records.first else { throw IngestError(.malformedCSV, "\(source): empty file, expected a header line") }
        header = first
        for (offset, row) in records.dropFirst().enumerated() where row.count != first.count {
            throw Self.raggedRow(source: source, line: recordLines[offset + 1], fields: row.count, header: first.count)
        }
        rows = Array(records.dropFirst())
    }

    /// Streams the rows of a `.csv` or `.csv.gz` file without holding the table: `body` gets, for each row in file
    /// order, the fields of `columns` (named as in the header, in the order given). Memory is the file's bytes and
    /// one row, however many rows there are.
    ///
    /// - Throws: ``IngestError`` for an unreadable file, an empty one, a missing column, or a row whose field count
    ///   differs from the header's (naming the line); and whatever `body` throws.
    public static func forEachRow(path: String, columns: [String],
                                  _ body: ([String]) throws(IngestError) -> Void) throws(IngestError) {
        let bytes: [UInt8]
        do { bytes = try GzipFile.read(path: path) } catch { throw IngestError(.unreadableFile, error.description) }
        var header: [String]?
        var picks: [Int] = []
        var picked: [String] = []
        try scanRecords(bytes, source: path) { (fields: [String], line: Int) throws(IngestError) in
            guard let header else {
                for name in columns { picks.append(try columnIndex(name, in: fields, source: path)) }
                header = fields
                return
            }
            guard fields.count == header.count else {
                throw raggedRow(source: path, line: line, fields: fields.count, header: header.count)
            }
            picked.removeAll(keepingCapacity: true)
            for index in picks { picked.append(fields[index]) }
            try body(picked)
        }
        if header == nil { throw IngestError(.malformedCSV, "\(path): empty file, expected a header line") }
    }

    /// Streams the rows of a `.csv` or `.csv.gz` file as ``forEachRow(path:columns:_:)`` does, also giving the
    /// fields of `optional` columns (nil when the header lacks one) and the line each row starts on.
    public static func forEachRow(path: String, columns: [String], optional: [String],
                                  _ body: ([String], [String?], Int) throws(IngestError) -> Void) throws(IngestError) {
        let bytes: [UInt8]
        do { bytes = try GzipFile.read(path: path) } catch { throw IngestError(.unreadableFile, error.description) }
        var header: [String]?
        var picks: [Int] = []
        var optionalPicks: [Int?] = []
        try scanRecords(bytes, source: path) { (fields: [String], line: Int) throws(IngestError) in
            guard let header else {
                for name in columns { picks.append(try columnIndex(name, in: fields, source: path)) }
                optionalPicks = optional.map { fields.firstIndex(of: $0) }
                header = fields
                return
            }
            guard fields.count == header.count else {
                throw raggedRow(source: path, line: line, fields: fields.count, header: header.count)
            }
            try body(picks.map { fields[$0] }, optionalPicks.map { $0.map { fields[$0] } }, line)
        }
        if header == nil { throw IngestError(.malformedCSV, "\(path): empty file, expected a header line") }
    }

    /// Splits CSV text into records (RFC 4180), calling `body` with each record's fields and the line it starts on.
    static func scanRecords(_ text: [UInt8], source: String,
                            _ body: ([String], Int) throws(IngestError) -> Void) throws(IngestError) {
        var record: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var index = 0
        var line = 1
        var lineOfRecord = 1
        func endField() { record.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
        while index < text.count {
            let byte = text[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < text.count && text[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inQuotes = true
                case UInt8(ascii: ","): endField()
                case UInt8(ascii: "\r"): break
                case UInt8(ascii: "\n"):
                    endField()
                    try body(record, lineOfRecord)
                    record.removeAll(keepingCapacity: true)
                    line += 1
                    lineOfRecord = line
                default: field.append(byte)
                }
            }
            index += 1
        }
        if inQuotes { throw IngestError(.malformedCSV, "\(source): unterminated quoted field starting on line \(lineOfRecord)") }
        if !field.isEmpty || !record.isEmpty {
            endField()
            try body(record, lineOfRecord)
        }
    }

    /// Reads a `.csv` or `.csv.gz` file.
    public init(path: String) throws(IngestError) {
        let bytes: [UInt8]
        do { bytes = try GzipFile.read(path: path) } catch { throw IngestError(.unreadableFile, error.description) }
        try self.init(text: bytes, source: path)
    }

    /// The column index of `name`, or an error naming the file and the missing column.
    public func column(_ name: String, source: String) throws(IngestError) -> Int {
        try Self.columnIndex(name, in: header, source: source)
    }

    static func columnIndex(_ name: String, in header: [String], source: String) throws(IngestError) -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw IngestError(.malformedCSV, "\(source): no column \"\(name)\" (header: \(header.joined(separator: ",")))")
        }
        return index
    }

    static func raggedRow(source: String, line: Int, fields: Int, header: Int) -> IngestError {
        IngestError(.malformedCSV, "\(source):\(line): \(fields) fields, the header has \(header)")
    }
}
