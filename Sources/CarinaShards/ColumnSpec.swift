/// A column of an MDS dataset: its name and its MDS encoding name (`str`, `png`, `ndarray:float32:14`, …).
public struct ColumnSpec: Sendable, Equatable, Hashable {
    /// The column name (a sample dictionary key).
    public var name: String
    /// The MDS encoding name, exactly as `streaming` spells it.
    public var encoding: String

    public init(name: String, encoding: String) {
        self.name = name
        self.encoding = encoding
    }
}
