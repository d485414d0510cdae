@testable import CarinaCore
import Testing

/// Ingest's progress in a log (stderr not a terminal, as in a Slurm job): quiet for the first 10 seconds, then a
/// plain line every 5% or every 30 seconds.
@Suite struct ProgressLogTests {
    @Test func linesComeEveryFivePercentOrHalfMinuteAfterTenSeconds() {
        var step = 0
        #expect(ProgressLine.logLine(done: 50, total: 100, unit: "images", detail: "", elapsed: 9, sinceLast: 9,
                                     lastStep: &step) == nil)
        let first = ProgressLine.logLine(done: 50, total: 100, unit: "images", detail: "written 50", elapsed: 10,
                                         sinceLast: 10, lastStep: &step)
        #expect(first == "progress: 50/100 images (50%), 5.0 images/s, 10s elapsed, ETA 10s, written 50")
        #expect(ProgressLine.logLine(done: 52, total: 100, unit: "images", detail: "", elapsed: 11, sinceLast: 1,
                                     lastStep: &step) == nil)
        #expect(ProgressLine.logLine(done: 55, total: 100, unit: "images", detail: "", elapsed: 12, sinceLast: 2,
                                     lastStep: &step) != nil)
        #expect(ProgressLine.logLine(done: 56, total: 100, unit: "images", detail: "", elapsed: 43, sinceLast: 31,
                                     lastStep: &step) != nil)
    }
}
