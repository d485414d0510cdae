import Foundation

/// Standard output written in large blocks (one write per MiB) instead of one per line: what a command that prints a
/// record per report or per study writes through.
public final class StandardOutputBuffer {
    private var buffer: [UInt8] = []

    public init() { buffer.reserveCapacity(1 << 20) }

    public func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    public func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
