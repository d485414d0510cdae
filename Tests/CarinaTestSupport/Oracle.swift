import Foundation

/// Runs the Python oracles under `Scripts/` with the interpreter set up by `Scripts/setup.sh --oracles`.
public enum Oracle {
    /// `CARINA_ORACLE_PYTHON`, else the repository's `.venv-oracle`, else nil (the oracle tests then fail with a
    /// message saying how to set it up).
    public static var python: String? {
        if let env = ProcessInfo.processInfo.environment["CARINA_ORACLE_PYTHON"],
           FileManager.default.isExecutableFile(atPath: env) { return env }
        let venv = SharedData.repositoryRoot.appendingPathComponent(".venv-oracle/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `executable arguments…` and returns its standard output; throws with its standard error on failure.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) throws -> Data {
        let result = try Subprocess.run(executable, arguments)
        guard result.status == 0 else {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) exited "
                + "\(result.status): \(String(decoding: result.stderr, as: UTF8.self))")
        }
        return result.stdout
    }

    /// Runs a script of `Scripts/` with the oracle interpreter.
    public static func runScript(_ name: String, _ arguments: [String]) throws -> Data {
        guard let python = python else {
            throw Failure(description: "no oracle Python: run `bash Scripts/setup.sh --oracles` (or set CARINA_ORACLE_PYTHON)")
        }
        let script = SharedData.repositoryRoot.appendingPathComponent("Scripts/\(name)").path
        return try run(python, [script] + arguments)
    }

    /// The 3,955 real IU X-ray report XMLs, unpacked once per process into a temporary folder (never committed).
    public static let iuReportFolder: Result<String, Failure> = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("carina-iu-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try run("/bin/tar", ["-xzf", SharedData.path("reports/iu-openi/NLMCXR_reports.tgz"), "-C", dir.path])
            return .success(dir.appendingPathComponent("ecgen-radiology").path)
        } catch {
            return .failure(Failure(description: "cannot unpack the IU reports: \(error)"))
        }
    }()
}

/// The `carina` executable built beside the test runner, for tests that drive the command line as a user would.
public enum CarinaExecutable {
    public static var path: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("carina").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return SharedData.repositoryRoot.appendingPathComponent(".build/debug/carina").path
    }

    /// Starts `carina arguments…` with its output discarded and returns at once (for tests that kill it or race it).
    public static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `carina arguments…` to completion; returns its exit status, standard output and standard error.
    public static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let result = try Subprocess.run(path, arguments)
        return (result.status, String(decoding: result.stdout, as: UTF8.self), String(decoding: result.stderr, as: UTF8.self))
    }
}

/// The one place the test support starts a process: standard error is drained on its own thread, so a child that
/// writes a lot to both streams cannot block on a full pipe.
enum Subprocess {
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stderr = StderrBox()
        let reader = Thread { stderr.data = err.fileHandleForReading.readDataToEndOfFile(); stderr.done.signal() }
        reader.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        stderr.done.wait()
        process.waitUntilExit()
        return (process.terminationStatus, stdout, stderr.data)
    }

    final class StderrBox: @unchecked Sendable {
        var data = Data()
        let done = DispatchSemaphore(value: 0)
    }
}
