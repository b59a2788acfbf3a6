import CantoCore
import CantoPluginKit
import CantoStore
import Foundation
import Metrics
import ServiceLifecycle
import Synchronization

/// The gauges of `/metrics` that need a database read or a look at the disk: the outbox's
/// backlog, sign-ins used lately, playback sessions, the database's files and the free space of
/// the data and cache folders. One task sets them every `interval` (and once at start), so a
/// scrape or a request never pays for them.
struct OperationalGauges: Sendable {
    let statistics: OperationalStatistics
    let sessions: PlaybackSessions
    let plugins: PluginRegistry
    let databasePath: String
    /// The folders whose file systems' space is watched: `data` and `cache`.
    let folders: [(name: String, url: URL)]
    let checkpoints = CheckpointCounter()

    init(services: CantoServices) {
        statistics = OperationalStatistics(database: services.scanning.database)
        sessions = services.sessions
        plugins = services.registry
        databasePath = services.scanning.database.path
        folders = Self.folders(of: services.configuration)
    }

    /// The free and total space of the file system a watched folder is on.
    struct DiskSpace: Sendable, Equatable {
        var folder: String
        var freeBytes: Int64
        var totalBytes: Int64
    }

    /// The watched folders: `data`, and `cache` (which may be on a file system of its own).
    static func folders(of configuration: CantoConfiguration) -> [(name: String, url: URL)] {
        [("data", configuration.dataDirectory), ("cache", configuration.cacheDirectory)]
    }

    /// The space of each folder's file system; a folder that cannot be read is left out.
    static func diskSpace(of folders: [(name: String, url: URL)]) -> [DiskSpace] {
        folders.compactMap { name, url in
            guard let system = try? FileManager.default.attributesOfFileSystem(forPath: url.path),
                let free = system[.systemFreeSize] as? NSNumber, let total = system[.systemSize] as? NSNumber
            else { return nil }
            return DiskSpace(folder: name, freeBytes: free.int64Value, totalBytes: total.int64Value)
        }
    }

    /// Sets every gauge once; a figure that cannot be read keeps its last value.
    func refresh(now: Date = Date()) async {
        if let backlog = try? await statistics.outboxBacklog() {
            for subscriber in backlog {
                let dimensions = [("subscriber", subscriber.subscriber)]
                Gauge(label: "canto_outbox_pending", dimensions: dimensions).record(subscriber.pending)
                let age = subscriber.oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0
                Gauge(label: "canto_outbox_oldest_age_seconds", dimensions: dimensions).record(age)
            }
        }
        if let users = try? await statistics.usersActive(since: now.addingTimeInterval(-15 * 60)) {
            Gauge(label: "canto_users_active").record(users)
        }
        let playback = await sessions.activity()
        Gauge(label: "canto_playback_sessions_active").record(playback.sessions)
        Gauge(label: "canto_playback_users_active").record(playback.users)
        for (file, path) in [("main", databasePath), ("wal", databasePath + "-wal")] {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
            Gauge(label: "canto_database_bytes", dimensions: [("file", file)]).record(size)
        }
        checkpoints.observe(walHeaderOf: databasePath + "-wal")
        for space in Self.diskSpace(of: folders) {
            Gauge(label: "canto_disk_free_bytes", dimensions: [("folder", space.folder)]).record(space.freeBytes)
            Gauge(label: "canto_disk_total_bytes", dimensions: [("folder", space.folder)]).record(space.totalBytes)
        }
        CacheMetrics.publish()
        BackupMetrics.registerIfUnset()
        registerPluginSeries()
        // At zero from the start, so the alert on failing scans sees the first failure.
        Counter(label: "canto_scan_failures_total").increment(by: 0)
    }

    /// Each plugin's counters at zero before its first call, so a rate or an alert sees the first.
    private func registerPluginSeries() {
        for (id, plugin) in plugins.instances {
            for outcome in ["ok", "error", "timeout"] {
                Counter(label: "canto_plugin_calls_total", dimensions: [("plugin", id), ("outcome", outcome)])
                    .increment(by: 0)
            }
            let permissions = type(of: plugin).descriptor.permissions
            if !permissions.networkHosts.isEmpty || !permissions.networkHostKeys.isEmpty {
                for outcome in ["ok", "error"] {
                    Counter(
                        label: "canto_plugin_http_requests_total", dimensions: [("plugin", id), ("outcome", outcome)]
                    )
                    .increment(by: 0)
                }
            }
            if permissions.publicRoutes {
                for status in [200, 400, 500] { PluginRoutesController.countWebhook(id, status: status, by: 0) }
            }
            if permissions.payments {
                for outcome in ["applied", "duplicate", "failed"] {
                    Counter(label: "canto_payment_events_total", dimensions: [("plugin", id), ("outcome", outcome)])
                        .increment(by: 0)
                }
            }
        }
    }
}

