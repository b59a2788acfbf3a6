public import CantoCore
import GRDB

extension CatalogRepository {
    public func albums(byArtist artist: ArtistID) async throws -> [Album] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM album WHERE album_artist_id = ? ORDER BY year, sort_title, id",
                arguments: [artist.rawValue]
            ).map(Self.album)
        }
    }

    public func genreCounts(in libraries: LibraryScope) async throws -> [GenreCount] {
        let within =
            libraries.map { "WHERE track.library_id IN (\(databaseQuestionMarks(count: max($0.count, 1))))" } ?? ""
        let arguments = StatementArguments(libraries.map { $0.isEmpty ? [""] : $0.map(\.rawValue) } ?? [])
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT genre.name AS name, count(DISTINCT track_genre.track_id) AS tracks,
                        count(DISTINCT track.album_id) AS albums
                    FROM genre JOIN track_genre ON track_genre.genre_id = genre.id
                    JOIN track ON track.id = track_genre.track_id
                    \(within)
                    GROUP BY genre.id ORDER BY genre.name COLLATE NOCASE
                    """, arguments: arguments
            ).map { row in
                let row = StoredRow(row, table: "genre")
                return try GenreCount(name: row["name"], trackCount: row["tracks"], albumCount: row["albums"])
            }
        }
    }

    public func libraryNumbers() async throws -> [LibraryID: Int] {
        try await pool.read { db in
            Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, rowid FROM library").map { row in
                    let row = StoredRow(row, table: "library")
                    return (LibraryID(try row[0]), try row[1] as Int)
                })
        }
    }

    public func tracks(titled title: String, limit: Int) async throws -> [Track] {
        try await pool.read { db in
            try TrackRecord.fetchAll(
                db, sql: "SELECT * FROM track WHERE title = ? COLLATE NOCASE LIMIT ?", arguments: [title, limit]
            ).map(\.track)
        }
    }

    /// A row by key, on the caller's thread (getIndexes and getMusicDirectory ask for one each;
    /// through the pool, with the statement prepared afresh, it was an eighth of getIndexes' CPU).
    public func folder(_ id: FolderID) async throws -> Folder? {
        try quick.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM folder WHERE id = ?"), arguments: [id.rawValue])
                .map(Self.folder)
        }
    }

    public func subfolders(of id: FolderID) async throws -> [Folder] {
        try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM folder WHERE parent_id = ? ORDER BY name COLLATE NOCASE"),
                arguments: [id.rawValue]
            ).map(Self.folder)
        }
    }

    public func tracks(inFolder id: FolderID) async throws -> [Track] {
        try await pool.read { db in
            try TrackRecord.fetchAll(
                db.cachedStatement(
                    sql: "SELECT * FROM track WHERE folder_id = ? ORDER BY disc_number, track_number, path"),
                arguments: [id.rawValue]
            ).map(\.track)
        }
    }

    static func folder(_ row: Row) throws -> Folder {
        let row = StoredRow(row, table: "folder")
        return try Folder(
            id: FolderID(row["id"]), libraryID: LibraryID(row["library_id"]),
            parentID: (row["parent_id"] as String?).map { FolderID($0) }, path: row["path"], name: row["name"])
    }
}

extension CatalogRepository {
    public func tracks(_ ids: [TrackID]) async throws -> [Track] {
        guard !ids.isEmpty else { return [] }
        return try await pool.read { db in
            var found: [TrackID: Track] = [:]
            for chunk in ids.chunked(999) {
                for record in try TrackRecord.fetchAll(
                    db.cachedStatement(sql: "SELECT * FROM track WHERE id IN (\(BoundList.marks(chunk.count)))"),
                    arguments: StatementArguments(BoundList.padded(chunk.map(\.rawValue))))
                {
                    found[TrackID(record.id)] = record.track
                }
            }
            return ids.compactMap { found[$0] }
        }
    }
}

extension CatalogRepository {
    public func libraries(usingArtwork id: ArtworkID) async throws -> Set<LibraryID> {
        try await pool.read { db in
            Set(
                try String.fetchAll(
                    db, sql: "SELECT DISTINCT library_id FROM track WHERE artwork_id = ?", arguments: [id.rawValue]
                ).map { LibraryID($0) })
        }
    }
}
