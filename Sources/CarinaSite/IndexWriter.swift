import CarinaRecord
import Foundation

/// What the index pages know of a record.
struct IndexEntry: Sendable {
    var id: String
    var split: String
    var view: String
    var positive: [Int]
    var uncertain: [Int]
    var labelSource: String
    var hasImage = true

    init(record: CarinaRecord, id: String, part: String) {
        self.id = id
        split = record.split.isEmpty ? part : record.split
        view = record.view
        positive = record.labels.indices.filter { record.labels[$0] == 1 }
        uncertain = record.labels.indices.filter { record.labels[$0] == -1 }
        labelSource = record.labelSource
    }
}

/// The index pages: every record, then the records of each split, view, positive label and label source, each
/// listing paged; and `ingest.html` with the ingest's tally and its skipped and failed images.
struct IndexWriter {
    let entries: [IndexEntry]
    let ingest: IngestInfo
    let options: SiteOptions
    let output: String
    let title: String

    struct Listing {
        var facet: String
        var value: String
        var file: String
        var members: [Int]
    }

    static func slug(_ s: String) -> String {
        let lowered = s.lowercased().unicodeScalars.map { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) ? Character($0) : "-" }
        return String(lowered).split(separator: "-").joined(separator: "-")
    }

    func listings() -> [Listing] {
        var out = [Listing(facet: "all", value: "all records", file: "index", members: Array(entries.indices))]
        func group(_ facet: String, _ prefix: String, _ keys: (IndexEntry) -> [String], order: [String] = []) {
            var members: [String: [Int]] = [:]
            for (i, e) in entries.enumerated() { for k in keys(e) { members[k, default: []].append(i) } }
            let names = order.filter { members[$0] != nil } + members.keys.filter { !order.contains($0) }.sorted()
            for name in names {
                let s = Self.slug(name)
                out.append(Listing(facet: facet, value: name, file: "\(prefix)-\(s.isEmpty ? "none" : s)", members: members[name]!))
            }
        }
        group("split", "split", { [$0.split.isEmpty ? "(none)" : $0.split] }, order: ["train", "validate", "test"])
        group("view", "view", { [$0.view.isEmpty ? "(none)" : $0.view] })
        group("positive label", "label", { $0.positive.map { RecordSchema.labelNames[$0] } }, order: RecordSchema.labelNames)
        group("uncertain label", "uncertain", { $0.uncertain.map { RecordSchema.labelNames[$0] } }, order: RecordSchema.labelNames)
        group("label source", "source", { [$0.labelSource.isEmpty ? "(none)" : $0.labelSource] })
        return out
    }

    static func pageFile(_ listing: Listing, _ page: Int) -> String {
        page == 0 ? "\(listing.file).html" : "\(listing.file)-\(page + 1).html"
    }

    /// Writes every index page; returns how many.
    func write() throws -> Int {
        let listings = listings()
        var facets = "<nav class=\"facets\" id=\"facets\">\n"
        var lastFacet = ""
        for l in listings {
            if l.facet != lastFacet {
                facets += (lastFacet.isEmpty ? "" : "</div>\n") + "<div><b>\(esc(l.facet))</b> "
                lastFacet = l.facet
            }
            facets += "<a href=\"\(Self.pageFile(l, 0))\" data-facet=\"\(esc(l.facet))\" data-count=\"\(l.members.count)\">"
                + "\(esc(l.value)) <span class=\"n\">\(l.members.count)</span></a> "
        }
        facets += "</div>\n<div><b>ingest</b> <a href=\"ingest.html\">tally and failures "
            + "<span class=\"n\">\(ingest.problems.count)</span></a></div>\n</nav>\n"
        let tally = tallyTable()
        var pages = 0
        let size = max(1, options.pageSize)
        for listing in listings {
            let count = max(1, (listing.members.count + size - 1) / size)
            for page in 0..<count {
                let members = listing.members.dropFirst(page * size).prefix(size)
                var h = Page.head(title: "\(title) · \(listing.value)", root: "")
                h += "<h1>\(esc(title))</h1>\n" + tally + facets
                h += "<h2>\(esc(listing.facet == "all" ? "All records" : "\(listing.facet): \(listing.value)")) · "
                h += "<span id=\"listing-count\">\(listing.members.count)</span> records · page \(page + 1) of \(count)</h2>\n"
                let pager = pagerHTML(listing, page: page, count: count)
                h += pager + "<div class=\"grid\" id=\"grid\">\n"
                for i in members {
                    let e = entries[i]
                    let labels = e.positive.map { RecordSchema.labelNames[$0] }.joined(separator: ", ")
                    h += "<a class=\"cell\" href=\"\(Paths.recordPage(e.id))\" data-split=\"\(esc(e.split))\" "
                    h += "data-view=\"\(esc(e.view))\" title=\"\(esc(e.id))\">"
                    h += e.hasImage ? "<img loading=\"lazy\" src=\"\(Paths.thumbnail(e.id))\" alt=\"\">"
                        : "<div class=\"noimage\">no image</div>"
                    h += "<span class=\"cap\"><b>\(esc(e.view.isEmpty ? "—" : e.view))</b> \(esc(e.split)) · "
                    h += "\(esc(String(e.id.prefix(8))))<br><i>\(esc(labels.isEmpty ? "no positive label" : labels))</i></span></a>\n"
                }
                h += "</div>\n" + pager + "</body></html>\n"
                try Data(h.utf8).write(to: URL(fileURLWithPath: output + "/" + Self.pageFile(listing, page)))
                pages += 1
            }
        }
        try writeIngestPage(facets: facets, tally: tally)
        return pages + 1
    }

    func pagerHTML(_ listing: Listing, page: Int, count: Int) -> String {
        guard count > 1 else { return "" }
        var h = "<div class=\"pager\">"
        if page > 0 { h += "<a href=\"\(Self.pageFile(listing, page - 1))\" rel=\"prev\">‹ previous</a> " }
        var shown = Set([0, count - 1])
        for p in max(0, page - 4)...min(count - 1, page + 4) { shown.insert(p) }
        var last = -1
        for p in shown.sorted() {
            if p > last + 1 { h += "… " }
            h += p == page ? "<b>\(p + 1)</b> " : "<a href=\"\(Self.pageFile(listing, p))\">\(p + 1)</a> "
            last = p
        }
        if page + 1 < count { h += "<a href=\"\(Self.pageFile(listing, page + 1))\" rel=\"next\">next ›</a>" }
        return h + "</div>\n"
    }

    func tallyTable() -> String {
        guard !ingest.tallies.isEmpty else { return "<p class=\"tally\">no ingest-summary.json beside the shards</p>\n" }
        let keys = ingest.tallies.first!.counts.map(\.0)
        var h = "<table class=\"tally\" id=\"tally\"><tr><th>ingest</th>" + keys.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
        for (split, counts) in ingest.tallies {
            h += "<tr><th>\(esc(split.isEmpty ? "all" : split))</th>" + counts.map { "<td>\($0.1)</td>" }.joined() + "</tr>\n"
        }
        if ingest.tallies.count > 1 {
            h += "<tr class=\"total\"><th>total</th>" + keys.map { key in
                "<td>\(ingest.tallies.reduce(0) { $0 + ($1.counts.first { $0.0 == key }?.1 ?? 0) })</td>"
            }.joined() + "</tr>\n"
        }
        return h + "</table>\n"
    }

    func writeIngestPage(facets: String, tally: String) throws {
        let limit = 10_000
        var h = Page.head(title: "\(title) · ingest", root: "") + "<nav><a href=\"index.html\">index</a></nav>\n"
        h += "<h1>\(esc(title)) · ingest</h1>\n" + tally
        h += "<h2><span id=\"problem-count\">\(ingest.problems.count)</span> images skipped or failed</h2>\n"
        var reasons: [String: Int] = [:]
        for p in ingest.problems { reasons[p.status + ": " + Self.reasonKind(p.reason), default: 0] += 1 }
        if !reasons.isEmpty {
            h += "<table class=\"reasons\"><tr><th>count</th><th>reason</th></tr>\n"
            for (reason, n) in reasons.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                h += "<tr><td>\(n)</td><td>\(esc(reason))</td></tr>\n"
            }
            h += "</table>\n"
        }
        h += "<table class=\"problems\" id=\"problems\"><tr><th>split</th><th>dicom_id</th><th>status</th><th>reason</th></tr>\n"
        for p in ingest.problems.prefix(limit) {
            h += "<tr class=\"st-\(esc(p.status))\"><td>\(esc(p.split))</td><td>\(esc(p.id))</td><td>\(esc(p.status))</td>"
            h += "<td>\(esc(p.reason))</td></tr>\n"
        }
        h += "</table>\n"
        if ingest.problems.count > limit {
            h += "<p>… and \(ingest.problems.count - limit) more: see each folder's ingest-report.tsv</p>\n"
        }
        h += "</body></html>\n"
        try Data(h.utf8).write(to: URL(fileURLWithPath: output + "/ingest.html"))
    }

    /// A reason without its file path and with its numbers as N, for grouping ("broken JPEG stream: … at byte N").
    static func reasonKind(_ reason: String) -> String {
        var r = Substring(reason)
        if let colon = r.range(of: ".dcm: ") { r = r[colon.upperBound...] }
        var out = "", inNumber = false
        for c in r.prefix(120) {
            if c.isNumber {
                if !inNumber { out += "N" }
                inNumber = true
            } else {
                out.append(c)
                inNumber = false
            }
        }
        return out
    }
}
