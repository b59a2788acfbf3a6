import Foundation
import Synchronization

/// Starts child processes one launch at a time. Foundation's `Process.run()` on Linux crashed (a
/// bad copy inside the launch) when several tests launched processes at once; the launch is
/// short, so tests serialise it and let the children run side by side.
public enum ProcessLauncher {
    private static let lock = Mutex(())

    /// `process.run()`, under the launch lock.
    public static func launch(_ process: Process) throws {
        try lock.withLock { _ in try process.run() }
    }
}
