import Foundation

/// The MIT-LCP section-name normalization (`normalize_section_names` in `section_parser.py`), as data.
///
/// Three stages, first match wins: the exact table on the lower-cased, stripped header; then a substring test for
/// the main sections in order (impression, findings, history, comparison, addendum); then a view phrase
/// (`chest`, `portable`, `pa and lateral`, ...) anywhere in the name makes it `findings`. Anything else keeps its
/// lower-cased, stripped header as its name. The same tables are in `schemas/sections/` (a test checks they agree).
public enum MimicSectionNames {
    /// How a name was reached, recorded as the section's rule.
    public enum Stage: Sendable, Equatable {
        case exactTable
        case substring(String)
        case viewPhrase(String)
        case unmapped
    }

    /// The exact table, in the upstream order: (lower-cased header, normalized name).
    public static let exactTable: [(String, String)] = [
        ("preamble", "preamble"),
        ("impression", "impression"),
        ("comparison", "comparison"),
        ("indication", "indication"),
        ("findings", "findings"),
        ("examination", "examination"),
        ("technique", "technique"),
        ("history", "history"),
        ("comparisons", "comparison"),
        ("clinical history", "history"),
        ("reason for examination", "indication"),
        ("notification", "notification"),
        ("reason for exam", "indication"),
        ("clinical information", "history"),
        ("exam", "examination"),
        ("clinical indication", "indication"),
        ("conclusion", "impression"),
        ("chest, two views", "findings"),
        ("recommendation(s)", "recommendations"),
        ("type of examination", "examination"),
        ("reference exam", "comparison"),
        ("patient history", "history"),
        ("addendum", "addendum"),
        ("comparison exam", "comparison"),
        ("date", "date"),
        ("comment", "comment"),
        ("findings and impression", "impression"),
        ("wet read", "wet read"),
        ("comparison film", "comparison"),
        ("recommendations", "recommendations"),
        ("findings/impression", "impression"),
        ("pfi", "history"),
        ("recommendation", "recommendations"),
        ("wetread", "wet read"),
        ("ndication", "impression"),
        ("impresson", "impression"),
        ("imprression", "impression"),
        ("imoression", "impression"),
        ("impressoin", "impression"),
        ("imprssion", "impression"),
        ("impresion", "impression"),
        ("imperssion", "impression"),
        ("mpression", "impression"),
        ("impession", "impression"),
        ("findings/ impression", "impression"),
        ("finding", "findings"),
        ("findins", "findings"),
        ("findindgs", "findings"),
        ("findgings", "findings"),
        ("findngs", "findings"),
        ("findnings", "findings"),
        ("finidngs", "findings"),
        ("idication", "indication"),
        ("reference findings", "findings"),
        ("comparision", "comparison"),
        ("comparsion", "comparison"),
        ("comparrison", "comparison"),
        ("comparisions", "comparison"),
    ]

    public static let viewPhrases: [String] = [
        "chest",
        "portable",
        "pa and lateral",
        "lateral and pa",
        "ap and lateral",
        "lateral and ap",
        "frontal and",
        "two views",
        "frontal view",
        "pa view",
        "ap view",
        "one view",
        "lateral view",
        "bone window",
        "frontal upright",
        "frontal semi-upright",
        "ribs",
        "pa and lat",
    ]

    /// The main sections tested as substrings, in order.
    public static let mainSections = ["impression", "findings", "history", "comparison", "addendum"]

    static let exact: [String: String] = Dictionary(uniqueKeysWithValues: exactTable)

    /// Every name mimic mode can give without building a new string: the table's names, the main sections and the
    /// structural names. Sections refer to names by their index here.
    static let vocabulary: [String] = {
        var v: [String] = []
        for n in exactTable.map(\.1) + mainSections + ["findings", "preamble", "full report", "last_paragraph"]
            where !v.contains(n) { v.append(n) }
        return v
    }()

    static func code(_ name: String) -> Int32 { Int32(vocabulary.firstIndex(of: name)!) }

    /// The exact table as one flat byte buffer, bucketed by key length, for matching header bytes directly.
    struct FastTable: Sendable {
        var keys: [UInt8] = []
        /// (offset into `keys`, vocabulary code) per entry, grouped by key length.
        var entries: [(Int32, Int32)] = []
        /// `entries` index range per key length.
        var byLength: [Range<Int>] = []

        init() {
            var grouped = Array(repeating: [(String, String)](), count: 32)
            for (k, v) in MimicSectionNames.exactTable { grouped[k.utf8.count].append((k, v)) }
            for group in grouped {
                let lo = entries.count
                for (k, v) in group {
                    entries.append((Int32(keys.count), MimicSectionNames.code(v)))
                    keys += k.utf8
                }
                byLength.append(lo..<entries.count)
            }
        }

        /// The vocabulary code of the lower-cased key `b`, if it is in the exact table.
        @inline(__always)
        func lookup(_ b: UnsafeBufferPointer<UInt8>) -> Int32? {
            guard b.count < byLength.count else { return nil }
            return unsafe keys.withUnsafeBufferPointer { k in
                for e in byLength[b.count] {
                    let (off, code) = entries[e]
                    var i = 0
                    while unsafe i < b.count && k[Int(off) + i] == b[i] { i += 1 }
                    if i == b.count { return code }
                }
                return nil
            }
        }
    }

    static let fast = FastTable()

    /// The main sections and view phrases as bytes with their vocabulary codes, for the byte-level stages.
    static let mainBytes: [([UInt8], Int32)] = mainSections.map { (Array($0.utf8), code($0)) }
    static let viewBytes: [[UInt8]] = viewPhrases.map { Array($0.utf8) }

    /// Normalizes an already lower-cased, stripped section name.
    public static func normalize(_ name: String) -> (name: String, stage: Stage) {
        if let hit = exact[name] { return (hit, .exactTable) }
        for m in mainSections where name.containsBytes(m) { return (m, .substring(m)) }
        for p in viewPhrases where name.containsBytes(p) { return ("findings", .viewPhrase(p)) }
        return (name, .unmapped)
    }

    /// The rule string recorded for a stage in mimic mode.
    static func rule(_ stage: Stage) -> String {
        switch stage {
        case .exactTable: return "mimic:header+exact-table"
        case .substring(let m): return "mimic:header+substring:\(m)"
        case .viewPhrase(let p): return "mimic:header+view-phrase:\(p)"
        case .unmapped: return "mimic:header+unmapped"
        }
    }
}
