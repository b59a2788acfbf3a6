public import CantoCore
import Foundation
import GRDB

/// Playlists, play queues, bookmarks and stars in SQLite. The asking user is part of every
/// statement's WHERE clause: another user's private object is never read, and a missing
/// object and a forbidden one answer the same (`NotFoundOrForbidden`).
public struct LibraryStateRepository: LibraryStateStore {
    let pool: MeteredPool
    let quick: QuickReader
    /// Each user's stars and ratings by item, until the database changes (nil: too many to keep).
    let annotationMaps: VersionedCache<UserID, [String: Annotation]?>
    /// Each viewer's playlists as search lists them, until the database changes or the day turns
    /// (a smart playlist's "in the last N days" moves with it).
    let playlistLists: VersionedCache<PlaylistListKey, [PlaylistSummary]>

    struct PlaylistListKey: Hashable, Sendable {
        var viewer: UserID
        /// `smartDay` of the time asked.
        var day: Int
    }

    /// "In the last N days" rules read the time here.
    let clock: any WallClock

    /// The playlists, queues and stars in `database`; the annotation cache takes its share of
    /// `budget`.
    public init(database: CantoDatabase, clock: any WallClock = SystemClock(), budget: MemoryBudget = .standard) {
        pool = MeteredPool(database.pool, repository: "library_state")
        quick = database.quick
        self.clock = clock
        // An item id and an annotation per entry: an estimate.
        annotationMaps = VersionedCache(name: "annotations", capacity: 64, budget: budget) { map in
            ((map?.count ?? 0) + 1) * 128
        }
        playlistLists = VersionedCache(name: "playlist_lists", capacity: 64, budget: budget) { list in
            (list.count + 1) * 160 + list.reduce(0) { $0 + $1.name.utf8.count }
        }
    }

    // MARK: Playlists

    /// Throws `NotFoundOrForbidden` when the owner does not exist, `DomainError.invalid` for a
    /// date outside `StoredTime`'s range (nothing is stored).
    public func createPlaylist(_ playlist: Playlist) async throws {
        let createdAt = try playlist.createdAt.storable("createdAt")
        let updatedAt = try playlist.updatedAt.storable("updatedAt")
        try await pool.writeOwned { db in
            try db.appendEvent(
                .playlistChanged(user: playlist.ownerID, playlist: playlist.id, deleted: false), at: updatedAt)
            try db.run(
                """
                INSERT INTO playlist (id, owner_id, name, comment, is_public, created_at, updated_at, rules)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    playlist.id.rawValue, playlist.ownerID.rawValue, playlist.name, playlist.comment,
                    playlist.isPublic, createdAt, updatedAt, playlist.rules,
                ])
            try Self.saveTracks(playlist.trackIDs, of: playlist.id, db)
        }
    }

    public func setUploadBytes(_ bytes: Int, of playlist: PlaylistID) async throws {
        try await pool.writeOwned { db in
            try db.run("UPDATE playlist SET upload_bytes = ? WHERE id = ?", [max(0, bytes), playlist.rawValue])
        }
    }

    public func uploadBytes(of owner: UserID) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT coalesce(sum(upload_bytes), 0) FROM playlist WHERE owner_id = ?",
                arguments: [owner.rawValue]) ?? 0
        }
    }

    public func playlist(_ id: PlaylistID, viewer: UserID) async throws -> Playlist {
        try await refreshSmart(only: id)
        return try await pool.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM playlist WHERE id = ? AND (owner_id = ? OR is_public = 1)",
                    arguments: [id.rawValue, viewer.rawValue])
            else { throw NotFoundOrForbidden() }
            let tracks = try String.fetchAll(
                db, sql: "SELECT track_id FROM playlist_track WHERE playlist_id = ? ORDER BY position",
                arguments: [id.rawValue])
            return try Self.playlist(row, trackIDs: tracks.map { TrackID($0) })
        }
    }

    /// By name (ASCII case ignored), the viewer's own and everyone's public ones together. One
    /// row that does not decode (see `StoredValueUnreadable`) fails the whole list.
    public func playlists(visibleTo viewer: UserID) async throws -> [Playlist] {
        try await refreshSmart(visibleTo: viewer)
        return try await pool.read { db in
            let visible = "SELECT id FROM playlist WHERE owner_id = ? OR is_public = 1"
            var tracks: [String: [TrackID]] = [:]
            let trackRows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT playlist_id, track_id FROM playlist_track WHERE playlist_id IN (\(visible))
                    ORDER BY playlist_id, position
                    """, arguments: [viewer.rawValue])
            while let found = try trackRows.next() {
                let row = StoredRow(found, table: "playlist_track")
                tracks[try row["playlist_id"], default: []].append(TrackID(try row["track_id"]))
            }
            return try Row.fetchAll(
                db, sql: "SELECT * FROM playlist WHERE id IN (\(visible)) ORDER BY name COLLATE NOCASE, id",
                arguments: [viewer.rawValue]
            ).map { row in
                try Self.playlist(row, trackIDs: tracks[try StoredRow(row, table: "playlist")["id"]] ?? [])
            }
        }
    }

