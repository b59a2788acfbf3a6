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
}
