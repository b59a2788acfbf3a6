import GRDB

/// The catalog's secondary indexes, set aside while a first scan fills an empty catalog and
/// built again at its end.
///
/// Track, album and artist IDs are hashes, so each new track lands on a random leaf of every
/// index keyed by one: a first scan of a million files wrote about 14,500 pages a transaction of
/// 2,000 tracks, 58 GB for a 1.1 GB database, and its writer waited on the disk. Built at the
/// end, each index is one sort and one sequential write.
///
/// What was set aside is recorded in `deferred_index` (its name and the `CREATE INDEX` SQLite
/// kept for it) in the transaction that drops it, so a crash in between loses nothing: the
/// next open, the next scan or the end of this one builds whatever the table still lists.
/// The catalog is usable meanwhile, only slower to read by the columns set aside; its album and
/// artist figures and search's kept prefixes are worked out at the scan's end in any case.
enum DeferredIndexes {
    /// The tables a scan writes a row of for nearly every file. Their primary keys and unique
    /// constraints stay (the upserts need them); only the indexes that speed up reads go.
    static let tables = ["track", "track_artist", "track_genre", "album", "artist"]

    /// Drops the tables' secondary indexes and records them, when no track is in the catalog;
    /// returns whether it did. Inside the caller's write transaction.
    static func setAsideForFirstScan(_ db: Database) throws -> Bool {
        guard try db.tableExists("deferred_index"),
            try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM track)") == true
        else { return false }
        let indexes = try Row.fetchAll(
            db,
            sql: """
                SELECT name, sql FROM sqlite_master
                WHERE type = 'index' AND sql IS NOT NULL
                    AND tbl_name IN (\(tables.map { "'\($0)'" }.joined(separator: ", ")))
                ORDER BY name
                """)
        for index in indexes {
            let name: String = index["name"]
            try db.execute(
                sql: "INSERT OR REPLACE INTO deferred_index (name, sql) VALUES (?, ?)",
                arguments: [name, index["sql"] as String])
            try db.execute(sql: "DROP INDEX \(name.quotedDatabaseIdentifier)")
        }
        return true
    }

    /// `restore` in a transaction of its own, its sorts spilling to temporary files rather than
    /// memory. The writer keeps temporary data in memory (`temp_store`, see `CantoDatabase`); an
    /// index over a million rows is a sort of all of them, and in memory the end of a first scan
    /// of a million files peaked at 369 MB where the scan had needed 220. On the writer's
    /// connection, outside any transaction.
    @discardableResult
    static func restoreSortingOnDisk(_ db: Database) throws -> Int {
        guard try db.tableExists("deferred_index"),
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM deferred_index)") == true
        else { return 0 }
        try db.execute(sql: "PRAGMA temp_store = FILE")
        defer { try? db.execute(sql: "PRAGMA temp_store = MEMORY") }
        var built = 0
        try db.inTransaction {
            built = try restore(db)
            return .commit
        }
        return built
    }

    /// Builds every index the table lists and removes it from the list; returns how many were
    /// built. Inside the caller's write transaction.
    private static func restore(_ db: Database) throws -> Int {
        guard try db.tableExists("deferred_index") else { return 0 }
        let indexes = try Row.fetchAll(db, sql: "SELECT name, sql FROM deferred_index ORDER BY name")
        for index in indexes {
            let name: String = index["name"]
            // Built already (the same SQL run again would fail): only the record is left.
            if try !db.indexExists(name) { try db.execute(sql: index["sql"]) }
            try db.execute(sql: "DELETE FROM deferred_index WHERE name = ?", arguments: [name])
        }
        return indexes.count
    }
}

extension Database {
    fileprivate func indexExists(_ name: String) throws -> Bool {
        try Bool.fetchOne(
            self, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?)",
            arguments: [name]) ?? false
    }
}
