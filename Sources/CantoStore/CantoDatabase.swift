import CantoCore
public import Foundation
public import GRDB
import Synchronization

/// The one SQLite database of a Canto data folder: a WAL-mode pool, migrated on open.
public struct CantoDatabase: Sendable {
    /// The pool every repository shares: one pool per file.
    public let pool: DatabasePool
    /// Read-only connections for short reads on the caller's thread.
    public let quick: QuickReader
    public let path: String

    /// Opens (creating when missing) `canto.db` in `dataDirectory` and runs the migrations.
    /// `canto_sonic(features, index)`: one value of a track's stored sonic features (the blob of
    /// `SonicFeatures`), for smart playlists' rules; NULL when there is none.
    static let sonicValue = DatabaseFunction("canto_sonic", argumentCount: 2, pure: true) { values in
        guard let blob = Data.fromDatabaseValue(values[0]), let index = Int.fromDatabaseValue(values[1]),
            index >= 0, blob.count >= (index + 1) * 4
        else { return nil }
        var pattern: UInt32 = 0
        for byte in 0..<4 { pattern |= UInt32(blob[blob.startIndex + index * 4 + byte]) << (8 * byte) }
        let value = Float(bitPattern: pattern)
        return value.isFinite ? Double(value) : nil
    }

    /// `canto_search_text(text)`: the search tables' form of a name (`SearchText.indexForm`).
    /// Remembers recent answers: a scan's search triggers fold each track's artist, album and
    /// album artist, the same few names for every track of an album.
    static let searchText = DatabaseFunction("canto_search_text", argumentCount: 1, pure: true) { values in
        String.fromDatabaseValue(values[0]).map(recentSearchTexts.indexForm)
    }
    static let recentSearchTexts = SearchTextMemo(capacity: 4_096)

    /// WAL pages (4 KB each) at which the writer's commit checkpoints.
    static let checkpointPages = 8_192
    /// The same while a first scan fills an empty catalog (`DeferredIndexes`): each of its
    /// transactions writes thousands of pages at random places of the primary keys' trees, and a
    /// page written by several transactions between two checkpoints is copied to the file once.
    /// The log is emptied (and truncated) at the scan's end.
    static let firstImportCheckpointPages = 65_536
    /// The writer's page cache, in KiB, outside scans: SQLite's own 2 MB, as the readers have. A
    /// request's write touches few pages, and 16 MB here was 15 MB more in a serving process.
    public static let writerCacheKiB = 2_000
    /// The writer's page cache while a scan writes, in KiB: a batch of new tracks touches pages
    /// all over the catalog's indexes (IDs are hashes), more of them the larger the catalog.
    public static let scanCacheKiB = 65_536

    /// The readers of `pool` map up to `mappedBytes` of the file (SQLite's `mmap_size`, at most
    /// about 2 GB; 0 for none).
    public init(
        dataDirectory: URL, busyTimeout: TimeInterval = 5, mappedBytes: Int64 = CantoDatabase.defaultMappedBytes
    ) throws {
        try self.init(
            dataDirectory: dataDirectory, busyTimeout: busyTimeout, mappedBytes: mappedBytes, migratingUpTo: nil)
    }

    /// How much of the file the pool's readers map by default: all of it up to SQLite's limit.
    /// A search at a million tracks steps through hundreds of pages of the full-text index; read
    /// through `pread` they were 14% of its CPU, each page copied into a connection's cache.
    /// Mapped, SQLite reads them in place from the system's file cache. They count in the
    /// process's RSS (once for each connection that touched them) though they are that cache, not
    /// the process's memory: `ProcessFigures` counts them apart. The quick readers (short reads by
    /// key) gained nothing measurable from it and do not map.
    public static let defaultMappedBytes: Int64 = 2_048 * 1_048_576

    /// Stops after the migration named `lastMigration`: tests build older files with it.
    init(
        dataDirectory: URL, busyTimeout: TimeInterval = 5, mappedBytes: Int64 = CantoDatabase.defaultMappedBytes,
        migratingUpTo lastMigration: String?
    ) throws {
        // Before SQLite's first connection in the process, or never (tests open files otherwise too).
        _ = SQLiteProcess.heapUncounted
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let path = dataDirectory.appendingPathComponent("canto.db").path
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        let commits = CommitCounter()
        configuration.prepareDatabase { db in
            // NORMAL is durable across application crashes in WAL mode; only power loss can
            // drop the last transactions, never corrupt the file.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // The writer's commits move the generation the request paths' caches are kept under.
            if !db.configuration.readonly {
                db.add(transactionObserver: commits, extent: .databaseLifetime)
                // The WAL is copied back into the file (and both synced) at 32 MB instead of
                // SQLite's 4 MB: a first scan of 20,000 files was 9% faster with fewer, larger
                // checkpoints, and the file is at most about 28 MB larger meanwhile.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.checkpointPages)")
                // A statement that fires triggers (the search tables') keeps a journal of the
                // pages it changes, in a temporary file by default: a first scan of 20,000 files
                // wrote 2 GB through it for a 30 MB database. In memory, and with a page cache
                // that holds a scan transaction's pages (SQLite's 2 MB spills them to the WAL and
                // reads them back), the scan writes 143 MB and ran 15–25% faster. A scan's batches
                // raise the cache to `scanCacheKiB`; the end of the scan lowers it to
                // `writerCacheKiB` again and gives the pages back (`CatalogRepository.finishScan`).
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
                try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)")
            }
            // The pool's readers only: the searches and scans of the catalog run there.
            if db.configuration.readonly, mappedBytes > 0 {
                try db.execute(sql: "PRAGMA mmap_size = \(mappedBytes)")
            }
            db.add(function: Self.sonicValue)
            db.add(function: Self.searchText)
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        self.path = path
        if let lastMigration {
            try Migrations.migrator.migrate(pool, upTo: lastMigration)
        } else {
            try Migrations.migrator.migrate(pool)
            // A first scan cut off by a crash left its indexes set aside: they are built now.
            try pool.writeWithoutTransaction { db in _ = try DeferredIndexes.restoreSortingOnDisk(db) }
        }
        quick = try QuickReader(path: path, busyTimeout: busyTimeout, commits: commits)
    }

    /// The journal mode in force ("wal").
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// The identifiers of the migrations applied to the file.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in
            let applied = try Migrations.migrator.appliedIdentifiers(db)
            return Migrations.migrator.migrations.filter { applied.contains($0) }
        }
    }

    /// SQLite's count of rows changed by this pool's writer connection since it opened.
    public func totalChanges() throws -> Int {
        try pool.write { db in db.totalChangesCount }
    }
}

/// `SearchText.indexForm` with the latest answers kept (up to `capacity`, then it starts over).
final class SearchTextMemo: Sendable {
    private let capacity: Int
    private let known = Mutex<[String: String]>([:])

    init(capacity: Int) { self.capacity = capacity }

    /// Names longer than this are folded each time, not kept: a hostile file's tag of megabytes
    /// must not multiply into the memory of `capacity` entries.
    static let longestKept = 512

    func indexForm(_ text: String) -> String {
        guard text.utf8.count <= Self.longestKept else { return SearchText.indexForm(text) }
        if let found = known.withLock({ $0[text] }) { return found }
        let form = SearchText.indexForm(text)
        known.withLock { known in
            if known.count >= capacity { known.removeAll(keepingCapacity: true) }
            known[text] = form
        }
        return form
    }
}
