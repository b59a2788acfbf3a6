public import CantoCore
public import Foundation
import GRDB

/// Play queues, bookmarks and stars: each row belongs to one user and is only ever reached
/// through that user's ID. Writes for a user who does not exist throw `NotFoundOrForbidden`.
extension LibraryStateRepository {
    // MARK: Play queue

    public func playQueue(of user: UserID) async throws -> PlayQueue? {
        try await pool.read { db in
            guard
                let found = try Row.fetchOne(
                    db, sql: "SELECT * FROM play_queue WHERE user_id = ?", arguments: [user.rawValue])
            else { return nil }
            let row = StoredRow(found, table: "play_queue")
            let trackIDs = try JSONDecoder().decode([TrackID].self, from: Data((try row["track_ids"] as String).utf8))
            return try PlayQueue(
                trackIDs: trackIDs, currentIndex: row["current_index"], positionMs: row["position_ms"],
                changedAt: row.date("changed_at"), changedBy: row["changed_by"])
        }
    }

    /// Replaces the queue; nil removes it. Throws `DomainError.invalid("changedAt")` for a date
    /// outside `StoredTime`'s range (nothing changes).
    public func savePlayQueue(_ queue: PlayQueue?, of user: UserID) async throws {
        let changedAt = try queue?.changedAt.storable("changedAt")
        let trackIDs = try queue.map { String(decoding: try JSONEncoder().encode($0.trackIDs), as: UTF8.self) }
        try await pool.writeOwned { db in
            try db.appendEvent(.queueSaved(user: user, trackCount: queue?.trackIDs.count ?? 0), at: Date())
            guard let queue, let trackIDs, let changedAt else {
                try db.run("DELETE FROM play_queue WHERE user_id = ?", [user.rawValue])
                return
            }
            try db.run(
                """
                INSERT INTO play_queue (user_id, track_ids, current_index, position_ms, changed_at, changed_by)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(user_id) DO UPDATE SET track_ids = excluded.track_ids,
                    current_index = excluded.current_index, position_ms = excluded.position_ms,
                    changed_at = excluded.changed_at, changed_by = excluded.changed_by
                """,
                [user.rawValue, trackIDs, queue.currentIndex, queue.positionMs, changedAt, queue.changedBy])
        }
    }

    // MARK: Bookmarks