    /// Saves name, comment, visibility, tracks and `updatedAt` in one transaction. The owner
    /// and creation time never change. Throws `DomainError.invalid("updatedAt")` for a date outside
    /// `StoredTime`'s range (nothing changes).
    public func updatePlaylist(_ playlist: Playlist, by user: UserID) async throws {
        let updatedAt = try playlist.updatedAt.storable("updatedAt")
        try await pool.write { db in
            let changed = try db.run(
                """
                UPDATE playlist SET name = ?, comment = ?, is_public = ?, updated_at = ?, rules = ?, smart_stamp = NULL
                WHERE id = ? AND owner_id = ?
                """,
                [
                    playlist.name, playlist.comment, playlist.isPublic, updatedAt, playlist.rules,
                    playlist.id.rawValue, user.rawValue,
                ])
            guard changed > 0 else { throw NotFoundOrForbidden() }
            try Self.saveTracks(playlist.trackIDs, of: playlist.id, db)
            try db.appendEvent(.playlistChanged(user: user, playlist: playlist.id, deleted: false), at: updatedAt)
        }
    }

    public func deletePlaylist(_ id: PlaylistID, by user: UserID) async throws {
        try await pool.write { db in
            guard try db.run("DELETE FROM playlist WHERE id = ? AND owner_id = ?", [id.rawValue, user.rawValue]) > 0
            else { throw NotFoundOrForbidden() }
            try db.appendEvent(.playlistChanged(user: user, playlist: id, deleted: true), at: Date())
        }
    }

    /// Rewrites the track list: positions 0, 1, 2… in the order given, duplicates kept.
    private static func saveTracks(_ trackIDs: [TrackID], of playlist: PlaylistID, _ db: Database) throws {
        try db.run("DELETE FROM playlist_track WHERE playlist_id = ?", [playlist.rawValue])
        for (position, track) in trackIDs.enumerated() {
            try db.run(
                "INSERT INTO playlist_track (playlist_id, position, track_id) VALUES (?, ?, ?)",
                [playlist.rawValue, position, track.rawValue])
        }
    }

    /// Read on the caller's thread (`QuickReader`): search as you type asks on every keystroke. A
    /// smart playlist whose tracks are due is worked out first, as for `playlists(visibleTo:)`.
    public func playlistSummaries(visibleTo viewer: UserID) async throws -> [PlaylistSummary] {
        let now = clock.now
        // Search as you type asks at every keystroke: kept while nothing is written. What a
        // smart playlist is due on (the catalog, the events, the day) cannot move meanwhile.
        let key = PlaylistListKey(viewer: viewer, day: Self.smartDay(now))
        let generation = quick.generation.current
        if let kept = playlistLists.value(for: key, version: generation) { return kept }
        // One read when no smart playlist is due, which is nearly always.
        let (stale, summaries) = try quick.read { db in
            (try Self.staleSmart(db, now: now, only: nil, visibleTo: viewer), try Self.summaries(visibleTo: viewer, db))
        }
        guard !stale.isEmpty else { return playlistLists.keep(summaries, for: key, version: generation) }
        try await refreshSmart(stale, now: now)
        return try quick.read { db in try Self.summaries(visibleTo: viewer, db) }
    }

