import CSQLiteShim
public import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// SQLite's process-wide settings and figures.
public enum SQLiteProcess {
    /// Whether SQLite's count of its heap is off in this process. It is turned off the first time
    /// this is read, which Canto does before it opens any database (`canto`'s entry point and
    /// `CantoDatabase`); read later, once SQLite is initialised, the count stays on.
    ///
    /// The count (`SQLITE_CONFIG_MEMSTATUS`, on by default) takes one process-wide mutex around
    /// every allocation SQLite makes, and Debian's SQLite has no lookaside memory, so every
    /// statement allocates: search as you type at a million tracks spent 13% of its CPU waking
    /// and waiting on that mutex, and ran 45% faster without it (see the README). SQLite's total
    /// heap (`sqlite3_memory_used`) is not known without it; each connection's page cache still is
    /// (`SQLiteMemory.cacheUsed(by:)`).
    public static let heapUncounted: Bool = canto_sqlite_stop_counting_memory() == 0

    /// The linked SQLite's version ("3.40.1").
    public static var version: String { String(cString: canto_sqlite_version()) }
}

/// What SQLite holds on the heap for one connection.
public enum SQLiteMemory {
    /// The bytes one connection's page cache holds now (`SQLITE_DBSTATUS_CACHE_USED`); nil when
    /// SQLite's figure is not available.
    public static func cacheUsed(by db: Database) -> Int? {
        #if canImport(Glibc)
            typealias DatabaseStatus =
                @convention(c) (
                    OpaquePointer?, Int32, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>, Int32
                ) -> Int32
            guard let symbol = dlsym(nil, "sqlite3_db_status") else { return nil }
            var current: Int32 = 0
            var highest: Int32 = 0
            let cacheUsed: Int32 = 1  // SQLITE_DBSTATUS_CACHE_USED
            let status = unsafeBitCast(symbol, to: DatabaseStatus.self)(
                db.sqliteConnection, cacheUsed, &current, &highest, 0)
            return status == 0 ? Int(current) : nil
        #else
            return nil
        #endif
    }
}
