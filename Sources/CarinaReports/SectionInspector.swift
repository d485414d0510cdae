/// The terminal view of a split report: the raw text with each section's header and text marked, and a list of
/// the sections with the rule that made each.
public enum SectionInspector {
    /// ANSI colour per section name (a fixed palette, so the same name always has the same colour).
    static func ansi(_ name: String) -> String {
        switch name {
        case "impression": return "\u{1B}[1;32m"
        case "findings": return "\u{1B}[1;36m"
        case "comparison": return "\u{1B}[35m"
        case "indication", "history": return "\u{1B}[33m"
        case "last_paragraph": return "\u{1B}[1;34m"
        case "addendum", "wet_read", "wet read": return "\u{1B}[31m"
        default: return "\u{1B}[2m"
        }
    }

    static let reset = "\u{1B}[0m"

    /// Renders one report.
    ///
    /// - Parameters:
    ///   - report: The split report.
    ///   - raw: The raw report text (section ranges point into it), or `nil` when the sections do not come from
    ///     raw text (IU XML); then the section texts are shown.
    ///   - colour: Whether to use ANSI colours (a terminal) or plain `[name]` marks (a pipe).
    public static func render(_ report: SectionedReport, raw: String?, colour: Bool) -> String {
        var out = ""
        let title = report.studyID ?? "report"
        out += colour ? "\u{1B}[1m== \(title) ==\(reset)\n" : "== \(title) ==\n"
        let ranged = report.sections.compactMap { s in s.range.map { (s, $0) } }
        if let raw, !ranged.isEmpty {
            let bytes = Array(raw.utf8)
            var pos = 0
            for (s, r) in ranged.sorted(by: { $0.1.lowerBound < $1.1.lowerBound }) {
                guard r.lowerBound >= pos, r.upperBound <= bytes.count else { continue }
                out += String(decoding: bytes[pos..<r.lowerBound], as: UTF8.self)
                let body = String(decoding: bytes[r], as: UTF8.self)
                if colour {
                    out += ansi(s.name) + body + reset
                } else {
                    out += "[\(s.name)>" + body + "<\(s.name)]"
                }
                pos = r.upperBound
            }
            out += String(decoding: bytes[pos...], as: UTF8.self)
            if !out.hasSuffix("\n") { out += "\n" }
        }
        out += colour ? "\u{1B}[1m-- sections --\(reset)\n" : "-- sections --\n"
        for s in report.sections {
            let name = colour ? ansi(s.name) + s.name + reset : s.name
            let header = s.rawHeader.map { " \"\($0)\"" } ?? ""
            let range = s.range.map { " bytes \($0.lowerBound)..<\($0.upperBound)" } ?? ""
            out += "\(name)\(header)  rule \(s.rule)\(range)"
            out += s.sentences.isEmpty ? "\n" : "  \(s.sentences.count) sentence(s)\n"
            if raw == nil || s.range == nil {
                out += "    " + s.text.split(separator: "\n").joined(separator: "\n    ") + "\n"
            }
            for (k, sentence) in s.sentences.enumerated() {
                out += "    \(k + 1). \(sentence.text)  [\(sentence.rule)]\n"
            }
        }
        if let c = report.conclusion { out += "conclusion: \(c.isEmpty ? "(none)" : c)\n" }
        if let o = report.override { out += "MIT-LCP override: \(o)\n" }
        if let p = report.problem { out += "problem: \(p)\n" }
        return out
    }
}
