public import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// What SQLite holds on the heap in this process, over every connection: page caches, prepared
/// statements, schemas (`sqlite3_memory_used`). Beside the process's RSS and the caches' bytes
/// it tells where memory that grows goes.
public enum SQLiteMemory {
    /// The bytes in use now; nil when SQLite's own count is not available.
    public static func used() -> Int64? {
        #if canImport(Glibc)
            // Looked up by name: the system SQLite is linked through GRDB, whose module does not
            // export its C functions here.
            typealias MemoryUsed = @convention(c) () -> Int64
            guard let symbol = dlsym(nil, "sqlite3_memory_used") else { return nil }
            return unsafeBitCast(symbol, to: MemoryUsed.self)()
        #else
            return nil
        #endif
    }

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
