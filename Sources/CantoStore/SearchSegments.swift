import GRDB

/// The search tables' b-trees (FTS5 "segments"), merged into one a table after a scan changed
/// them.
///
/// FTS5 writes each batch of rows it indexes as a new segment and merges a few at a time as more
/// come, so a catalog written a track or a batch at a time keeps 11–13 segments a table (a
/// million generated tracks). Every word a search looks up is then looked up in each segment,
/// and its rows merged across them: over one segment a table, search as you type at a million
/// tracks took 15–22% less CPU a request. The merge is FTS5's own incremental one ('merge'
/// with a negative page count: all segments on one level, then at most that many pages written a
/// step), one write transaction a step, so writers wait for a step (0.1–0.2 s at a million
/// tracks), never the whole merge (3.4 s for `track_fts`).
enum SearchSegments {
    /// The search tables.
    static let tables = ["artist_fts", "album_fts", "track_fts"]

    /// The most pages a step writes.
    static let stepPages = 1_000

    /// How many segments `table` holds; 0 when it has no rows or does not exist (a file migrated
    /// only part of the way).
    static func count(_ table: String, _ db: Database) throws -> Int {
        guard try db.tableExists("\(table)_idx") else { return 0 }
        return try Int.fetchOne(db, sql: "SELECT count(DISTINCT segid) FROM \(table)_idx") ?? 0
    }

    /// Merges each table holding more than one segment into one, writing at most `pagesPerStep`
    /// pages a step. Returns the steps taken (0 when every table held one segment or none).
    @discardableResult
    static func merge(_ pool: DatabasePool, pagesPerStep: Int = stepPages) async throws -> Int {
        var steps = 0
        for table in tables {
            guard try await pool.read({ db in try count(table, db) }) > 1 else { continue }
            // FTS5 tells that a step found nothing more to merge by changing fewer than two rows.
            // A bound, in case it never says so: a million tracks' `track_fts` took 36 steps.
            for _ in 0..<10_000 {
                steps += 1
                let changed = try await pool.write { db in
                    let before = db.totalChangesCount
                    try db.execute(
                        sql: "INSERT INTO \(table)(\(table), rank) VALUES ('merge', ?)", arguments: [-pagesPerStep])
                    return db.totalChangesCount - before
                }
                if changed < 2 { break }
            }
        }
        return steps
    }
}
