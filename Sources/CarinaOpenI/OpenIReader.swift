import CXML2
import CarinaReports
import FoundationEssentials

/// Reads IU X-ray (OpenI `ecgen-radiology`) XML reports through libxml2.
public enum OpenIReader {
    /// `xmlInitParser` is not thread-safe: run it once before any parse.
    private static let initialised: Bool = {
        xmlInitParser()
        return true
    }()

    /// Parses one report from the bytes of its XML file.
    ///
    /// - Parameters:
    ///   - bytes: The file's bytes.
    ///   - path: The file, for error messages and as the fallback id.
    /// - Throws: `ReportError.malformedXML` with libxml2's message and line, or `.notAReport` when the document is
    ///   well formed but is not an `eCitation` report.
    public static func parse(_ bytes: [UInt8], path: String? = nil) throws(ReportError) -> OpenIReport {
        _ = initialised
        if bytes.isEmpty { throw ReportError(.malformedXML, "empty XML file", path: path) }
        if bytes.count > Int(Int32.max) { throw ReportError(.malformedXML, "XML file over 2 GiB", path: path) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        xmlResetLastError()
        let doc = unsafe bytes.withUnsafeBufferPointer { buf in
            unsafe buf.withMemoryRebound(to: CChar.self) { c in
                unsafe xmlReadMemory(c.baseAddress, Int32(c.count), nil, nil, options)
            }
        }
        guard let doc = unsafe doc else {
            throw ReportError(.malformedXML, "malformed XML: \(lastError())", path: path)
        }
        defer { unsafe xmlFreeDoc(doc) }
        guard let root = unsafe xmlDocGetRootElement(doc), unsafe name(root) == "eCitation" else {
            throw ReportError(.notAReport, "not an OpenI ecgen-radiology report (the root element is not "
                + "<eCitation>)", path: path)
        }
        let fallback = path.map { p -> String in
            let file = p.split(separator: "/").last.map(String.init) ?? p
            return file.hasSuffix(".xml") ? String(file.dropLast(4)) : file
        }
        var report = OpenIReport(id: fallback ?? "")
        unsafe walk(root, into: &report)
        return report
    }

    /// Reads and parses a report file.
    /// - Throws: `ReportError` as `parse` does, or `.unreadable`.
    public static func read(path: String) throws(ReportError) -> OpenIReport {
        try parse(try ReportCorpus.readBytes(path), path: path)
    }

    private static func lastError() -> String {
        guard let e = unsafe xmlGetLastError() else { return "libxml2 gave no reason" }
        let message = unsafe e.pointee.message.map { unsafe String(cString: $0) } ?? "unknown error"
        let trimmed = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        return trimmed.contains("line") ? trimmed : "\(trimmed) (line \(unsafe e.pointee.line))"
    }

    private static func name(_ node: xmlNodePtr) -> String {
        guard let n = unsafe node.pointee.name else { return "" }
        return unsafe String(cString: n)
    }

    /// An attribute's value (`xmlGetProp`, freed here).
    private static func attribute(_ node: xmlNodePtr, _ attr: String) -> String? {
        guard let v = unsafe xmlGetProp(node, attr) else { return nil }
        defer { unsafe carina_xml_free(v) }
        return unsafe String(cString: v)
    }

    /// The text content of an element (`xmlNodeGetContent`, freed here).
    private static func content(_ node: xmlNodePtr) -> String {
        guard let v = unsafe xmlNodeGetContent(node) else { return "" }
        defer { unsafe carina_xml_free(v) }
        return unsafe String(cString: v)
    }

    private static func walk(_ node: xmlNodePtr, into r: inout OpenIReport) {
        var child = unsafe node.pointee.children
        while let c = unsafe child {
            if unsafe c.pointee.type == XML_ELEMENT_NODE {
                switch unsafe name(c) {
                case "uId":
                    if let id = unsafe attribute(c, "id"), !id.isEmpty { r.id = id }
                case "AbstractText":
                    let text = unsafe content(c)
                    let value: String? = text.isEmpty ? nil : text
                    switch unsafe attribute(c, "Label") {
                    case "COMPARISON": r.comparison = value
                    case "INDICATION": r.indication = value
                    case "FINDINGS": r.findings = value
                    case "IMPRESSION": r.impression = value
                    default: break
                    }
                case "major": r.major.append(unsafe content(c))
                case "automatic": r.automatic.append(unsafe content(c))
                case "parentImage":
                    if let id = unsafe attribute(c, "id") { r.images.append(id) }
                default:
                    unsafe walk(c, into: &r)
                }
            }
            unsafe child = unsafe c.pointee.next
        }
    }
}
