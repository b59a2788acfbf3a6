import CantoCore
import GRDB
import Synchronization

/// Every album's rowid, kept per catalog version: a random album list over the whole catalog
/// picks in memory and reads just the albums picked, instead of shuffling the table in SQL.
final class AlbumRowids: Sendable {
    private let state = Mutex<(version: Int, rowids: [Int64])?>(nil)

    func rowids(_ db: Database) throws -> [Int64] {
        let version = try Int.fetchOne(db.cachedStatement(sql: "SELECT version FROM catalog_version WHERE id = 1")) ?? 0
        if let cached = state.withLock({ $0 }), cached.version == version { return cached.rowids }
        let rowids = try Int64.fetchAll(db.cachedStatement(sql: "SELECT rowid FROM album"))
        state.withLock { $0 = (version, rowids) }
        return rowids
    }
}

extension CatalogQueryRepository {
    public func albumList(
        _ type: AlbumListType, user: UserID, scope: LibraryScope, offset: Int, limit: Int, fromYear: Int?,
        toYear: Int?, genre: String?
    ) async throws -> [Album] {
        if type == .random, scope == nil, fromYear == nil, toYear == nil, genre == nil {
            return try await pool.read { [albumRowids] db in
                // A partial shuffle: only as many random draws as albums wanted (each draw is a
                // system call on Linux, so shuffling all of them would cost more than the query).
                var rowids = try albumRowids.rowids(db)
                let count = min(max(limit, 0), rowids.count)
                for index in 0..<count { rowids.swapAt(index, Int.random(in: index..<rowids.count)) }
                let picked = Array(rowids.prefix(count))
                guard !picked.isEmpty else { return [] }
                // rowid comes last so the row mapper's positions hold.
                let rows = try SQLRequest<Row>(literal: "SELECT *, rowid FROM album WHERE rowid IN \(picked)").fetchAll(
                    db)
                let albums = Dictionary(
                    uniqueKeysWithValues: rows.map { ($0[$0.count - 1] as Int64, CatalogRepository.album($0)) })
                return picked.compactMap { albums[$0] }
            }
        }
        let sql = Self.albumList(
            type, user: user, filter: Scope(scope), page: Self.page(offset: offset, limit: limit), fromYear: fromYear,
            toYear: toYear, genre: genre)
        return try await pool.read { db in try Self.albums(db, sql) }
    }

    static func albumList(
        _ type: AlbumListType, user: UserID, filter: Scope, page: SQL, fromYear: Int?, toYear: Int?, genre: String?
    ) -> SQL {
        switch type {
        case .random:
            // Shuffle rowids only, then read the few rows picked.
            return """
                SELECT album.* FROM (
                    SELECT album.rowid AS picked, random() AS shuffle FROM album WHERE \(filter.albums())
                    ORDER BY shuffle \(page)
                ) JOIN album ON album.rowid = picked ORDER BY shuffle
                """
        case .newest:
            return "SELECT * FROM album WHERE \(filter.albums()) ORDER BY created_at DESC, rowid DESC \(page)"
        case .alphabeticalByName:
            return "SELECT * FROM album WHERE \(filter.albums()) ORDER BY sort_title, rowid \(page)"
        case .alphabeticalByArtist:
            return """
                SELECT album.* FROM album LEFT JOIN artist ON artist.id = album.album_artist_id
                WHERE \(filter.albums())
                ORDER BY artist.sort_name, album.year, album.sort_title, album.id \(page)
                """
        case .highest:
            return """
                SELECT album.* FROM annotation JOIN album ON album.id = annotation.item_id
                WHERE annotation.user_id = \(user.rawValue) AND annotation.kind = 'album'
                    AND annotation.rating IS NOT NULL AND \(filter.albums())
                ORDER BY annotation.rating DESC, album.sort_title, album.id \(page)
                """
        case .starred:
            return starredAlbums(of: user, filter, page: page)
        case .frequent:
            return played(by: user, filter, order: "plays DESC, last_played DESC, played", page: page)
        case .recent:
            return played(by: user, filter, order: "last_played DESC, played", page: page)
        case .byYear:
            return byYear(from: fromYear, to: toYear, filter, page: page)
        case .byGenre:
            return """
                SELECT * FROM album WHERE id IN (
                    SELECT track.album_id FROM track_genre JOIN track ON track.id = track_genre.track_id
                    WHERE track_genre.genre_id = \(genreID(named: genre)) AND \(filter.tracks())
                ) ORDER BY sort_title, rowid \(page)
                """
        }
    }

    /// Albums of the tracks the user played in scope, grouped from the user's plays (the
    /// (user_id, started_at) index), paged before the album rows are read.
    private static func played(by user: UserID, _ filter: Scope, order: SQL, page: SQL) -> SQL {
        """
        SELECT album.* FROM (
            SELECT track.album_id AS played, count(*) AS plays, max(play.started_at) AS last_played
            FROM play JOIN track ON track.id = play.track_id
            WHERE play.user_id = \(user.rawValue) AND \(filter.tracks())
            GROUP BY track.album_id ORDER BY \(order) \(page)
        ) JOIN album ON album.id = played ORDER BY \(order)
        """
    }

    /// Years from `from` to `to` inclusive; from after to lists the newest first. A missing
    /// bound leaves that side open.
    private static func byYear(from: Int?, to: Int?, _ filter: Scope, page: SQL) -> SQL {
        let descending = (from ?? Int.min) > (to ?? Int.max)
        let lower = descending ? to : from
        let upper = descending ? from : to
        let direction: SQL = descending ? "DESC" : "ASC"
        return """
            SELECT * FROM album
            WHERE year BETWEEN \(lower ?? Int.min) AND \(upper ?? Int.max) AND \(filter.albums())
            ORDER BY year \(direction), sort_title, rowid \(page)
            """
    }
}
