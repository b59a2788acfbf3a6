import CantoCore
import Foundation
public import GRDB
import Synchronization

/// Reads of a few indexed rows (a row by key, a short `IN` list), run on the caller's thread,
/// and the small values the request paths keep in memory until the database changes.
///
/// `DatabasePool`'s async `read` hops to one of GRDB's queues and back: for a read of
/// microseconds the two thread switches cost more than the read, and at thousands of requests
/// a second they make the latency tail. These connections are their own read-only pool, used
/// only synchronously, so a connection is never held across a suspension point: a caller that
/// waits for one waits microseconds (the main pool's async readers hold theirs until a
/// cooperative thread resumes them, and blocking those threads on that pool could deadlock).
/// Anything that scans goes through the main pool's async `read`.
public struct QuickReader: Sendable {
    private let pool: DatabasePool
    /// Moves whenever the database may have changed.
    public let generation: StoreGeneration
    private let versions = Versions()

    /// The versions kept under the generation, in one reference: a `QuickReader` is copied into
    /// every repository, and the services that hold them all are built on a task's small stack.
    private final class Versions: Sendable {
        let catalog = VersionedCache<Int, Int>(
            name: "catalog_version", capacity: 1, budget: .standard, cost: { _ in MemoryLayout<Int>.size * 4 })
        let watched = VersionedCache<WatchedTables, Int>(
            name: "watched_versions", capacity: WatchedTables.allCases.count, budget: .standard,
            cost: { _ in MemoryLayout<Int>.size * 4 })
    }

    init(path: String, busyTimeout: TimeInterval, commits: CommitCounter) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        configuration.maximumReaderCount = 4
        pool = try DatabasePool(path: path, configuration: configuration)
        generation = try StoreGeneration(path: path, commits: commits)
    }

    /// Runs `body` in a read transaction on the calling thread.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// Runs `body` on the calling thread with no transaction around it: each statement is its
    /// own, and sees the database as it is when it starts. For one short statement, whose
    /// `BEGIN` and `COMMIT` cost as much as the statement (every song list's play counts: a
    /// twentieth of browsing's CPU). Statements of one call may see different commits.
    public func readEachStatement<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.unsafeRead(body)
    }

    /// The catalog's version (moved by triggers at every catalog change), read again only when
    /// the generation has moved.
    public func catalogVersion() throws -> Int {
        try versions.catalog.value(for: 0, version: generation.current) {
            try read { db in try db.catalogVersion() }
        }
    }

    /// The version of a group of tables (moved by triggers at every change to them, whichever
    /// process writes), read again only when the generation has moved: what is kept under it
    /// stays through every other commit, a play's included.
    public func version(of tables: WatchedTables) throws -> Int {
        try versions.watched.value(for: tables, version: generation.current) {
            try read { db in
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT version FROM watched_version WHERE name = ?"),
                    arguments: [tables.rawValue]) ?? 0
            }
        }
    }
}

/// Groups of tables a cache on the request paths is kept under (`QuickReader.version(of:)`):
/// what it holds is read again only when one of them changes, not at every commit (a play
/// commits several times a second under load, and must not empty every listener's sign-in and
/// stars). Migration v28 keeps their versions with triggers.
public enum WatchedTables: String, CaseIterable, Sendable {
    /// The user rows and their library limits (what a Subsonic sign-in reads).
    case accounts
    /// Stars and ratings.
    case annotations
    /// Tracks' sonic features and failures (migration v29).
    case sonic
    /// Sign-in sessions (migration v30): what every signed-in request of the native API reads.
    case sessions

    /// The tables whose every insert, update and delete moves the group's version.
    static let tables: [WatchedTables: [String]] = [
        .accounts: ["user", "user_library"],
        .annotations: ["annotation"],
        .sonic: ["track_sonic"],
        .sessions: ["session"],
    ]
}

extension Database {
    /// The catalog's version: one row, moved by triggers at every catalog change.
    func catalogVersion() throws -> Int {
        try Int.fetchOne(cachedStatement(sql: "SELECT version FROM catalog_version WHERE id = 1")) ?? 0
    }
}

/// Counts the commits of this process's writer connection (a transaction observer on it).
final class CommitCounter: TransactionObserver, Sendable {
    private let commits = Atomic<Int>(0)

    var count: Int { commits.load(ordering: .acquiring) }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) { commits.add(1, ordering: .releasing) }
    func databaseDidRollback(_ db: Database) {}
}

/// A number that moves whenever the database may have changed: at once when this process's
/// writer commits, and within `pollInterval` when another process (`canto scan`, `canto user`)
/// does, seen by `PRAGMA data_version` on a connection of its own. A value read after reading
/// the generation, and kept under it, is current while the generation stays the same.
public final class StoreGeneration: Sendable {
    /// How stale another process's change may look.
    static let pollInterval: Duration = .milliseconds(200)

    private struct Watch {
        var checked: ContinuousClock.Instant
        var dataVersion: Int
        /// Bumped when `data_version` moves.
        var external: Int
    }

    private let commits: CommitCounter
    private let watcher: DatabaseQueue
    private let watch: Mutex<Watch>
    private let external = Atomic<Int>(0)

    init(path: String, commits: CommitCounter) throws {
        self.commits = commits
        var configuration = Configuration()
        configuration.readonly = true
        watcher = try DatabaseQueue(path: path, configuration: configuration)
        let version = try watcher.inDatabase { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
        watch = Mutex(Watch(checked: .now, dataVersion: version, external: 0))
    }

    /// The current generation. Read it before reading what you keep under it (a
    /// `VersionedCache` with the generation as its version).
    public var current: Int {
        pollOtherProcesses()
        // Both counts only grow, so their sum moves whenever either does.
        return commits.count &+ external.load(ordering: .acquiring)
    }

    /// At most once a `pollInterval`, by one caller (the others go on with what they know).
    private func pollOtherProcesses() {
        let now = ContinuousClock.now
        watch.withLockIfAvailable { watch in
            guard now - watch.checked >= Self.pollInterval else { return }
            watch.checked = now
            let version = try? watcher.inDatabase { db in try Int.fetchOne(db, sql: "PRAGMA data_version") }
            guard let version = version ?? nil, version != watch.dataVersion else { return }
            watch.dataVersion = version
            external.add(1, ordering: .releasing)
        }
    }
}
