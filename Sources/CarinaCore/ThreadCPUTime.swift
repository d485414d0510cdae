#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// CPU time of the calling thread (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)`): the figure per core that a busy, shared
/// machine does not inflate, as the benchmarks report it.
public enum ThreadCPUTime {
    /// Seconds of CPU the calling thread has used.
    public static func seconds() -> Double {
        var ts = timespec()
        unsafe clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