    /// Most recently updated first. One row that does not decode (see `StoredValueUnreadable`)
    /// fails the whole list.
    public func bookmarks(of user: UserID) async throws -> [Bookmark] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM bookmark WHERE user_id = ? ORDER BY updated_at DESC, track_id",
                arguments: [user.rawValue]
            ).map { row in
                let row = StoredRow(row, table: "bookmark")
                return try Bookmark(
                    trackID: TrackID(row["track_id"]), positionMs: row["position_ms"], comment: row["comment"],
                    createdAt: row.date("created_at"), updatedAt: row.date("updated_at"))
            }
        }
    }

    /// Creates or moves the user's bookmark in the track; a moved bookmark keeps its creation time.
    /// Throws `DomainError.invalid` for a date outside `StoredTime`'s range (nothing changes).
    public func saveBookmark(_ bookmark: Bookmark, of user: UserID) async throws {
        let createdAt = try bookmark.createdAt.storable("createdAt")
        let updatedAt = try bookmark.updatedAt.storable("updatedAt")
        try await pool.writeOwned { db in
            try db.run(
                """
                INSERT INTO bookmark (user_id, track_id, position_ms, comment, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(user_id, track_id) DO UPDATE SET position_ms = excluded.position_ms,
                    comment = excluded.comment, updated_at = excluded.updated_at
                """,
                [
                    user.rawValue, bookmark.trackID.rawValue, bookmark.positionMs, bookmark.comment,
                    createdAt, updatedAt,
                ])
        }
    }

    public func deleteBookmark(track: TrackID, of user: UserID) async throws -> Bool {
        try await pool.write { db in
            try db.run("DELETE FROM bookmark WHERE user_id = ? AND track_id = ?", [user.rawValue, track.rawValue]) > 0
        }
    }

    // MARK: Stars and ratings

    /// Starred items newest first, then items only rated. One row that does not decode (see
    /// `StoredValueUnreadable`) fails the whole list (and the song lists that ask for stars).
    public func annotations(of user: UserID) async throws -> [Annotation] {
        try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT item_id, kind, starred_at, rating FROM annotation WHERE user_id = ?
                        ORDER BY starred_at IS NULL, starred_at DESC, item_id
                        """), arguments: [user.rawValue]
            ).map(Self.annotation)
        }
    }

    /// The most annotations of one user kept in memory (`annotationMaps`).
    static let keptAnnotations = 5000

    /// Every song list asks. A user's annotations are read whole, on the caller's thread, and
    /// kept until stars or ratings change (a play keeps them); a user with more than
    /// `keptAnnotations` is asked by the (user_id, item_id) key each time.
    public func annotations(of user: UserID, items: [String]) async throws -> [String: Annotation] {
        guard !items.isEmpty else { return [:] }
        let kept = try annotationMaps.value(for: user, version: quick.version(of: .annotations)) {
            try quick.read { db -> [String: Annotation]? in
                let rows = try Row.fetchAll(
                    db.cachedStatement(
                        sql: "SELECT item_id, kind, starred_at, rating FROM annotation WHERE user_id = ? LIMIT ?"),
                    arguments: [user.rawValue, Self.keptAnnotations + 1])
                guard rows.count <= Self.keptAnnotations else { return nil }
                return Dictionary(try rows.map(Self.annotation).map { ($0.itemID, $0) }) { first, _ in first }
            }
        }
        if let kept {
            var found: [String: Annotation] = [:]
            for item in items { if let annotation = kept[item] { found[item] = annotation } }
            return found
        }
        return try await pool.read { db in try Self.annotations(db, of: user, items) }
    }

    /// Every recorded play of each track by the user (plays and skips), from the all-time rollup:
    /// one key lookup a track, however often it was played. On the caller's thread, one
    /// statement for up to 999 tracks, without a transaction around it (a longer list's
    /// statements may see different commits: figures a play apart at most).
    public func playCounts(of user: UserID, tracks: [String]) async throws -> [String: Int] {
        guard !tracks.isEmpty else { return [:] }
        return try quick.readEachStatement { db in
            var found: [String: Int] = [:]
            for chunk in tracks.chunked(999) {
                let rows = try Row.fetchCursor(
                    db.cachedStatement(
                        sql: """
                            SELECT item, plays + skips FROM stat_item_total
                            WHERE user_id = ? AND kind = 't' AND item IN (\(BoundList.marks(chunk.count)))
                            """), arguments: StatementArguments([user.rawValue] + BoundList.padded(chunk)))
                while let row = try rows.next() { found[row[0]] = row[1] }
            }
            return found
        }
    }

    private static func annotations(_ db: Database, of user: UserID, _ items: [String]) throws -> [String: Annotation] {
        var found: [String: Annotation] = [:]
        for chunk in items.chunked(999) {
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT item_id, kind, starred_at, rating FROM annotation
                        WHERE user_id = ? AND item_id IN (\(BoundList.marks(chunk.count)))
                        """), arguments: StatementArguments([user.rawValue] + BoundList.padded(chunk)))
            while let row = try rows.next() {
                let annotation = try Self.annotation(row)
                found[annotation.itemID] = annotation
            }
        }
        return found
    }

    private static func annotation(_ row: Row) throws -> Annotation {
        let row = StoredRow(row, table: "annotation")
        return try Annotation(
            itemID: row[0], kind: Annotation.ItemKind(rawValue: row[1]) ?? .track, starredAt: row.optionalDate(2),
            rating: row[3])
    }

    /// Starring a starred item keeps its first star time. Throws `DomainError.invalid("starredAt")`
    /// for a date outside `StoredTime`'s range (nothing changes).
    public func setStarred(
        _ starred: Bool, item: String, kind: Annotation.ItemKind, user: UserID, at date: Date
    ) async throws {
        try await setStarred(starred, items: [item], kind: kind, user: user, at: date)
    }

    public func setStarred(
        _ starred: Bool, items: [String], kind: Annotation.ItemKind, user: UserID, at date: Date
    ) async throws {
        // Only a star stores the date.
        let date = starred ? try date.storable("starredAt") : date
        try await pool.writeOwned { db in
            for item in items {
                try db.appendEvent(.starred(user: user, item: item, kind: kind, starred: starred), at: Date())
                guard starred else {
                    try db.run(
                        "UPDATE annotation SET starred_at = NULL WHERE user_id = ? AND item_id = ?",
                        [user.rawValue, item])
                    try Self.pruneAnnotation(item, of: user, db)
                    continue
                }
                try db.run(
                    """
                    INSERT INTO annotation (user_id, item_id, kind, starred_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(user_id, item_id) DO UPDATE SET kind = excluded.kind,
                        starred_at = coalesce(starred_at, excluded.starred_at)
                    """, [user.rawValue, item, kind.rawValue, date])
            }
        }
    }

    /// A rating is 1 to 5 (the schema refuses others); nil or 0 removes it, as in Subsonic.
    public func setRating(_ rating: Int?, item: String, kind: Annotation.ItemKind, user: UserID) async throws {
        try await pool.writeOwned { db in
            let given = rating.flatMap { $0 == 0 ? nil : $0 }
            try db.appendEvent(.rated(user: user, item: item, kind: kind, rating: given), at: Date())
            guard let rating, rating != 0 else {
                try db.run(
                    "UPDATE annotation SET rating = NULL WHERE user_id = ? AND item_id = ?", [user.rawValue, item])
                try Self.pruneAnnotation(item, of: user, db)
                return
            }
            try db.run(
                """
                INSERT INTO annotation (user_id, item_id, kind, rating) VALUES (?, ?, ?, ?)
                ON CONFLICT(user_id, item_id) DO UPDATE SET kind = excluded.kind, rating = excluded.rating
                """, [user.rawValue, item, kind.rawValue, rating])
        }
    }

    public func dislikes(of user: UserID) async throws -> Set<TrackID> {
        try await pool.read { db in
            Set(
                try String.fetchAll(
                    db.cachedStatement(sql: "SELECT track_id FROM track_dislike WHERE user_id = ?"),
                    arguments: [user.rawValue]
                ).map { TrackID($0) })
        }
    }

    public func setDisliked(_ disliked: Bool, track: TrackID, user: UserID, at date: Date) async throws {
        let date = try date.storable("dislikedAt")
        try await pool.writeOwned { db in
            if disliked {
                try db.run(
                    "INSERT OR IGNORE INTO track_dislike (user_id, track_id, disliked_at) VALUES (?, ?, ?)",
                    [user.rawValue, track.rawValue, date])
            } else {
                try db.run(
                    "DELETE FROM track_dislike WHERE user_id = ? AND track_id = ?", [user.rawValue, track.rawValue])
            }
        }
    }

    /// An item neither starred nor rated keeps no row.
    private static func pruneAnnotation(_ item: String, of user: UserID, _ db: Database) throws {
        try db.run(
            "DELETE FROM annotation WHERE user_id = ? AND item_id = ? AND starred_at IS NULL AND rating IS NULL",
            [user.rawValue, item])
    }
}