    private static func summaries(visibleTo viewer: UserID, _ db: Database) throws -> [PlaylistSummary] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT id, owner_id, name, is_public,
                        (SELECT count(*) FROM playlist_track WHERE playlist_id = playlist.id)
                    FROM playlist WHERE owner_id = ? OR is_public = 1 ORDER BY name COLLATE NOCASE, id
                    """), arguments: [viewer.rawValue]
        ).map { found in
            let row = StoredRow(found, table: "playlist")
            return try PlaylistSummary(
                id: PlaylistID(row[0]), ownerID: UserID(row[1]), name: row[2], isPublic: row[3], trackCount: row[4])
        }
    }

    private static func playlist(_ row: Row, trackIDs: [TrackID]) throws -> Playlist {
        let row = StoredRow(row, table: "playlist")
        return try Playlist(
            id: PlaylistID(row["id"]), ownerID: UserID(row["owner_id"]), name: row["name"], comment: row["comment"],
            isPublic: row["is_public"], trackIDs: trackIDs, createdAt: row.date("created_at"),
            updatedAt: row.date("updated_at"), rules: row["rules"])
    }

    // MARK: Smart playlists

    /// What a smart playlist's tracks depend on: the catalog, every listener's plays, skips, stars
    /// and ratings (the event outbox), and the day (for "in the last N days").
    static func smartStamp(_ db: Database, now: Date) throws -> String {
        // Asked at every read of the playlists (search as you type's too): from the statement cache.
        let version = try db.catalogVersion()
        let events = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) FROM event_outbox")) ?? 0
        return "\(version):\(events):\(smartDay(now))"
    }

    /// The day "in the last N days" rules move with: days since 1970, in UTC.
    static func smartDay(_ now: Date) -> Int { Int(now.timeIntervalSince1970 / 86_400) }

    /// The tracks `definition` picks for `owner` within `libraries` (nil: all), in order.
    public func smartTracks(_ definition: SmartDefinition, owner: UserID, libraries: [LibraryID]?) async throws
        -> [TrackID]
    {
        let now = clock.now
        return try await pool.read { db in
            try Self.evaluate(definition, owner: owner, libraries: libraries, now: now, db)
        }
    }

    static func evaluate(
        _ definition: SmartDefinition, owner: UserID, libraries: [LibraryID]?, now: Date, _ db: Database
    ) throws -> [TrackID] {
        var query = SmartPlaylistQuery(definition, owner: owner, libraries: libraries, now: now)
        let (sql, arguments) = query.sql()
        return try String.fetchAll(db, sql: sql, arguments: arguments).map { TrackID($0) }
    }

    /// Works out again the smart playlists (one, or those `viewer` sees) whose tracks are older
    /// than the library and the history; each for its owner, within the libraries given to them.
    private func refreshSmart(only id: PlaylistID? = nil, visibleTo viewer: UserID? = nil) async throws {
        let now = clock.now
        let stale = try await pool.read { db in try Self.staleSmart(db, now: now, only: id, visibleTo: viewer) }
        try await refreshSmart(stale, now: now)
    }

    /// The smart playlists (one, or those `viewer` sees) whose tracks are older than the library
    /// and the history: ID, owner and rules of each.
    private static func staleSmart(_ db: Database, now: Date, only id: PlaylistID?, visibleTo viewer: UserID?) throws
        -> [[String]]
    {
        let stamp = try Self.smartStamp(db, now: now)
        var sql = "SELECT id, owner_id, rules FROM playlist WHERE rules IS NOT NULL AND smart_stamp IS NOT ?"
        var arguments: [any DatabaseValueConvertible] = [stamp]
        if let id {
            sql += " AND id = ?"
            arguments.append(id.rawValue)
        }
        if let viewer {
            sql += " AND (owner_id = ? OR is_public = 1)"
            arguments.append(viewer.rawValue)
        }
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments)).map { found in
            let row = StoredRow(found, table: "playlist")
            return [try row["id"] as String, try row["owner_id"] as String, try row["rules"] as String? ?? ""]
        }
    }

    /// Works out again the tracks of `stale` (from `staleSmart`).
    private func refreshSmart(_ stale: [[String]], now: Date) async throws {
        guard !stale.isEmpty else { return }
        try await pool.write { db in
            let stamp = try Self.smartStamp(db, now: now)
            for row in stale {
                let id = row[0]
                let owner = UserID(row[1])
                guard let definition = try? SmartDefinition(text: row[2]) else { continue }
                let restricted =
                    try Bool.fetchOne(
                        db, sql: "SELECT library_ids_restricted FROM user WHERE id = ?", arguments: [owner.rawValue])
                    ?? true
                let libraries =
                    restricted
                    ? try String.fetchAll(
                        db, sql: "SELECT library_id FROM user_library WHERE user_id = ?", arguments: [owner.rawValue]
                    ).map { LibraryID($0) } : nil
                let tracks = try Self.evaluate(definition, owner: owner, libraries: libraries, now: now, db)
                try Self.saveTracks(tracks, of: PlaylistID(id), db)
                try db.run("UPDATE playlist SET smart_stamp = ? WHERE id = ?", [stamp, id])
            }
        }
    }
}
