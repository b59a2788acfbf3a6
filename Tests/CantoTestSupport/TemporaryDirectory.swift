public import Foundation

/// A fresh directory under the system's temporary folder, removed when the value goes away
/// (or earlier, by `remove()`).
public final class TemporaryDirectory: Sendable {
    public let url: URL

    /// The directory's path, for APIs that take strings (the scanner's `Library.path`).
    public var path: String { url.path }

    public init(prefix: String = "canto-test") throws {
        let name = "\(prefix)-\(UUID().uuidString.prefix(8))"
        url = FileManager.default.temporaryDirectory.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the directory; nothing is created.
    public func appending(_ relativePath: String) -> URL {
        url.appendingPathComponent(relativePath)
    }

    /// Removes the directory and everything in it. Safe to call more than once.
    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }

    deinit { remove() }
}
