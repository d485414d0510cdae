#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A one-line progress display on standard error: redrawn in place on a terminal, silent in a pipe or a log file —
/// or, with `logWhenNotTerminal`, plain lines in a log (a Slurm job's stderr): one every 5% or every 30 seconds,
/// whichever comes first, once the work has run 10 seconds (short runs stay quiet).
public final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let logging: Bool
    private var lastLog = Date()
    private var lastLoggedStep = 0
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lastWidth = 0
    private let lock = NSLock()

    /// - Parameter enabled: force on or off; by default on exactly when standard error is a terminal.
    /// - Parameter logWhenNotTerminal: when standard error is not a terminal (and `enabled` is not given), write
    ///   plain progress lines instead of nothing.
    public init(enabled: Bool? = nil, logWhenNotTerminal: Bool = false) {
        let terminal = isatty(2) == 1
        self.enabled = enabled ?? terminal
        logging = enabled == nil && !terminal && logWhenNotTerminal
    }

    /// The plain line of a log, or nil when none is due: every 5% or 30 seconds after the first 10 seconds.
    static func logLine(done: Int, total: Int, unit: String, detail: String, elapsed: Double, sinceLast: Double,
                        lastStep: inout Int) -> String? {
        let step = total > 0 ? done * 20 / total : 0
        guard elapsed >= 10, step > lastStep || sinceLast >= 30 else { return nil }
        lastStep = step
        let percent = total > 0 ? Double(done) * 100 / Double(total) : 100
        let rate = Double(done) / max(elapsed, 1e-6)
        let eta = rate > 0 && total > done ? duration(Double(total - done) / rate) : "--"
        var line = String(format: "progress: %d/%d %@ (%.0f%%), %.1f %@/s, %@ elapsed, ETA %@", done, total, unit, percent,
                          rate, unit, duration(elapsed), eta)
        if !detail.isEmpty { line += ", " + detail }
        return line
    }

    /// Seconds since the progress line was created.
    public var elapsed: Double { Date().timeIntervalSince(start) }

    /// Redraws the line with `done` of `total` units, a rate, an ETA and `detail`, at most ten times a second.
    public func update(done: Int, total: Int, unit: String, detail: String = "", force: Bool = false) {
        if logging {
            lock.lock()
            defer { lock.unlock() }
            let now = Date()
            if let line = Self.logLine(done: done, total: total, unit: unit, detail: detail,
                                       elapsed: now.timeIntervalSince(start), sinceLast: now.timeIntervalSince(lastLog),
                                       lastStep: &lastLoggedStep) {
                lastLog = now
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            return
        }
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
