import Foundation

/// Locations of the real public data in `../shared/data` beside the repository, and per-test scratch folders.
public enum SharedData {
    /// The repository root (the folder holding `Package.swift`).
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `../shared/data`, or the folder named by `CARINA_SHARED_DATA`.
    public static let root: URL = {
        if let env = ProcessInfo.processInfo.environment["CARINA_SHARED_DATA"] { return URL(fileURLWithPath: env) }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    }()

    /// A path inside the shared data folder.
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// The committed samples folder of the repository.
    public static func sample(_ relative: String) -> String {
        repositoryRoot.appendingPathComponent("samples").appendingPathComponent(relative).path
    }
}

/// A fresh temporary directory for one test, removed when the value is deinitialised.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL
    public var path: String { url.path }

    public init(_ label: String = "carina-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
