import CarinaRecord
import CarinaShards
import Foundation

/// Text escaped for HTML content and attribute values.
func esc(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for c in s.unicodeScalars {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}

/// Names the site shows for the record's codes.
enum Names {
    static let kinds = ["anatomy", "observation", "device"]
    static let certainties = ["present", "uncertain", "absent"]

    static func label(_ value: Float) -> String {
        value.isNaN ? "blank" : value == 1 ? "positive" : value == 0 ? "negative" : value == -1 ? "uncertain" : "\(value)"
    }
}

/// One section of a record's `sections` column.
struct SectionItem {
    var name: String
    var text: String
    var rule: String

    static func parse(_ json: String) -> [SectionItem] {
        guard case .array(let items)? = JSONValue(parsing: json) else { return [] }
        return items.map { item in
            guard case .object(let members) = item else { return SectionItem(name: "?", text: "", rule: "") }
            func field(_ key: String) -> String {
                if case .string(let s)? = members.first(where: { $0.0 == key })?.1 { return s }
                return ""
            }
            return SectionItem(name: field("name"), text: field("text"), rule: field("rule"))
        }
    }
}

/// The page of one record.
struct RecordPage {
    let record: CarinaRecord
    let id: String
    let window: (low: Int, high: Int)?
    let problem: String?
    let conceptNames: [String]
    let previous: String?
    let next: String?

    /// From `records/xx/` back to the site's root.
    static let root = "../../"

    func html() -> String {
        let r = record
        var h = Page.head(title: id, root: Self.root)
        h += "<nav><a href=\"\(Self.root)index.html\">index</a>"
        if let previous { h += " · <a href=\"\(Self.root)\(previous)\" rel=\"prev\">previous</a>" }
        if let next { h += " · <a href=\"\(Self.root)\(next)\" rel=\"next\">next</a>" }
        h += "</nav>\n<h1>\(esc(id))</h1>\n<div class=\"top\">\n"
        if let problem {
            h += "<div class=\"problem\" id=\"image-problem\">\(esc(problem))</div>\n"
        } else {
            h += "<figure><img id=\"image\" src=\"\(Self.root)\(Paths.image(id))\" alt=\"\(esc(id))\">"
            h += "<figcaption>\(r.width)×\(r.height) \(esc(r.imageFormat.rawValue)), shown windowed to the 0.5th–99.5th "
            h += "percentile" + (window.map { " (\($0.low)–\($0.high))" } ?? "")
            h += " (stored raw range \(r.rawRange.low)–\(r.rawRange.high))</figcaption></figure>\n"
        }
        h += "<div class=\"side\">\n<table class=\"meta\">\n"
        let fields: [(String, String)] = [
            ("study", r.studyID), ("subject", r.subjectID), ("split", r.split.isEmpty ? "—" : r.split),
            ("view", r.view.isEmpty ? "—" : r.view), ("image", "\(r.width)×\(r.height) \(r.imageFormat.rawValue)"),
            ("raw range", "\(r.rawRange.low) – \(r.rawRange.high)"), ("schema", r.schema),
        ]
        for (k, v) in fields { h += "<tr><th>\(k)</th><td>\(esc(v))</td></tr>\n" }
        h += "</table>\n" + labelsTable() + "</div>\n</div>\n"
        h += report()
        h += entitiesTable() + metadataTable()
        h += "<details><summary>raw report</summary><pre class=\"raw\">\(esc(r.report))</pre></details>\n"
        h += "<script src=\"\(Self.root)site.js\"></script>\n</body></html>\n"
        return h
    }

    func labelsTable() -> String {
        var h = "<table class=\"labels\" id=\"labels\"><caption>CheXpert labels · source <b>\(esc(record.labelSource.isEmpty ? "—" : record.labelSource))</b></caption>\n"
        for (c, name) in RecordSchema.labelNames.enumerated() {
            let value = c < record.labels.count ? record.labels[c] : .nan
            let state = Names.label(value)
            h += "<tr class=\"l-\(state)\"><th>\(esc(name))</th><td>\(state)</td></tr>\n"
        }
        return h + "</table>\n"
    }

    /// The sections in report order, each coloured and named with its rule, the entities marked at their offsets.
    func report() -> String {
        let sections = SectionItem.parse(record.sectionsJSON)
        var bySection: [Int: [(row: Int, entity: RecordEntity)]] = [:]
        for (row, e) in record.entities.enumerated() where e.section >= 0 && e.start >= 0 && e.end > e.start {
            bySection[Int(e.section), default: []].append((row, e))
        }
        var h = "<div class=\"report\" id=\"report\">\n<svg id=\"arcs\" aria-hidden=\"true\"></svg>\n"
        if sections.isEmpty { h += "<p class=\"problem\">the record has no sections</p>\n" }
        for (s, section) in sections.enumerated() {
            h += "<div class=\"section s\(s % 6)\"><div class=\"section-name\">\(esc(section.name))"
            h += " <span class=\"rule\">\(esc(section.rule))</span></div>\n<p>"
            let scalars = Array(section.text.unicodeScalars)
            var at = 0
            let marks = (bySection[s] ?? []).sorted { ($0.entity.start, -$0.entity.end) < ($1.entity.start, -$1.entity.end) }
            func text(_ a: Int, _ b: Int) -> String { esc(String(String.UnicodeScalarView(scalars[a..<b]))) }
            for (row, e) in marks {
                let start = Int(e.start), end = Int(e.end)
                guard start >= at, end <= scalars.count else { continue }  // overlaps a marked one: in the table only
                h += text(at, start)
                let kind = Names.kinds[Int(e.kind.rawValue)], certainty = Names.certainties[Int(e.certainty.rawValue)]
                h += "<mark class=\"ent k-\(kind) c-\(certainty)\" data-entity=\"\(row)\" title=\"#\(row) \(kind) \(certainty)"
                h += "\(concept(e).map { " · \($0)" } ?? "")\">\(text(start, end))</mark>"
                at = end
            }
            h += text(at, scalars.count) + "</p></div>\n"
        }
        h += "</div>\n<script type=\"application/json\" id=\"relations\">["
        h += record.relations.map { "[\($0.head),\($0.tail),\"\($0.kind.radGraphName)\"]" }.joined(separator: ",")
        h += "]</script>\n"
        return h
    }

    func concept(_ e: RecordEntity) -> String? {
        e.concept >= 0 ? (Int(e.concept) < conceptNames.count ? conceptNames[Int(e.concept)] : "concept \(e.concept)") : nil
    }

    func entitiesTable() -> String {
        let sections = SectionItem.parse(record.sectionsJSON)
        var h = "<h2>Entities (\(record.entities.count)) and relations (\(record.relations.count))</h2>\n"
        h += "<table class=\"entities\"><tr><th>#</th><th>text</th><th>kind</th><th>certainty</th><th>concept</th>"
        h += "<th>section</th><th>offsets</th></tr>\n"
        for (row, e) in record.entities.enumerated() {
            var words = "—", where_ = "not placed"
            if e.section >= 0, Int(e.section) < sections.count {
                let scalars = Array(sections[Int(e.section)].text.unicodeScalars)
                if e.start >= 0, e.end <= scalars.count, e.start <= e.end {
                    words = String(String.UnicodeScalarView(scalars[Int(e.start)..<Int(e.end)]))
                }
                where_ = sections[Int(e.section)].name
            }
            let kind = Names.kinds[Int(e.kind.rawValue)], certainty = Names.certainties[Int(e.certainty.rawValue)]
            h += "<tr><td>\(row)</td><td><span class=\"ent k-\(kind) c-\(certainty)\">\(esc(words))</span></td><td>\(kind)</td>"
            h += "<td>\(certainty)</td><td>\(esc(concept(e) ?? "—"))</td><td>\(esc(where_))</td><td>\(e.start)..<\(e.end)</td></tr>\n"
        }
        h += "</table>\n<table class=\"relations\"><tr><th>head</th><th>relation</th><th>tail</th></tr>\n"
        for r in record.relations {
            h += "<tr><td>#\(r.head)</td><td class=\"r-\(r.kind.radGraphName)\">\(r.kind.radGraphName)</td><td>#\(r.tail)</td></tr>\n"
        }
        return h + "</table>\n"
    }

    func metadataTable() -> String {
        guard case .object(let members)? = JSONValue(parsing: record.metaJSON) else { return "" }
        var h = "<details open><summary>DICOM metadata</summary><table class=\"meta\">\n"
        for (key, value) in members {
            let text: String
            if case .string(let s) = value { text = s } else { text = value.pythonText() }
            h += "<tr><th>\(esc(key))</th><td>\(esc(text))</td></tr>\n"
        }
        return h + "</table></details>\n"
    }
}

/// Page chrome shared by every page.
enum Page {
    static func head(title: String, root: String) -> String {
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(esc(title))</title>"
            + "<link rel=\"stylesheet\" href=\"\(root)site.css\"></head><body>\n"
    }
}
