import Dispatch

/// Deterministic work splitting over a fixed number of threads.
///
/// Every split is a pure function of the sizes and `threads`, and parts never share an output element, so results are
/// bit-identical from run to run (a requirement of bit-exact resume).
public enum Parallel {
    /// Threads used by the kernels in the current scope (default 2, this machine's core count). A task-local value,
    /// not a global: a run binds its count around the work with `Parallel.withThreads(_:_:)`, and whatever runs outside
    /// such a scope (a test) gets the default. The trainer, `eval`, `generate` and `probe` bind `--threads`.
    @TaskLocal public static var threads: Int = 2

    /// Runs `body` with the kernels split over `count` threads.
    public static func withThreads<R>(_ count: Int, _ body: () throws -> R) rethrows -> R {
        try $threads.withValue(count, operation: body)
    }

    /// Runs `body` with the kernels split over `count` threads.
    public static func withThreads<R>(_ count: Int, _ body: () async throws -> R) async rethrows -> R {
        try await $threads.withValue(count, operation: body)
    }

    /// Runs `body(start, end)` over `0..<count` split into at most `threads` contiguous ranges.
    /// Work smaller than `minimumPerPart` per part runs on the calling thread.
    @inline(__always)
    public static func forRanges(_ count: Int, minimumPerPart: Int = 1, _ body: (Int, Int) -> Void) {
        let parts = max(1, min(threads, count / max(1, minimumPerPart)))
        if parts == 1 || count <= 1 {
            if count > 0 { body(0, count) }
            return
        }
        withoutActuallyEscaping(body) { escaping in
            // The parts write disjoint outputs and the call returns only after all of them, so sharing `body`
            // across the worker threads is safe although its captures (raw pointers) are not Sendable.
            let shared = unsafe UncheckedBody(run: escaping)
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                let start = count * p / parts
                let end = count * (p + 1) / parts
                if end > start { unsafe shared.run(start, end) }
            }
        }
    }
}

extension Parallel {
    /// `body(i)` for every `i` in `0..<count`, computed over `forRanges`' parts and returned in order.
    ///
    /// Each part writes only its own elements, so the values do not depend on the split.
    @inline(__always)
    static func map(_ count: Int, _ body: (Int) -> Double) -> [Double] {
        var values = [Double](repeating: 0, count: count)
        unsafe values.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            forRanges(count) { start, end in
                for i in start..<end { unsafe out[i] = body(i) }
            }
        }
        return values
    }
}

/// A closure handed to worker threads for the duration of one `Parallel.forRanges` call.
@unsafe private struct UncheckedBody: @unchecked Sendable {
    let run: (Int, Int) -> Void
}