/// Refreshes `OperationalGauges` every `interval` for the server's life.
struct OperationalGaugesService: Service {
    let gauges: OperationalGauges
    var interval: Duration = .seconds(15)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await gauges.refresh()
                try? await Task.sleep(for: interval)
            }
        }
    }
}

/// Every named cache's counts (`CacheCounters`) on `/metrics`: `canto_cache_hits_total`,
/// `canto_cache_misses_total`, `canto_cache_evictions_total`, `canto_cache_write_failures_total` (a
/// full disk: served, not kept), `canto_cache_entries` and
/// `canto_cache_bytes` (the disk caches' files; the memory caches' estimates of their entries), each
/// with a `cache` label. Reading the counts is a few atomic loads, so a scrape publishes them too.
enum CacheMetrics {
    /// What was last added to each counter, per cache: the counters move by the difference.
    private static let published = Mutex<[String: CacheCounters.Snapshot]>([:])

    static func publish() {
        for counters in CacheCounters.all {
            let now = counters.snapshot
            let before = published.withLock { published in
                let before = published[counters.name]
                published[counters.name] = now
                return before
            }
            let dimensions = [("cache", counters.name)]
            let moves = [
                ("canto_cache_hits_total", now.hits - (before?.hits ?? 0)),
                ("canto_cache_misses_total", now.misses - (before?.misses ?? 0)),
                ("canto_cache_evictions_total", now.evictions - (before?.evictions ?? 0)),
                ("canto_cache_write_failures_total", now.writeFailures - (before?.writeFailures ?? 0)),
            ]
            for (label, delta) in moves {
                // A counter appears at zero before its first event, so every cache has every series.
                Counter(label: label, dimensions: dimensions).increment(by: max(0, delta))
            }
            Gauge(label: "canto_cache_entries", dimensions: dimensions).record(now.entries)
            Gauge(label: "canto_cache_bytes", dimensions: dimensions).record(now.bytes)
        }
    }
}

/// `canto_backup_last_success_timestamp_seconds`: when a copy of the database last succeeded
/// (Unix seconds; 0 until the first). The backup code calls `succeeded(at:)`.
enum BackupMetrics {
    private static let recorded = Atomic<Bool>(false)
    private static let lastSuccess = Gauge(label: "canto_backup_last_success_timestamp_seconds")

    /// A copy finished at `date`.
    static func succeeded(at date: Date) {
        recorded.store(true, ordering: .relaxed)
        lastSuccess.record(date.timeIntervalSince1970)
    }

    /// Shows the gauge at 0 when no copy was made since the server started, so the alert on an
    /// old backup fires for a server that never made one.
    static func registerIfUnset() {
        guard !recorded.load(ordering: .relaxed) else { return }
        lastSuccess.record(0)
    }
}

/// `canto_db_checkpoints_total`: completed WAL checkpoints, as SQLite records them in the WAL
/// file's header (its checkpoint sequence number moves each time the log starts over after every
/// page in it was copied into the database). Read with the other gauges; a WAL file made anew
/// (after the last connection closed) starts a new count.
final class CheckpointCounter: Sendable {
    private let last = Mutex<UInt32?>(nil)
    private let counter = Counter(label: "canto_db_checkpoints_total")

    init() { counter.increment(by: 0) }

    func observe(walHeaderOf path: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 16), header.count == 16 else { return }
        let bytes = Array(header)
        // The magic number (0x377f0682 or 0x377f0683) says it is a WAL header at all.
        guard bytes[0] == 0x37, bytes[1] == 0x7F, bytes[2] == 0x06, bytes[3] & 0xFE == 0x82 else { return }
        let sequence = bytes[12..<16].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let moved = last.withLock { last -> UInt32 in
            defer { last = sequence }
            guard let previous = last, sequence >= previous else { return 0 }
            return sequence - previous
        }
        if moved > 0 { counter.increment(by: Int64(moved)) }
    }
}
