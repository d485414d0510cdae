#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A one-line progress display on standard error: redrawn in place on a terminal, silent in a pipe or a log file.
public final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lastWidth = 0
    private let lock = NSLock()

    /// - Parameter enabled: force on or off; by default on exactly when standard error is a terminal.
    public init(enabled: Bool? = nil) {
        self.enabled = enabled ?? (isatty(2) == 1)
    }

    /// Seconds since the progress line was created.
    public var elapsed: Double { Date().timeIntervalSince(start) }

    /// Redraws the line with `done` of `total` units, a rate, an ETA and `detail`, at most ten times a second.
    public func update(done: Int, total: Int, unit: String, detail: String = "", force: Bool = false) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let seconds = max(now.timeIntervalSince(start), 1e-6)
        let rate = Double(done) / seconds
        let eta = rate > 0 && total > done ? Self.duration(Double(total - done) / rate) : "--"
        let percent = total > 0 ? Double(done) * 100 / Double(total) : 100
        var line = String(format: "%d/%d %@ (%.0f%%)  %.1f %@/s  ETA %@", done, total, unit, percent, rate, unit, eta)
        if !detail.isEmpty { line += "  " + detail }
        let padding = String(repeating: " ", count: max(0, lastWidth - line.count))
        lastWidth = line.count
        FileHandle.standardError.write(Data(("\r" + line + padding).utf8))
    }

    /// Clears the line (call before printing the final summary).
    public func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: lastWidth) + "\r").utf8))
        lastWidth = 0
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
            : (s >= 60 ? String(format: "%dm%02ds", s / 60, s % 60) : "\(s)s")
    }
}
