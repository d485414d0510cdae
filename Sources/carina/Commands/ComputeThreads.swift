import ArgumentParser
import CarinaTensor
import Foundation

/// `--threads` of the commands that run a model outside training (`eval`, `generate`, `probe`).
struct ComputeThreads: ParsableArguments {
    @Option(help: "Threads (each runs single-threaded BLAS).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
    }

    /// Runs `body` as the trainer runs a step: rows split over `threads`, each part one single-threaded sgemm.
    /// OpenBLAS's own threads inside those parts would oversubscribe the cores.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        BLAS.setThreads(1)
        return try await Parallel.withThreads(threads) { try await body() }
    }
}
