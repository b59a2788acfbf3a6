import CantoCore
import Foundation
import GRDB

/// The statements of one catalog write transaction. Statements are cached by the connection,
/// so a batch of hundreds of tracks prepares each only once.
struct CatalogWrites {
    let db: Database

    func apply(_ batch: CatalogBatch) throws {
        for folder in batch.folders { try upsert(folder) }
        for write in batch.tracks { try upsert(write) }
        for id in batch.deletedTracks {
            try db.execute(sql: "DELETE FROM track WHERE id = ?", arguments: [id.rawValue])
        }
        for id in batch.deletedFolders {
            try db.execute(sql: "DELETE FROM folder WHERE id = ?", arguments: [id.rawValue])
        }
    }

    private func upsert(_ folder: Folder) throws {
        try db.execute(
            sql: """
                INSERT INTO folder (id, library_id, parent_id, path, name) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name
                """,
            arguments: [folder.id.rawValue, folder.libraryID.rawValue, folder.parentID?.rawValue, folder.path, folder.name])
    }

    private func upsert(_ write: TrackWrite) throws {
        let track = write.track
        if let artwork = write.artwork {
            try db.execute(
                sql: """
                    INSERT INTO artwork (id, source, path, mime_type, byte_count) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET source = excluded.source, path = excluded.path,
                        mime_type = excluded.mime_type, byte_count = excluded.byte_count
                    """,
                arguments: [artwork.id.rawValue, artwork.source.rawValue, artwork.path, artwork.mimeType, artwork.byteCount])
        }
        for credit in write.credits { try upsertArtist(credit) }
        let albumArtist = CatalogIDs.artist(name: track.albumArtistName)
        try upsertArtist(ArtistCredit(name: track.albumArtistName, role: .albumArtist))
        try db.execute(
            sql: """
                INSERT INTO album (id, title, sort_title, album_artist_id, album_artist_name, year, compilation,
                    release_mbid, release_group_mbid, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET title = excluded.title, album_artist_name = excluded.album_artist_name,
                    compilation = excluded.compilation, release_group_mbid = coalesce(excluded.release_group_mbid,
                    release_group_mbid), updated_at = excluded.updated_at
                """,
            arguments: [
                track.albumID.rawValue, track.album, write.albumTitleSort, albumArtist.rawValue, track.albumArtistName,
                track.year, track.compilation, track.musicBrainz.releaseID, track.musicBrainz.releaseGroupID,
                track.createdAt, track.updatedAt,
            ])
        // Play counts and the first-seen date belong to the track, not to the file: keep them.
        _ = try TrackRecord(track).upsertAndFetch(db, onConflict: ["id"]) { _ in
            [TrackRecord.Columns.playCount.noOverwrite, TrackRecord.Columns.createdAt.noOverwrite]
        }
        try db.execute(sql: "DELETE FROM track_artist WHERE track_id = ?", arguments: [track.id.rawValue])
        for (position, credit) in write.credits.enumerated() {
            try db.execute(
                sql: "INSERT OR IGNORE INTO track_artist (track_id, artist_id, role, position) VALUES (?, ?, ?, ?)",
                arguments: [track.id.rawValue, CatalogIDs.artist(name: credit.name).rawValue, credit.role.rawValue, position])
        }
        try db.execute(sql: "DELETE FROM track_genre WHERE track_id = ?", arguments: [track.id.rawValue])
        for (position, name) in write.genres.enumerated() {
            let id = CatalogIDs.genre(name: name).rawValue
            try db.execute(sql: "INSERT OR IGNORE INTO genre (id, name) VALUES (?, ?)", arguments: [id, name])
            try db.execute(
                sql: "INSERT OR IGNORE INTO track_genre (track_id, genre_id, position) VALUES (?, ?, ?)",
                arguments: [track.id.rawValue, id, position])
        }
        if write.lyrics != nil || write.syncedLyrics != nil {
            try db.execute(
                sql: "INSERT OR REPLACE INTO lyrics (track_id, plain, synced) VALUES (?, ?, ?)",
                arguments: [track.id.rawValue, write.lyrics, write.syncedLyrics])
        } else {
            try db.execute(sql: "DELETE FROM lyrics WHERE track_id = ?", arguments: [track.id.rawValue])
        }
    }

    private func upsertArtist(_ credit: ArtistCredit) throws {
        try db.execute(
            sql: """
                INSERT INTO artist (id, name, sort_name, mbid) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET mbid = coalesce(excluded.mbid, mbid)
                """,
            arguments: [
                CatalogIDs.artist(name: credit.name).rawValue, credit.name, SortKey.sortName(credit.name),
                credit.musicBrainzID,
            ])
    }

    /// Album and artist figures, and the removal of whatever no track refers to any more.
    func refreshAggregates() throws {
        try db.execute(
            sql: """
                DELETE FROM album WHERE NOT EXISTS (SELECT 1 FROM track WHERE track.album_id = album.id);
                UPDATE album SET
                    track_count = (SELECT count(*) FROM track WHERE track.album_id = album.id),
                    disc_count = (SELECT count(DISTINCT coalesce(disc_number, 1)) FROM track WHERE track.album_id = album.id),
                    duration_ms = (SELECT coalesce(sum(duration_ms), 0) FROM track WHERE track.album_id = album.id),
                    year = (SELECT max(year) FROM track WHERE track.album_id = album.id),
                    release_mbid = (SELECT max(mbz_release_id) FROM track WHERE track.album_id = album.id),
                    artwork_id = (SELECT artwork_id FROM track WHERE track.album_id = album.id
                        AND artwork_id IS NOT NULL ORDER BY disc_number, track_number LIMIT 1);
                DELETE FROM artist WHERE NOT EXISTS (SELECT 1 FROM track_artist WHERE artist_id = artist.id)
                    AND NOT EXISTS (SELECT 1 FROM album WHERE album_artist_id = artist.id);
                UPDATE artist SET
                    album_count = (SELECT count(*) FROM album WHERE album_artist_id = artist.id),
                    track_count = (SELECT count(DISTINCT track_id) FROM track_artist WHERE artist_id = artist.id);
                DELETE FROM genre WHERE NOT EXISTS (SELECT 1 FROM track_genre WHERE genre_id = genre.id);
                DELETE FROM artwork WHERE NOT EXISTS (SELECT 1 FROM track WHERE artwork_id = artwork.id);
                """)
    }
}
