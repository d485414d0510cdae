/// Clean-mode section names: the MIT-LCP tables with their bugs fixed and a few more rules.
///
/// Stages, first match wins (each recorded as the section's rule):
/// 1. `addendum`: any header containing "addendum" (`ADDENDUM  IMPRESSION` is an addendum, not the impression);
/// 2. `wet_read`: `wet read`, `wetread`;
/// 3. the exact table (`schemas/sections/clean-name-table.tsv`): the MIT-LCP table with `ndication` → indication
///    and the extra spellings listed there;
/// 4. substring: impression, findings, history, comparison, indication, technique, recommendation;
/// 5. a view phrase (`chest`, `portable`, `pa and lateral`, ...) → findings;
/// 6. a misspelling within two edits of a canonical name (`fidings`, `imoression`, `comaprison`);
/// 7. otherwise the header itself, lower-cased, spaces collapsed.
public enum CleanSectionNames {
    /// Corrections and additions to the MIT-LCP exact table.
    public static let cleanTable: [(String, String)] = [
        ("ndication", "indication"),
        ("indications", "indication"),
        ("impressions", "impression"),
        ("findings and impression", "impression"),
        ("finding", "findings"),
        ("wet read", "wet_read"),
        ("wetread", "wet_read"),
        ("reason for this examination", "indication"),
        ("medical condition", "history"),
        ("comparison study", "comparison"),
        ("comparison studies", "comparison"),
        ("prior study", "comparison"),
        ("prior exam", "comparison"),
        ("procedure", "technique"),
        ("opinion", "impression"),
    ]

    static let table: [String: String] = {
        var t = MimicSectionNames.exact
        t["wet read"] = "wet_read"
        t["wetread"] = "wet_read"
        for (k, v) in cleanTable { t[k] = v }
        return t
    }()

    static let substrings = ["impression", "findings", "history", "comparison", "indication", "technique",
                             "recommendation"]
    static let canonical: [(String, String)] = [
        ("impression", "impression"), ("findings", "findings"), ("comparison", "comparison"),
        ("indication", "indication"), ("technique", "technique"), ("conclusion", "impression"),
        ("examination", "examination"), ("history", "history"), ("recommendations", "recommendations"),
        ("notification", "notification"),
    ]

    /// Normalizes a header (any case, any spacing) to a clean-mode name and the rule that chose it.
    public static func normalize(_ header: String) -> (name: String, rule: String) {
        let h = collapsedLowercase(header)
        if h.containsBytes("addendum") { return ("addendum", "clean:header+addendum") }
        if let hit = table[h] { return (hit, "clean:header+exact-table") }
        for m in substrings where h.containsBytes(m) {
            return (m == "recommendation" ? "recommendations" : m, "clean:header+substring:\(m)")
        }
        for p in MimicSectionNames.viewPhrases where h.containsBytes(p) {
            return ("findings", "clean:header+view-phrase:\(p)")
        }
        if h.utf8.count >= 6 && !h.containsBytes(" ") {
            for (word, name) in canonical where editDistance(h, word) <= 2 {
                return (name, "clean:header+misspelling:\(word)")
            }
        }
        return (h, "clean:header+unmapped")
    }

    /// ASCII-lower-cased, runs of spaces and tabs collapsed to one space, trimmed.
    static func collapsedLowercase(_ s: String) -> String {
        var s = s
        return s.withUTF8 { b in
            unsafe String(unsafeUninitializedCapacity: b.count) { out in
                var n = 0
                var space = false
                for unsafe c in unsafe b {
                    if c == 0x20 || c == 0x09 {
                        space = n > 0
                        continue
                    }
                    if space { unsafe out[n] = 0x20; n += 1; space = false }
                    unsafe out[n] = (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c
                    n += 1
                }
                return n
            }
        }
    }

    /// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        if abs(x.count - y.count) > 2 { return 3 }
        var d = Array(repeating: Array(repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...max(1, x.count) where i <= x.count {
            for j in 1...max(1, y.count) where j <= y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[x.count][y.count]
    }
}
