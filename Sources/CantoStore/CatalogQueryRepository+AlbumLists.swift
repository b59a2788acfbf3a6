public import CantoCore
import GRDB
import Synchronization

/// The orders of the fixed album lists, kept per catalog version: the random, newest and
/// by-name lists over the whole catalog are slices of memory. Up to `decodedLimit` albums the
/// albums themselves are kept too, decoded, so a page needs no query but the version check;
/// above it only their rowids are (8 bytes an album and 8 for each order, 2 MB for 80,000 albums
/// where the decoded albums took about 80 MB), and a page's few rows are read by rowid.
/// Library-limited users and the per-user orders go to SQL.
final class AlbumSnapshot: Sendable {
    struct Lists: Sendable {
        var version: Int
        /// Every album's rowid, in rowid order.
        var rowids: [Int64]
        /// The albums, in rowid order, when there are at most `decodedLimit`; else nil.
        var albums: [Album]?
        /// Positions in `rowids`, newest first.
        var newest: [Int]
        /// Positions in `rowids`, by sort title (the SQL order, so both paths agree).
        var byName: [Int]
    }

    /// The most albums kept decoded (about 1 KB each).
    let decodedLimit: Int
    /// Above `decodedLimit`, the albums pages asked for lately, by rowid (least recently used go
    /// first, within the cache budget's `album_rows` share): the first pages of the grid and the
    /// lists, which most requests ask for, need no read.
    let rows: VersionedCache<Int64, Album>
    private let state = Mutex<Lists?>(nil)

    /// What an album is taken to cost in `rows`.
    static let bytesPerAlbum = 1024

    init(decodedLimit: Int = 20_000, budget: MemoryBudget = .standard) {
        self.decodedLimit = decodedLimit
        rows = VersionedCache(name: "album_rows", capacity: 100_000, budget: budget) { _ in Self.bytesPerAlbum }
    }

    /// The lists when they are those of the catalog's current version, else nil: `lists(_:)`
    /// rebuilds them.
    func current(_ reader: QuickReader) throws -> Lists? {
        let version = try reader.catalogVersion()
        return state.withLock { $0 }.flatMap { $0.version == version ? $0 : nil }
    }

    func lists(_ db: Database) throws -> Lists {
        let version = try db.catalogVersion()
        if let cached = state.withLock({ $0 }), cached.version == version { return cached }
        let rowids = try Int64.fetchAll(db, sql: "SELECT rowid FROM album ORDER BY rowid")
        var position: [Int64: Int] = [:]
        position.reserveCapacity(rowids.count)
        for (index, rowid) in rowids.enumerated() { position[rowid] = index }
        var albums: [Album]?
        if rowids.count <= decodedLimit {
            // rowid comes last so the row mapper's positions hold.
            albums = try Row.fetchAll(db, sql: "SELECT *, rowid FROM album ORDER BY rowid").map(CatalogRepository.album)
        }
        func order(_ sql: String) throws -> [Int] {
            try Int64.fetchAll(db, sql: sql).compactMap { position[$0] }
        }
        let lists = Lists(
            version: version, rowids: rowids, albums: albums,
            newest: try order("SELECT rowid FROM album ORDER BY created_at DESC, rowid DESC"),
            byName: try order("SELECT rowid FROM album ORDER BY sort_title, rowid"))
        state.withLock { $0 = lists }
        return lists
    }
}

extension CatalogQueryRepository {
    /// `wanted` distinct positions below `count`, in random order: Floyd's sampling, so the
    /// work is in `wanted`, not `count`, and one system random draw seeds the rest (each draw
    /// from the system generator is a system call on Linux).
    static func sample(_ wanted: Int, of count: Int) -> [Int] {
        var random = SplitMix64(seed: UInt64.random(in: .min ... .max))
        var chosen = Set<Int>(minimumCapacity: wanted)
        var picked: [Int] = []
        picked.reserveCapacity(wanted)
        for bound in (count - wanted)..<count {
            let candidate = Int.random(in: 0...bound, using: &random)
            let pick = chosen.contains(candidate) ? bound : candidate
            chosen.insert(pick)
            picked.append(pick)
        }
        picked.shuffle(using: &random)
        return picked
    }

    public func albumList(
        _ type: AlbumListType, user: UserID, scope: LibraryScope, offset: Int, limit: Int, fromYear: Int?,
        toYear: Int?, genre: String?
    ) async throws -> [Album] {
        if scope == nil, fromYear == nil, toYear == nil, genre == nil,
            [.random, .newest, .alphabeticalByName].contains(type)
        {
            var lists = try albumSnapshot.current(quick)
            if lists == nil { lists = try await pool.read { [albumSnapshot] db in try albumSnapshot.lists(db) } }
            guard let lists else { return [] }
            let count = lists.rowids.count
            let positions: [Int]
            switch type {
            case .random:
                positions = Self.sample(min(max(limit, 0), count), of: count)
            default:
                let order = type == .newest ? lists.newest : lists.byName
                let start = min(max(offset, 0), order.count)
                positions = Array(order[start..<min(start + max(limit, 0), order.count)])
            }
            if let albums = lists.albums { return positions.map { albums[$0] } }
            let rowids = positions.map { lists.rowids[$0] }
            // A few rows by key, read on this thread (`QuickReader`), not with a hop to the pool.
            // The ordered lists' pages are asked for again and again and their albums kept; a
            // random page is not, and keeping its albums would only push those out.
            func read(_ rowids: [Int64]) throws -> [Int64: Album] {
                try quick.read { db in try Self.albums(rowids: rowids, db) }
            }
            let found =
                type == .random
                ? try read(rowids) : try albumSnapshot.rows.values(for: rowids, version: lists.version, build: read)
            return rowids.compactMap { found[$0] }
        }
        let sql = Self.albumList(
            type, user: user, filter: Scope(scope), page: Self.page(offset: offset, limit: limit), fromYear: fromYear,
            toYear: toYear, genre: genre)
        return try await pool.read { db in try Self.albums(db, sql) }
    }

    /// The albums of `rowids` (a page: at most 501) by rowid (one that has gone since is left out).
    static func albums(rowids: [Int64], _ db: Database) throws -> [Int64: Album] {
        guard !rowids.isEmpty else { return [:] }
        // Decoded from the statement as it steps (no copy of each row first).
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT *, rowid FROM album WHERE rowid IN (\(BoundList.marks(rowids.count)))"),
            arguments: StatementArguments(BoundList.padded(rowids)))
        var found: [Int64: Album] = [:]
        while let row = try rows.next() {
            let rowid: Int64 = try StoredRow(row, table: "album")[row.count - 1]
            found[rowid] = try CatalogRepository.album(row)
        }
        return found
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
            return played(
                by: user, filter, order: "played.plays + played.skips DESC, played.last_played DESC", page: page)
        case .recent:
            return played(by: user, filter, order: "played.last_played DESC", page: page)
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

    /// Albums the user played in scope, from the all-time rollup of their plays (one row an
    /// album, kept up by each play with its count and latest time): the list reads a row an album
    /// played, never the listening history itself, which grows with every play.
    private static func played(by user: UserID, _ filter: Scope, order: SQL, page: SQL) -> SQL {
        """
        SELECT album.* FROM stat_item_total AS played JOIN album ON album.id = played.item
        WHERE played.user_id = \(user.rawValue) AND played.kind = 'l' AND played.last_played IS NOT NULL
            AND \(filter.albums())
        ORDER BY \(order), album.id \(page)
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
