/// How a report is split into sections.
///
/// - `clean`: Carina's own splitter (the default): the MIT-LCP structure with its bugs fixed, addenda and WET READ kept
///   as their own sections, de-identification marks and numbering normalized, sentences with offsets, and the rule
///   behind every split recorded.
/// - `mimic`: byte-for-byte the MIT-LCP `section_parser.py` / `create_section_files.py` behaviour, bugs included.
public enum SectionMode: String, Sendable, CaseIterable {
    case clean
    case mimic
}
