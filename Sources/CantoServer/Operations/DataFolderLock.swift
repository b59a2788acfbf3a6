public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An advisory lock on a data folder (`flock` on `canto.lock` inside it), held for a process's
/// life: `canto serve` and `canto scan` hold it shared, so several may run; `canto restore`
/// needs it alone and so refuses while any of them runs. The kernel drops it when the process
/// ends, however it ends.
public final class DataFolderLock: Sendable {
    /// How the lock is held.
    public enum Mode: Sendable {
        /// Beside other shared holders (the server, a scan).
        case shared
        /// Alone (a restore).
        case exclusive
    }

    /// The lock file's name inside the data folder.
    public static let fileName = "canto.lock"

    private let descriptor: Int32

    /// Takes the lock without waiting, creating the folder and the lock file when missing.
    /// Returns nil when another process holds it in a way that excludes `mode`.
    public init?(dataDirectory: URL, mode: Mode) throws {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let path = dataDirectory.appendingPathComponent(Self.fileName).path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        let operation = (mode == .shared ? LOCK_SH : LOCK_EX) | LOCK_NB
        var result = flock(descriptor, operation)
        while result != 0, errno == EINTR { result = flock(descriptor, operation) }
        guard result == 0 else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}
