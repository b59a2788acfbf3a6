import CantoCore
import Foundation
import GRDB

/// The statements of one catalog write transaction. Statements are cached by the connection,
/// so a batch of hundreds of tracks prepares each only once.
struct CatalogWrites {
    let db: Database

    /// Runs `sql` through the connection's statement cache: a batch prepares each statement once.
    private func run(_ sql: String, _ arguments: StatementArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// What this transaction already wrote of the rows many tracks share (an album's dozen
    /// tracks upserted its album a dozen times, and each credit its artist): a repeat that would
    /// change nothing is skipped.
    private struct Written {
        var artists: [String: String?] = [:]
        var albums: [String: AlbumFields] = [:]
        var artworks: [String: Artwork] = [:]
        var genres: Set<String> = []
    }

    /// The album columns a repeated upsert would set.
    private struct AlbumFields: Equatable {
        var title: String
        var albumArtistName: String
        var compilation: Bool
        var releaseGroupID: String?
    }

    /// A track's write with what can be worked out before the transaction: its dates checked,
    /// its row's arguments (dates formatted, every column converted) and the IDs and sort names of
    /// its artists and genres (each a fold and a hash). The scan's one writer was its limit, so
    /// this is done by the caller, beside the writer, not on it.
    struct PreparedTrack: Sendable {
        var write: TrackWrite
        var track: Track
        var row: StatementArguments
        /// Each credited name (and the album artist's) with its artist ID and sort name.
        var artists: [String: (id: String, sortName: String)]
        var albumArtist: ArtistCredit
        var genreIDs: [String]

        /// The batch's tracks, prepared in order. A name is folded once a batch, not once for
        /// each track of its album (Foundation's folding of a name that is not ASCII is slow).
        static func all(_ writes: [TrackWrite]) throws -> [PreparedTrack] {
            var names: [String: (id: String, sortName: String)] = [:]
            var genres: [String: String] = [:]
            return try writes.map { try PreparedTrack($0, names: &names, genres: &genres) }
        }

        /// Throws `DomainError.invalid` for a date outside `StoredTime`'s range (a file's time in
        /// the far future, say): nothing of the batch is written. `names` and `genres` hold the
        /// IDs (and sort names) of names already seen.
        private init(
            _ write: TrackWrite, names: inout [String: (id: String, sortName: String)], genres: inout [String: String]
        ) throws {
            var track = write.track
            track.modifiedAt = try track.modifiedAt.storable("modifiedAt")
            track.createdAt = try track.createdAt.storable("createdAt")
            track.updatedAt = try track.updatedAt.storable("updatedAt")
            self.write = write
            self.track = track
            row = TrackRecord(track).upsertArguments
            // The album's artist is the first album artist credited (several are joined for display).
            albumArtist =
                write.credits.first { $0.role == .albumArtist }
                ?? ArtistCredit(name: track.albumArtistName, role: .albumArtist)
            var artists: [String: (id: String, sortName: String)] = [:]
            for credit in write.credits + [albumArtist] where artists[credit.name] == nil {
                if let known = names[credit.name] {
                    artists[credit.name] = known
                } else {
                    let artist = (CatalogIDs.artist(name: credit.name).rawValue, SortKey.sortName(credit.name))
                    names[credit.name] = artist
                    artists[credit.name] = artist
                }
            }
            self.artists = artists
            genreIDs = write.genres.map { name in
                if let known = genres[name] { return known }
                let id = CatalogIDs.genre(name: name).rawValue
                genres[name] = id
                return id
            }
        }
    }

    /// `prepared`: the batch's tracks, prepared (in order).
    func apply(_ batch: CatalogBatch, prepared: [PreparedTrack]) throws {
        if !prepared.isEmpty || !batch.deletedTracks.isEmpty || !batch.deletedFolders.isEmpty {
            try markAggregatesDue()
        }
        // A first import writes its own search rows (`DeferredIndexes`); one that deletes gets
        // the triggers back first.
        try DeferredIndexes.restoreBeforeDeleting(db) {
            !batch.deletedTracks.isEmpty || !batch.deletedFolders.isEmpty
        }
        let indexesSearch = try !prepared.isEmpty && DeferredIndexes.searchTriggersAside(db)
        for folder in batch.folders { try upsert(folder) }
        var written = Written()
        for track in prepared { try upsert(track, written: &written) }
        if indexesSearch {
            try DeferredIndexes.indexSearch(
                artists: written.artists.keys, albums: written.albums.keys, tracks: prepared.map(\.track.id.rawValue),
                db)
        }
        for id in batch.deletedTracks {
            try run("DELETE FROM track WHERE id = ?", [id.rawValue])
        }
        for id in batch.deletedFolders {
            try run("DELETE FROM folder WHERE id = ?", [id.rawValue])
        }
    }

    private func upsert(_ folder: Folder) throws {
        try run(
            """
            INSERT INTO folder (id, library_id, parent_id, path, name) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET parent_id = excluded.parent_id, name = excluded.name
            """,
            [folder.id.rawValue, folder.libraryID.rawValue, folder.parentID?.rawValue, folder.path, folder.name])
    }

    private func upsert(_ prepared: PreparedTrack, written: inout Written) throws {
        let (write, track) = (prepared.write, prepared.track)
        let trackID = track.id.rawValue
        if let artwork = write.artwork, written.artworks[artwork.id.rawValue] != artwork {
            written.artworks[artwork.id.rawValue] = artwork
            try run(
                """
                INSERT INTO artwork (id, source, path, mime_type, byte_count) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET source = excluded.source, path = excluded.path,
                    mime_type = excluded.mime_type, byte_count = excluded.byte_count
                """,
                [artwork.id.rawValue, artwork.source.rawValue, artwork.path, artwork.mimeType, artwork.byteCount])
        }
        let albumArtist = prepared.albumArtist
        var artistIDs: [String: String] = [:]
        for credit in write.credits + [albumArtist] where artistIDs[credit.name] == nil {
            guard let artist = prepared.artists[credit.name] else { continue }
            artistIDs[credit.name] = try upsertArtist(
                credit, id: artist.id, sortName: artist.sortName, written: &written)
        }
        // The album's other columns (sort title, artist, year, first seen) are set by its first
        // insert and by `refreshAggregates`; an upsert changes only these (and `updated_at`, which
        // keeps the time of the batch's first track that changed them).
        let albumFields = AlbumFields(
            title: track.album, albumArtistName: track.albumArtistName, compilation: track.compilation,
            releaseGroupID: track.musicBrainz.releaseGroupID ?? written.albums[track.albumID.rawValue]?.releaseGroupID)
        if written.albums[track.albumID.rawValue] != albumFields {
            written.albums[track.albumID.rawValue] = albumFields
            try run(
                """
                INSERT INTO album (id, title, sort_title, album_artist_id, album_artist_name, year, compilation,
                    release_mbid, release_group_mbid, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET title = excluded.title, album_artist_name = excluded.album_artist_name,
                    compilation = excluded.compilation, release_group_mbid = coalesce(excluded.release_group_mbid,
                    release_group_mbid), updated_at = excluded.updated_at
                """,
                [
                    track.albumID.rawValue, track.album, write.albumTitleSort, artistIDs[albumArtist.name],
                    track.albumArtistName, track.year, track.compilation, track.musicBrainz.releaseID,
                    track.musicBrainz.releaseGroupID, track.createdAt, track.updatedAt,
                ])
        }
        // Play counts and the first-seen date belong to the track, not to the file: the upsert keeps them.
        let lastRow = db.lastInsertedRowID
        try run(TrackRecord.upsertSQL, prepared.row)
        // A row the upsert inserted (an update leaves the last inserted rowid as it was) has no
        // credits, genres or lyrics yet: foreign keys cascade, so none can be left over from an
        // older row of its ID. A first scan skips three deletes a track.
        let isNew = db.lastInsertedRowID != lastRow
        if !isNew { try run("DELETE FROM track_artist WHERE track_id = ?", [trackID]) }
        for (position, credit) in write.credits.enumerated() {
            try run(
                "INSERT OR IGNORE INTO track_artist (track_id, artist_id, role, position) VALUES (?, ?, ?, ?)",
                [trackID, artistIDs[credit.name], credit.role.rawValue, position])
        }
        if !isNew { try run("DELETE FROM track_genre WHERE track_id = ?", [trackID]) }
        for (position, (name, id)) in zip(write.genres, prepared.genreIDs).enumerated() {
            if written.genres.insert(id).inserted {
                try run("INSERT OR IGNORE INTO genre (id, name) VALUES (?, ?)", [id, name])
            }
            try run(
                "INSERT OR IGNORE INTO track_genre (track_id, genre_id, position) VALUES (?, ?, ?)",
                [trackID, id, position])
        }
        if write.lyrics != nil || write.syncedLyrics != nil {
            try run(
                "INSERT OR REPLACE INTO lyrics (track_id, plain, synced) VALUES (?, ?, ?)",
                [trackID, write.lyrics, write.syncedLyrics])
        } else if !isNew {
            try run("DELETE FROM lyrics WHERE track_id = ?", [trackID])
        }
    }

    /// Inserts the artist when new (keeping a MusicBrainz ID learnt later) and returns its ID.
    private func upsertArtist(_ credit: ArtistCredit, id: String, sortName: String, written: inout Written) throws
        -> String
    {
        // Written already in this transaction, and no MusicBrainz ID to add: nothing would change.
        if let known = written.artists[id], credit.musicBrainzID == nil || credit.musicBrainzID == known {
            return id
        }
        let previous: String? = written.artists[id] ?? nil
        written.artists[id] = .some(credit.musicBrainzID ?? previous)
        try run(
            """
            INSERT INTO artist (id, name, sort_name, mbid) VALUES (?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET mbid = coalesce(excluded.mbid, mbid)
            """,
            [id, credit.name, sortName, credit.musicBrainzID])
        return id
    }

    /// Records, in the write's own transaction, that the end of the scan has figures to work out
    /// again (a crash before that end leaves the mark for the next scan's end).
    func markAggregatesDue() throws {
        // A file migrated only part of the way (tests build older files) has no mark to set.
        guard try db.tableExists("catalog_pending") else { return }
        try run("UPDATE catalog_pending SET aggregates = 1 WHERE aggregates = 0", [])
    }

    /// Album and artist figures, and the removal of whatever no track refers to any more, when a
    /// write since the last refresh asked for them (`markAggregatesDue`); returns whether it ran.
    /// A rescan that changed nothing writes no row, so `catalog_version` and the caches keyed by
    /// it stay as they were.
    @discardableResult
    func refreshAggregates() throws -> Bool {
        // A file migrated only part of the way (tests build older files) has no mark: always due.
        let marked = try db.tableExists("catalog_pending")
        if marked, try Bool.fetchOne(db, sql: "SELECT aggregates FROM catalog_pending WHERE id = 1") == false {
            return false
        }
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
        if marked { try db.execute(sql: "UPDATE catalog_pending SET aggregates = 0") }
        return true
    }
}
