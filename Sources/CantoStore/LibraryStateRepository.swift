public import CantoCore
import Foundation
import GRDB

/// Playlists, play queues, bookmarks and stars in SQLite. The asking user is part of every
/// statement's WHERE clause: another user's private object is never read, and a missing
/// object and a forbidden one answer the same (`NotFoundOrForbidden`).
public struct LibraryStateRepository: LibraryStateStore {
    let pool: DatabasePool
    let quick: QuickReader
    /// Each user's stars and ratings by item, until the database changes (nil: too many to keep).
    let annotationMaps = VersionedCache<UserID, [String: Annotation]?>(capacity: 64)

    public init(database: CantoDatabase) {
        pool = database.pool
        quick = database.quick
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
                INSERT INTO playlist (id, owner_id, name, comment, is_public, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    playlist.id.rawValue, playlist.ownerID.rawValue, playlist.name, playlist.comment,
                    playlist.isPublic, createdAt, updatedAt,
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
        try await pool.read { db in
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
        try await pool.read { db in
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
                "UPDATE playlist SET name = ?, comment = ?, is_public = ?, updated_at = ? WHERE id = ? AND owner_id = ?",
                [
                    playlist.name, playlist.comment, playlist.isPublic, updatedAt, playlist.id.rawValue,
                    user.rawValue,
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

    private static func playlist(_ row: Row, trackIDs: [TrackID]) throws -> Playlist {
        let row = StoredRow(row, table: "playlist")
        return try Playlist(
            id: PlaylistID(row["id"]), ownerID: UserID(row["owner_id"]), name: row["name"], comment: row["comment"],
            isPublic: row["is_public"], trackIDs: trackIDs, createdAt: row.date("created_at"),
            updatedAt: row.date("updated_at"))
    }
}
