public import CantoCore
import GRDB

extension CatalogQueryRepository {
    public func randomTracks(scope: LibraryScope, limit: Int, genre: String?, fromYear: Int?, toYear: Int?)
        async throws -> [Track]
    {
        let filter = Scope(scope)
        let inGenre: SQL =
            genre == nil
            ? "TRUE"
            : "track.id IN (SELECT track_id FROM track_genre WHERE genre_id = \(Self.genreID(named: genre)))"
        // Shuffle rowids only (SQLite reads them from the smallest index), then read the rows picked.
        let sql: SQL = """
            SELECT track.* FROM (
                SELECT track.rowid AS picked, random() AS shuffle FROM track
                WHERE \(filter.tracks()) AND \(inGenre) AND \(Self.years(from: fromYear, to: toYear))
                ORDER BY shuffle LIMIT \(max(limit, 0))
            ) JOIN track ON track.rowid = picked ORDER BY shuffle
            """
        return try await pool.read { db in try Self.tracks(db, sql) }
    }

    /// Years from `from` to `to` inclusive, either side open when missing; a reversed range is
    /// read as the same range (there is no order to reverse in a random pick).
    private static func years(from: Int?, to: Int?) -> SQL {
        guard from != nil || to != nil else { return "TRUE" }
        var (lower, upper) = (from, to)
        if let from, let to, from > to { (lower, upper) = (to, from) }
        return "track.year BETWEEN \(lower ?? Int.min) AND \(upper ?? Int.max)"
    }

    public func tracks(genre: String, scope: LibraryScope, offset: Int, limit: Int) async throws -> [Track] {
        let sql: SQL = """
            SELECT * FROM track
            WHERE id IN (SELECT track_id FROM track_genre WHERE genre_id = \(Self.genreID(named: genre)))
                AND \(Scope(scope).tracks())
            ORDER BY sort_title, rowid \(Self.page(offset: offset, limit: limit))
            """
        return try await pool.read { db in try Self.tracks(db, sql) }
    }

    public func topTracks(artist: ArtistID, scope: LibraryScope, limit: Int) async throws -> [Track] {
        // Credited as artist or album artist, or on an album the artist owns (a track need
        // not carry an album-artist credit of its own).
        let sql: SQL = """
            WITH credited(id) AS (
                SELECT track_id FROM track_artist
                WHERE artist_id = \(artist.rawValue) AND role IN ('artist', 'album_artist')
                UNION
                SELECT track.id FROM album JOIN track ON track.album_id = album.id
                WHERE album.album_artist_id = \(artist.rawValue)
            )
            SELECT track.* FROM credited JOIN track ON track.id = credited.id
            WHERE \(Scope(scope).tracks())
            ORDER BY (SELECT count(*) FROM play WHERE play.track_id = track.id) DESC, track.play_count DESC,
                track.sort_title, track.id
            LIMIT \(max(limit, 0))
            """
        return try await pool.read { db in try Self.tracks(db, sql) }
    }

    public func similarTracks(to track: TrackID, scope: LibraryScope, limit: Int) async throws -> [Track] {
        // One point per genre and per performing artist shared with the track (composers are
        // left out: a prolific composer would make everything similar). Genre and artist IDs
        // carry different prefixes, so UNION keeps one row per shared thing.
        let performers: SQL = "('artist', 'album_artist')"
        let sql: SQL = """
            SELECT track.* FROM (
                SELECT candidate, count(*) AS score FROM (
                    SELECT track_id AS candidate, genre_id AS shared FROM track_genre
                    WHERE genre_id IN (SELECT genre_id FROM track_genre WHERE track_id = \(track.rawValue))
                    UNION
                    SELECT track_id, artist_id FROM track_artist
                    WHERE role IN \(performers) AND artist_id IN (
                        SELECT artist_id FROM track_artist
                        WHERE track_id = \(track.rawValue) AND role IN \(performers))
                )
                WHERE candidate <> \(track.rawValue)
                    AND candidate IN (SELECT id FROM track WHERE \(Scope(scope).tracks()))
                GROUP BY candidate ORDER BY score DESC, random() LIMIT \(max(limit, 0))
            ) JOIN track ON track.id = candidate ORDER BY score DESC
            """
        return try await pool.read { db in try Self.tracks(db, sql) }
    }

    public func artistIsVisible(_ artist: ArtistID, scope: [LibraryID]) async throws -> Bool {
        let sql: SQL = "SELECT 1 FROM artist WHERE id = \(artist.rawValue) AND \(Scope(scope).artists())"
        return try await pool.read { db in try Row.fetchOne(db, SQLRequest(literal: sql)) != nil }
    }
}
