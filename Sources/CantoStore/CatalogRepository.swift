public import CantoCore
public import Foundation
import GRDB

/// The catalog in SQLite: the scanner writes through it, the APIs read through it.
public struct CatalogRepository: CatalogWriter, CatalogReader {
    let pool: MeteredPool
    let quick: QuickReader

    public init(database: CantoDatabase) {
        pool = MeteredPool(database.pool, repository: "catalog")
        quick = database.quick
    }

    // MARK: Writing

    @discardableResult
    public func syncLibraries(_ libraries: [Library], source: String) async throws -> Int {
        if let stranger = libraries.first(where: { $0.source != source }) {
            throw DomainError(.forbidden, "Library \(stranger.name) belongs to \(stranger.source), not \(source).")
        }
        return try await pool.write { db in
            let ids = libraries.map(\.id.rawValue)
            // An id another source holds is not taken over.
            let taken = try String.fetchAll(
                db,
                sql: """
                    SELECT id FROM library WHERE source != ? AND id IN (\(databaseQuestionMarks(count: ids.count)))
                    """, arguments: StatementArguments([source] + ids))
            if let id = taken.first {
                throw DomainError.conflict("Library \(id) belongs to another media source.")
            }
            for library in libraries {
                try db.execute(
                    sql: """
                        INSERT INTO library (id, name, path, source) VALUES (?, ?, ?, ?)
                        ON CONFLICT(id) DO UPDATE SET name = excluded.name, path = excluded.path
                        WHERE name IS NOT excluded.name OR path IS NOT excluded.path
                        """, arguments: [library.id.rawValue, library.name, library.path, source])
            }
            // A library its source no longer lists takes its tracks with it; other sources' stay.
            try DeferredIndexes.restoreBeforeDeleting(db) {
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM library WHERE source = ? AND id NOT IN (\(databaseQuestionMarks(count: ids.count))))
                        """, arguments: StatementArguments([source] + ids)) == true
            }
            try db.execute(
                sql: """
                    DELETE FROM library WHERE source = ? AND id NOT IN (\(databaseQuestionMarks(count: ids.count)))
                    """, arguments: StatementArguments([source] + ids))
            let removed = db.changesCount
            // Its tracks went with it: their albums and artists are worked out again.
            if removed > 0 { try CatalogWrites(db: db).markAggregatesDue() }
            return removed
        }
    }

    public func folderPaths(in library: LibraryID) async throws -> Set<String> {
        try await pool.read { db in
            Set(
                try String.fetchAll(
                    db, sql: "SELECT path FROM folder WHERE library_id = ?", arguments: [library.rawValue]))
        }
    }

    /// A short indexed read on the caller's thread (`QuickReader`): a scan asks once a folder, and
    /// a hop to the pool and back for each cost more in thread wake-ups than the read itself.
    public func knownFiles(in library: LibraryID, folder: String) async throws -> [KnownFile] {
        let folderID = CatalogIDs.folder(library: library, relativePath: folder)
        return try quick.read { db in
            try Self.knownFiles(db, where: "folder_id = ?", folderID.rawValue)
        }
    }

    public func knownFiles(withContentHash contentHash: String) async throws -> [KnownFile] {
        try await pool.read { db in
            try Self.knownFiles(db, where: "content_hash = ?", contentHash)
        }
    }

    public func knownFiles(withContentHashes contentHashes: [String]) async throws -> [KnownFile] {
        guard !contentHashes.isEmpty else { return [] }
        return try await pool.read { db in
            var found: [KnownFile] = []
            for chunk in contentHashes.chunked(999) {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, library_id, path, size, modified_at, content_hash FROM track
                        WHERE content_hash IN (\(databaseQuestionMarks(count: chunk.count)))
                        """, arguments: StatementArguments(chunk))
                found += try rows.map(Self.knownFile)
            }
            return found
        }
    }

    /// Only the columns a rescan compares: this runs once per folder on every scan.
    /// Through the connection's statement cache: a scan asks this once a folder.
    private static func knownFiles(_ db: Database, where condition: String, _ argument: String) throws -> [KnownFile] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT id, library_id, path, size, modified_at, content_hash FROM track WHERE \(condition)"),
            arguments: [argument]
        ).map(knownFile)
    }

    private static func knownFile(_ row: Row) throws -> KnownFile {
        let row = StoredRow(row, table: "track")
        return try KnownFile(
            id: TrackID(row[0]), libraryID: LibraryID(row[1]), path: row[2], size: row[3],
            modifiedAt: row.date(4), contentHash: row[5])
    }

    /// An empty catalog's secondary indexes are set aside (`DeferredIndexes`) until `finishScan`;
    /// a catalog with tracks gets back any a cut-off first scan left aside.
    public func beginScan() async throws -> Bool {
        try await pool.raw.writeWithoutTransaction { db in
            var setAside = false
            try db.inTransaction {
                setAside = try DeferredIndexes.setAsideForFirstScan(db)
                return .commit
            }
            if setAside {
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(CantoDatabase.firstImportCheckpointPages)")
                return true
            }
            // Whatever a first import left set aside (cut off by a crash, or still running over
            // another source) is built before this scan reads through it, as the end of one does.
            try DeferredIndexes.restoreSortingOnDisk(db)
            return false
        }
    }

    /// Throws `DomainError.invalid` when a track's dates lie outside `StoredTime`'s range: the
    /// whole batch is rolled back.
    public func apply(_ batch: CatalogBatch) async throws {
        guard !batch.isEmpty else { return }
        let prepared = try CatalogWrites.PreparedTrack.all(batch.tracks)
        try await pool.write { db in
            try db.execute(sql: "PRAGMA cache_size = -\(CantoDatabase.scanCacheKiB)")
            try CatalogWrites(db: db).apply(batch, prepared: prepared)
        }
    }

    public func finishScan(libraries: [LibraryID], at date: Date?) async throws {
        var firstImport = false
        do {
            let date = try date.map { try $0.storable("lastScanAt") }
            // The figures below read through the indexes a first scan set aside.
            firstImport = try await pool.raw.writeWithoutTransaction { db in
                try DeferredIndexes.restoreSortingOnDisk(db) > 0
            }
            try await pool.write { db in
                try CatalogWrites(db: db).refreshAggregates()
                guard let date else { return }
                for library in libraries {
                    try db.execute(
                        sql: "UPDATE library SET last_scan_at = ? WHERE id = ?", arguments: [date, library.rawValue])
                }
            }
            // While the scan's cache is up: the merge's pages leave with the scan's.
            try await mergeSearchSegments()
        } catch {
            try? await releaseScanCache(emptyingLog: firstImport)
            throw error
        }
        try await releaseScanCache(emptyingLog: firstImport)
        try await refreshSearchPrefixes()
    }

    /// Merges the search tables' segments into one a table (`SearchSegments`), a step a write
    /// transaction; returns the steps taken (0 when each held one already).
    @discardableResult
    public func mergeSearchSegments() async throws -> Int {
        try await SearchSegments.merge(pool.raw)
    }

    /// Rebuilds search as you type's best names per prefix (`SearchPrefixes`) when the search
    /// tables have changed since they were built; returns the prefixes kept (nil when nothing
    /// changed: a rescan that found no change costs no rebuild).
    @discardableResult
    public func refreshSearchPrefixes() async throws -> Int? {
        // A file migrated only part of the way (tests build older files) has no table yet.
        let stale = try await pool.read { db in
            try db.tableExists("search_prefix_state") && !SearchPrefixes.isCurrent(db)
        }
        guard stale else { return nil }
        return try await SearchPrefixes.rebuild(pool.raw, threshold: SearchPlan.rankedAtMost)
    }

    /// The scan's pages leave the writer's cache: an idle server does not keep them. After a
    /// first import, whose log was allowed to grow (`CantoDatabase.firstImportCheckpointPages`),
    /// the log is copied into the file and truncated, unless readers hold it (it is then reused).
    private func releaseScanCache(emptyingLog: Bool) async throws {
        try await pool.raw.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA cache_size = -\(CantoDatabase.writerCacheKiB)")
            try db.execute(sql: "PRAGMA shrink_memory")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(CantoDatabase.checkpointPages)")
            if emptyingLog { _ = try? db.checkpoint(.truncate) }
        }
    }

    // MARK: Reading

    /// On the caller's thread (`QuickReader`): a handful of rows, asked once a folder by a media
    /// source's scan (which may write only its own libraries), where the hop to a reader thread
    /// and back cost more than the read and made the server's rescans twice the bench's.
    public func libraries() async throws -> [Library] {
        try quick.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT id, name, path, source FROM library ORDER BY name")
            ).map { row in
                let row = StoredRow(row, table: "library")
                return try Library(
                    id: LibraryID(row["id"]), name: row["name"], path: row["path"], source: row["source"])
            }
        }
    }

    /// A row by key, on the caller's thread: every stream, scrobble and star asks for one, and
    /// through the pool the two thread switches cost more than the read.
    public func track(_ id: TrackID) async throws -> Track? {
        try quick.read { db in
            try TrackRecord.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM track WHERE id = ?"), arguments: [id.rawValue])?
                .track
        }
    }

    public func track(library: LibraryID, path: String) async throws -> Track? {
        try await pool.read { db in
            try TrackRecord.filter(TrackRecord.Columns.libraryID == library.rawValue)
                .filter(TrackRecord.Columns.path == path).fetchOne(db)?.track
        }
    }

    public func tracks(inAlbum id: AlbumID) async throws -> [Track] {
        try await pool.read { db in try Self.tracks(db, inAlbum: id) }
    }

    static func tracks(_ db: Database, inAlbum id: AlbumID) throws -> [Track] {
        try TrackRecord.fetchAll(
            db.cachedStatement(
                sql: "SELECT * FROM track WHERE album_id = ? ORDER BY disc_number, track_number, sort_title, id"),
            arguments: [id.rawValue]
        ).map(\.track)
    }

    public func album(_ id: AlbumID) async throws -> Album? {
        try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM album WHERE id = ?"), arguments: [id.rawValue])
                .map(Self.album)
        }
    }

    public func albums(offset: Int, limit: Int) async throws -> [Album] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM album ORDER BY sort_title, id LIMIT ? OFFSET ?", arguments: [limit, offset]
            ).map(Self.album)
        }
    }

    public func artist(_ id: ArtistID) async throws -> Artist? {
        try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM artist WHERE id = ?"), arguments: [id.rawValue])
                .map(Self.artist)
        }
    }

    public func artists() async throws -> [Artist] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM artist ORDER BY sort_name, id")).map(Self.artist)
        }
    }

    /// Read again only when the database has changed (see `QuickReader.catalogVersion`).
    public func catalogVersion() async throws -> Int {
        try quick.catalogVersion()
    }

    public func tracksFingerprint() async throws -> String {
        try await pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*), max(updated_at), max(rowid) FROM track")
            return "\(row?[0] as Int? ?? 0)|\(row?[1] as String? ?? "")|\(row?[2] as Int? ?? 0)"
        }
    }

    public func credits(of track: TrackID) async throws -> [ArtistCredit] {
        try await details(of: [track])[track]?.credits ?? []
    }

    public func genres(of track: TrackID) async throws -> [String] {
        try await details(of: [track])[track]?.genres ?? []
    }

    public func details(of tracks: [TrackID]) async throws -> [TrackID: TrackDetails] {
        guard !tracks.isEmpty else { return [:] }
        return try await pool.read { db in try Self.details(db, of: tracks) }
    }

    /// Four columns of each track and its genres, in two queries a thousand tracks: with whole
    /// rows and every credit read for this, a server that built the sonic index of a million
    /// tracks used 22.6 s of CPU; with it, 10.8 s.
    public func tagSummaries(of tracks: [TrackID]) async throws -> [TrackID: TrackTagSummary] {
        guard !tracks.isEmpty else { return [:] }
        return try await pool.read { db in
            var summaries: [TrackID: TrackTagSummary] = [:]
            for chunk in tracks.chunked(999) {
                let ids = StatementArguments(BoundList.padded(chunk.map(\.rawValue)))
                let marks = BoundList.marks(chunk.count)
                let rows = try Row.fetchCursor(
                    db.cachedStatement(sql: "SELECT id, artist_name, year, bpm FROM track WHERE id IN (\(marks))"),
                    arguments: ids)
                while let found = try rows.next() {
                    let row = StoredRow(found, table: "track")
                    summaries[TrackID(try row[0])] = TrackTagSummary(
                        artistName: try row[1], year: try row[2], bpm: try row[3])
                }
                try Self.eachGenre(db, marks: marks, ids: ids) { track, genre in
                    summaries[track]?.genres.append(genre)
                }
            }
            return summaries
        }
    }

    public func albumContents(_ id: AlbumID) async throws -> AlbumContents? {
        try await pool.read { db in
            guard
                let album = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM album WHERE id = ?"), arguments: [id.rawValue]
                ).map(Self.album)
            else { return nil }
            let tracks = try Self.tracks(db, inAlbum: id)
            return AlbumContents(album: album, tracks: tracks, details: try Self.details(db, of: tracks.map(\.id)))
        }
    }

    /// Each genre of the tracks bound as `ids` (`marks` their padded question marks), by track, in
    /// tag order.
    private static func eachGenre(
        _ db: Database, marks: String, ids: StatementArguments, _ body: (TrackID, String) throws -> Void
    ) throws {
        let genres = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT track_genre.track_id, genre.name FROM track_genre
                    JOIN genre ON genre.id = track_genre.genre_id
                    WHERE track_genre.track_id IN (\(marks)) ORDER BY track_genre.track_id, track_genre.position
                    """), arguments: ids)
        while let found = try genres.next() {
            let row = StoredRow(found, table: "track_genre")
            try body(TrackID(try row[0]), try row[1])
        }
    }

    static func details(_ db: Database, of tracks: [TrackID]) throws -> [TrackID: TrackDetails] {
        var details: [TrackID: TrackDetails] = [:]
        // SQLite allows 32,766 variables a statement; lists are far shorter, but chunk anyway.
        for chunk in tracks.chunked(999) {
            let ids = BoundList.padded(chunk.map(\.rawValue))
            let marks = BoundList.marks(chunk.count)
            try Self.eachGenre(db, marks: marks, ids: StatementArguments(ids)) { track, genre in
                details[track, default: TrackDetails()].genres.append(genre)
            }
            let credits = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT track_artist.track_id, artist.name, artist.mbid, track_artist.role, artist.id
                        FROM track_artist
                        JOIN artist ON artist.id = track_artist.artist_id
                        WHERE track_artist.track_id IN (\(marks))
                        ORDER BY track_artist.track_id, track_artist.role, track_artist.position
                        """), arguments: StatementArguments(ids))
            while let found = try credits.next() {
                let row = StoredRow(found, table: "track_artist")
                let credit = try ArtistCredit(
                    name: row[1], musicBrainzID: row[2], role: ArtistRole(rawValue: row[3]) ?? .artist)
                let track = TrackID(try row[0])
                let artist = ArtistID(try row[4])
                details[track, default: TrackDetails()].credits.append(credit)
                details[track, default: TrackDetails()].artistIDs.append(artist)
            }
        }
        return details
    }

    public func lyrics(of track: TrackID) async throws -> (plain: String?, synced: String?) {
        try await pool.read { db in
            guard
                let found = try Row.fetchOne(
                    db, sql: "SELECT plain, synced FROM lyrics WHERE track_id = ?", arguments: [track.rawValue])
            else { return (nil, nil) }
            let row = StoredRow(found, table: "lyrics")
            return (try row["plain"], try row["synced"])
        }
    }

    public func artwork(_ id: ArtworkID) async throws -> Artwork? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM artwork WHERE id = ?", arguments: [id.rawValue]).map { row in
                let row = StoredRow(row, table: "artwork")
                return try Artwork(
                    id: ArtworkID(row["id"]), source: Artwork.Source(rawValue: row["source"]) ?? .file,
                    path: row["path"], mimeType: row["mime_type"], byteCount: row["byte_count"])
            }
        }
    }

    public func folders(in library: LibraryID) async throws -> [Folder] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM folder WHERE library_id = ? ORDER BY path", arguments: [library.rawValue]
            )
            .map(Self.folder)
        }
    }

    public func counts() async throws -> CatalogCounts {
        try await pool.read { db in
            func count(_ table: String) throws -> Int {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            return CatalogCounts(
                tracks: try count("track"), albums: try count("album"), artists: try count("artist"),
                genres: try count("genre"), folders: try count("folder"))
        }
    }

    /// Counts a play in the household's counter. The catalog version stays: no shared rendering
    /// shows the counter (Subsonic's playCount is the caller's own).
    public func recordPlay(of track: TrackID) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE track SET play_count = play_count + 1 WHERE id = ?", arguments: [track.rawValue])
        }
    }

    // The row mappers read `SELECT *` (or `album.*`, `artist.*`) rows by position: columns come
    // in table order (a test holds these positions to the schema). Looking columns up by name
    // costs more than the rest of a list request. A value that does not decode throws
    // `StoredValueUnreadable`, and a list that meets one fails whole.

    static func album(_ row: Row) throws -> Album {
        let row = StoredRow(row, table: "album")
        return try Album(
            id: AlbumID(row[0]), title: row[1], albumArtistName: row[4], albumArtistID: ArtistID(row[3]),
            year: row[5], compilation: row[6], releaseMBID: row[7],
            artworkID: (row[9] as String?).map { ArtworkID($0) }, trackCount: row[10], discCount: row[11],
            durationMs: row[12], createdAt: row[13])
    }

    static func artist(_ row: Row) throws -> Artist {
        let row = StoredRow(row, table: "artist")
        return try Artist(
            id: ArtistID(row[0]), name: row[1], sortName: row[2], musicBrainzID: row[3], albumCount: row[4],
            trackCount: row[5])
    }

    /// The column positions the row mappers read, by table, for the schema test.
    static let mappedColumns: [String: [String]] = [
        "album": [
            "id", "title", "sort_title", "album_artist_id", "album_artist_name", "year", "compilation",
            "release_mbid", "release_group_mbid", "artwork_id", "track_count", "disc_count", "duration_ms",
            "created_at",
        ],
        "artist": ["id", "name", "sort_name", "mbid", "album_count", "track_count"],
        "track": TrackRecord.columnNames,
    ]
}
