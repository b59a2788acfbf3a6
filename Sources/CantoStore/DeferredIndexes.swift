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
///
/// The search tables' triggers (`searchTriggers`) are set aside with the indexes, and each batch
/// of the scan writes the search rows of what it touched itself (`indexSearch`), one statement a
/// table, in its own transaction: search finds what is imported so far, and a crash leaves the
/// search tables matching the catalog. Through the triggers each track's upsert was a statement
/// with a journal of its own, and Debian's SQLite (3.40) has FTS5 write its pending terms out at
/// every such savepoint: a segment a track, and the merges that follow (8% of the CPU of a first
/// scan of a million files).
enum DeferredIndexes {
    /// The tables a scan writes a row of for nearly every file. Their primary keys and unique
    /// constraints stay (the upserts need them); only the indexes that speed up reads go.
    static let tables = ["track", "track_artist", "track_genre", "album", "artist"]

    /// The triggers that keep `artist_fts`, `album_fts` and `track_fts` in step with their tables.
    static let searchTriggers = ["artist", "album", "track"].flatMap { table in
        ["insert", "update", "delete"].map { "\(table)_fts_\($0)" }
    }

    /// Drops the tables' secondary indexes and the search triggers and records them, when no
    /// track is in the catalog; returns whether it did. Inside the caller's write transaction.
    static func setAsideForFirstScan(_ db: Database) throws -> Bool {
        guard try db.tableExists("deferred_index"),
            try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM track)") == true
        else { return false }
        let indexes = try Row.fetchAll(
            db,
            sql: """
                SELECT type, name, sql FROM sqlite_master
                WHERE (type = 'index' AND sql IS NOT NULL
                        AND tbl_name IN (\(tables.map { "'\($0)'" }.joined(separator: ", "))))
                    OR (type = 'trigger' AND name IN (\(searchTriggers.map { "'\($0)'" }.joined(separator: ", "))))
                ORDER BY name
                """)
        for index in indexes {
            let name: String = index["name"]
            try db.execute(
                sql: "INSERT OR REPLACE INTO deferred_index (name, sql) VALUES (?, ?)",
                arguments: [name, index["sql"] as String])
            let kind = index["type"] == "trigger" ? "TRIGGER" : "INDEX"
            try db.execute(sql: "DROP \(kind) \(name.quotedDatabaseIdentifier)")
        }
        return true
    }

    /// Whether the search triggers are set aside (a first import is under way): its batches
    /// then write their search rows themselves (`indexSearch`).
    static func searchTriggersAside(_ db: Database) throws -> Bool {
        guard try db.tableExists("deferred_index") else { return false }
        return try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM deferred_index WHERE name = ?)"),
            arguments: [searchTriggers[0]]) ?? false
    }

    /// Writes the search rows of these artists, albums and tracks (by ID) from their rows, as
    /// the triggers would: a row already there is replaced, an ID without a row writes nothing.
    /// Inside the caller's write transaction.
    static func indexSearch(
        artists: some Collection<String>, albums: some Collection<String>, tracks: some Collection<String>,
        _ db: Database
    ) throws {
        let writes: [(ids: [String], sql: (String) -> String)] = [
            (
                Array(artists),
                {
                    "INSERT OR REPLACE INTO artist_fts (rowid, name) SELECT rowid, canto_search_text(name) FROM artist WHERE id IN (\($0))"
                }
            ),
            (
                Array(albums),
                {
                    """
                    INSERT OR REPLACE INTO album_fts (rowid, title, album_artist_name)
                    SELECT rowid, canto_search_text(title), canto_search_text(album_artist_name) FROM album
                    WHERE id IN (\($0))
                    """
                }
            ),
            (
                Array(tracks),
                {
                    """
                    INSERT OR REPLACE INTO track_fts (rowid, title, artist_name, album, album_artist_name, library_key)
                    SELECT rowid, canto_search_text(title), canto_search_text(artist_name), canto_search_text(album),
                        canto_search_text(album_artist_name), hex(library_id)
                    FROM track WHERE id IN (\($0))
                    """
                }
            ),
        ]
        for (ids, sql) in writes {
            for chunk in ids.chunked(512) {
                try db.cachedStatement(sql: sql(BoundList.marks(chunk.count)))
                    .execute(arguments: StatementArguments(BoundList.padded(chunk)))
            }
        }
    }

    /// Builds whatever is set aside, in the caller's write transaction, before a write the
    /// search tables could not follow without their triggers (a deletion, a library's removal),
    /// when `deletes` says the write will delete; asked only while a first import is under way.
    static func restoreBeforeDeleting(_ db: Database, if deletes: () throws -> Bool) throws {
        if try searchTriggersAside(db), try deletes() { _ = try restore(db) }
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

    /// Builds every index and trigger the table lists and removes it from the list; returns how
    /// many were built. Inside the caller's write transaction.
    private static func restore(_ db: Database) throws -> Int {
        guard try db.tableExists("deferred_index") else { return 0 }
        let indexes = try Row.fetchAll(db, sql: "SELECT name, sql FROM deferred_index ORDER BY name")
        for index in indexes {
            let name: String = index["name"]
            // Built already (the same SQL run again would fail): only the record is left.
            if try !db.schemaObjectExists(name) { try db.execute(sql: index["sql"]) }
            try db.execute(sql: "DELETE FROM deferred_index WHERE name = ?", arguments: [name])
        }
        return indexes.count
    }
}

extension Database {
    /// Whether an index or a trigger of that name exists.
    fileprivate func schemaObjectExists(_ name: String) throws -> Bool {
        try Bool.fetchOne(
            self, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type IN ('index', 'trigger') AND name = ?)",
            arguments: [name]) ?? false
    }
}
