public import Foundation
public import Logging
import Metrics
public import ServiceLifecycle
import Synchronization

/// What the backup schedule has done since the server started, for the admin and the tests.
public final class BackupStatus: Sendable {
    /// A snapshot of the status.
    public struct Snapshot: Sendable, Equatable {
        /// When the last copy was finished (also before this start, from the newest copy's name).
        public var lastSuccess: Date?
        /// Copies made by this process.
        public var successes = 0
        /// Copies that failed in this process.
        public var failures = 0
        /// The file names this process made, oldest first.
        public var made: [String] = []
    }

    private let state = Mutex(Snapshot())

    /// An empty status.
    public init() {}

    /// What happened so far.
    public var snapshot: Snapshot { state.withLock { $0 } }

    func record(_ file: BackupFile) {
        state.withLock { status in
            status.lastSuccess = file.date
            status.successes += 1
            status.made.append(file.url.lastPathComponent)
        }
    }

    func recordFailure() { state.withLock { $0.failures += 1 } }

    func recordExisting(_ date: Date) { state.withLock { $0.lastSuccess = $0.lastSuccess ?? date } }
}

/// Copies the database on the `[backup]` schedule while the server runs, and removes the oldest
/// copies beyond `keep`. The first copy is due one interval after the newest in the folder, or
/// (when there is none) after an interval or an hour, whichever is shorter, so a server that is
/// restarted often still makes its copies. The time of the last good copy (also of the newest
/// one found at start) is the gauge `canto_backup_last_success_timestamp_seconds` (`BackupMetrics`).
public struct BackupService: Service {
    private static let succeeded = Counter(label: "canto_backups_total", dimensions: [("outcome", "success")])
    private static let failed = Counter(label: "canto_backups_total", dimensions: [("outcome", "failure")])

    let settings: BackupSettings
    /// nil: the schedule is off, and the service only waits for shutdown.
    let interval: Duration?
    let dataDirectory: URL
    let busyTimeout: TimeInterval
    let logger: Logger
    /// What the schedule did.
    public let status: BackupStatus

    /// A schedule over the database of `dataDirectory` (off when `settings` have no interval).
    public init(
        settings: BackupSettings, dataDirectory: URL, busyTimeout: TimeInterval = 5, logger: Logger,
        status: BackupStatus = BackupStatus()
    ) {
        self.settings = settings
        self.interval = settings.interval.flatMap { $0 > .zero ? $0 : nil }
        self.dataDirectory = dataDirectory
        self.busyTimeout = busyTimeout
        self.logger = logger
        self.status = status
    }

    /// Runs until graceful shutdown (or cancellation).
    public func run() async throws {
        // A service that returned would stop the server: an unscheduled one waits for shutdown.
        guard let interval else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            let started = Date()
            let newest = Backups.list(in: settings.folder).last
            if let newest {
                status.recordExisting(newest.date)
                BackupMetrics.succeeded(at: newest.date)
            }
            logger.info(
                "backups scheduled",
                metadata: [
                    "backup.folder": "\(settings.folder.path)", "backup.keep": "\(settings.keep)",
                    "backup.next": "\(Self.nextDue(newest: newest?.date, started: started, interval: interval))",
                ])
            while !Task.isCancelled {
                let newest = Backups.list(in: settings.folder).last?.date
                let due = Self.nextDue(newest: newest, started: started, interval: interval)
                let wait = due.timeIntervalSinceNow
                if wait > 0 {
                    do { try await Task.sleep(for: .milliseconds(Int64(wait * 1000))) } catch { return }
                }
                await backUp(interval: interval)
            }
        }
    }

    /// When the next copy is due.
    static func nextDue(newest: Date?, started: Date, interval: Duration) -> Date {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        if let newest { return newest.addingTimeInterval(seconds) }
        return started.addingTimeInterval(min(seconds, 3600))
    }

    private func backUp(interval: Duration) async {
        var passphrase: String?
        if let file = settings.passphraseFile {
            do {
                passphrase = try Backups.passphrase(inFile: file)
            } catch {
                logger.error(
                    "backup passphrase file cannot be read; this copy leaves the key out",
                    metadata: ["backup.passphrase_file": "\(file.path)", "error": "\(error)"])
            }
        }
        do {
            // VACUUM INTO blocks its thread for the length of the copy: not on the cooperative pool.
            let (settings, dataDirectory, busyTimeout) = (settings, dataDirectory, busyTimeout)
            let file = try await Task.detached(priority: .background) {
                let file = try Backups.write(
                    dataDirectory: dataDirectory, folder: settings.folder, passphrase: passphrase,
                    busyTimeout: busyTimeout)
                try Backups.prune(folder: settings.folder, keep: settings.keep)
                return file
            }.value
            status.record(file)
            Self.succeeded.increment()
            BackupMetrics.succeeded(at: file.date)
            logger.info(
                "backup written",
                metadata: ["backup.file": "\(file.url.path)", "backup.key_included": "\(file.includesKey ?? false)"])
        } catch {
            status.recordFailure()
            Self.failed.increment()
            logger.error(
                "backup failed", metadata: ["backup.folder": "\(settings.folder.path)", "error": "\(error)"])
            // A failing copy (a full disk) is tried again after a pause, not in a tight loop.
            try? await Task.sleep(for: min(interval, .seconds(600)))
        }
    }
}
