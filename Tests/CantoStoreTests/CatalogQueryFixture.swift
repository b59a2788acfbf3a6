import CantoCore
import CantoStore
import Foundation
import GRDB

/// A small catalog over two libraries with names in several scripts, two users, and the
/// plays, ratings and stars the query tests order by.
struct CatalogQueryFixture {
    /// One track of the catalog. Each album's first track sets when the album was first seen.
    struct Song {
        var title: String
        var album: String
        var albumArtist: String
        var artists: [String]
        var year: Int
        var genres: [String]
        var library = LibraryID("lib1")
        var seenAt: Double
    }

    static let music = LibraryID("lib1")
    static let books = LibraryID("lib2")

    static let songs: [Song] = [
        Song(
            title: "Jóga", album: "Homogenic", albumArtist: "Björk", artists: ["Björk"], year: 1997,
            genres: ["Electronic", "Art Pop"], seenAt: 100),
        Song(
            title: "Bachelorette", album: "Homogenic", albumArtist: "Björk", artists: ["Björk"], year: 1997,
            genres: ["Electronic"], seenAt: 100),
        Song(
            title: "Hunter", album: "Homogenic", albumArtist: "Björk", artists: ["Björk"], year: 1997,
            genres: ["Electronic", "Art Pop"], seenAt: 100),
        Song(
            title: "Hoppípolla", album: "Takk...", albumArtist: "Sigur Rós", artists: ["Sigur Rós"], year: 2005,
            genres: ["Post-Rock"], seenAt: 200),
        Song(
            title: "Glósóli", album: "Takk...", albumArtist: "Sigur Rós", artists: ["Sigur Rós"], year: 2005,
            genres: ["Post-Rock"], seenAt: 200),
        Song(
            title: "Merry Christmas Mr. Lawrence", album: "Merry Christmas Mr. Lawrence", albumArtist: "坂本龍一",
            artists: ["坂本龍一"], year: 1983, genres: ["Soundtrack", "Electronic"], seenAt: 300),
        Song(
            title: "Forbidden Colours", album: "Merry Christmas Mr. Lawrence", albumArtist: "坂本龍一",
            artists: ["坂本龍一", "David Sylvian"], year: 1983, genres: ["Soundtrack", "Electronic"], seenAt: 300),
        Song(
            title: "Coração Vagabundo", album: "Coração Vagabundo", albumArtist: "Caetano Veloso",
            artists: ["Caetano Veloso"], year: 1967, genres: ["MPB"], seenAt: 400),
        Song(
            title: "Avarandado", album: "Coração Vagabundo", albumArtist: "Caetano Veloso",
            artists: ["Caetano Veloso"], year: 1967, genres: ["MPB"], seenAt: 400),
        Song(
            title: "Hidden Place", album: "Vespertine", albumArtist: "Björk", artists: ["Björk"], year: 2001,
            genres: ["Electronic"], library: books, seenAt: 500),
        Song(
            title: "Pagan Poetry", album: "Vespertine", albumArtist: "Björk", artists: ["Björk"], year: 2001,
            genres: ["Electronic"], library: books, seenAt: 500),
        Song(
            title: "Moonlight", album: "Love Songs", albumArtist: "Zed Crooner", artists: ["Zed Crooner"],
            year: 1990, genres: ["Pop"], seenAt: 600),
        Song(
            title: "Love Me Do", album: "Please", albumArtist: "Alpha Band", artists: ["Alpha Band"], year: 1963,
            genres: ["Pop"], seenAt: 50),
    ]

    let store: TestAccounts
    var queries: CatalogQueryRepository
    let ana: User
    let bo: User
    var catalog: CatalogRepository { store.catalog }

    /// The catalog only: no plays, ratings or stars.
    init(songs: [Song] = Self.songs) async throws {
        store = try await TestAccounts()
        queries = CatalogQueryRepository(database: store.database)
        ana = try await store.addUser("ana")
        bo = try await store.addUser("bo", libraryIDs: [Self.music])
        try await apply(songs.map(Self.write))
    }

    /// Writes a batch and finishes the scan, as the scanner does.
    func apply(_ writes: [TrackWrite], deleting: [TrackID] = []) async throws {
        var batch = CatalogBatch()
        batch.tracks = writes
        batch.deletedTracks = deleting
        try await catalog.apply(batch)
        try await catalog.finishScan(libraries: [Self.music, Self.books], at: TestAccounts.date(1_000))
    }

    /// Whether every artist, album and track has exactly one search row, holding its name, and
    /// no search row outlives its item.
    func searchIsInStep() async throws -> Bool {
        try await store.database.pool.read { db in
            try [("artist", "name"), ("album", "title"), ("track", "title")].allSatisfy { table, name in
                let counts = try Int.fetchAll(
                    db,
                    sql: """
                        SELECT count(*) FROM \(table) UNION ALL SELECT count(*) FROM \(table)_fts
                        UNION ALL SELECT count(*) FROM \(table)_fts JOIN \(table) ON \(table).rowid = \(table)_fts.rowid
                            AND canto_search_text(\(table).\(name)) = \(table)_fts.\(name)
                        """)
                return Set(counts).count == 1
            }
        }
    }

    static func write(_ song: Song) -> TrackWrite {
        let path = "\(song.albumArtist)/\(song.album)/\(song.title).flac"
        let seen = TestAccounts.date(song.seenAt)
        let track = Track(
            id: CatalogIDs.track(library: song.library, relativePath: path), libraryID: song.library,
            folderID: CatalogIDs.folder(library: song.library, relativePath: "\(song.albumArtist)/\(song.album)"),
            albumID: album(song.album, by: song.albumArtist), path: path, suffix: "flac", size: 1_000,
            modifiedAt: seen, contentHash: "hash-\(path)", title: song.title, album: song.album,
            artistName: song.artists.joined(separator: " / "), albumArtistName: song.albumArtist, year: song.year,
            createdAt: seen, updatedAt: seen)
        let credits =
            song.artists.map { ArtistCredit(name: $0, role: .artist) }
            + [ArtistCredit(name: song.albumArtist, role: .albumArtist)]
        return TrackWrite(
            track: track, credits: credits, genres: song.genres, lyrics: nil, syncedLyrics: nil, artwork: nil)
    }

    static func song(_ title: String) -> Song {
        songs.first { $0.title == title }!
    }

    static func track(_ title: String) -> TrackID {
        write(song(title)).track.id
    }

    static func album(_ title: String, by albumArtist: String) -> AlbumID {
        CatalogIDs.album(albumArtist: albumArtist, title: title, releaseMBID: nil)
    }

    /// The album of the catalog titled `title`.
    static func album(_ title: String) -> AlbumID {
        let song = songs.first { $0.album == title }!
        return album(title, by: song.albumArtist)
    }

    static func artist(_ name: String) -> ArtistID {
        CatalogIDs.artist(name: name)
    }

    // MARK: Listening

    /// Ana's and Bo's plays, ratings and stars (times in seconds after a fixed instant).
    func listen() async throws {
        for (title, starts) in [("Hoppípolla", [10.0, 11, 12]), ("Love Me Do", [5, 6]), ("Jóga", [50])] {
            try await play(title, by: ana, at: starts)
        }
        try await play("Hidden Place", by: ana, at: [20])
        try await play("Coração Vagabundo", by: bo, at: [1, 2, 3, 4, 5])
        try await play("Jóga", by: bo, at: [60, 61])
        for _ in 0..<2 { try await catalog.recordPlay(of: Self.track("Hunter")) }

        for (album, rating) in [("Takk...", 5), ("Homogenic", 3), ("Vespertine", 4)] {
            try await rate(Self.album(album).rawValue, .album, rating, by: ana)
        }
        try await rate(Self.album("Please").rawValue, .album, 5, by: bo)

        for (album, at) in [("Homogenic", 10.0), ("Love Songs", 30), ("Vespertine", 20), ("Takk...", 40)] {
            try await star(Self.album(album).rawValue, .album, by: ana, at: at)
        }
        // Starred, then unstarred: no longer starred.
        try await store.state.setStarred(
            false, item: Self.album("Takk...").rawValue, kind: .album, user: ana.id, at: TestAccounts.date(41))
        try await star(Self.album("Coração Vagabundo").rawValue, .album, by: bo, at: 1)
        try await star(Self.artist("Björk").rawValue, .artist, by: ana, at: 5)
        try await star(Self.artist("Sigur Rós").rawValue, .artist, by: ana, at: 7)
        try await star(Self.track("Jóga").rawValue, .track, by: ana, at: 1)
        try await star(Self.track("Hidden Place").rawValue, .track, by: ana, at: 3)
    }

    func play(_ title: String, by user: User, at starts: [Double]) async throws {
        for start in starts {
            _ = try await store.history.recordPlay(
                user: user.id, track: Self.track(title), startedAt: TestAccounts.date(start), secondsPlayed: 200,
                client: nil, scrobble: true)
        }
    }

    func rate(_ item: String, _ kind: Annotation.ItemKind, _ rating: Int, by user: User) async throws {
        try await store.state.setRating(rating, item: item, kind: kind, user: user.id)
    }

    func star(_ item: String, _ kind: Annotation.ItemKind, by user: User, at seconds: Double) async throws {
        try await store.state.setStarred(true, item: item, kind: kind, user: user.id, at: TestAccounts.date(seconds))
    }
}

extension CatalogQueryRepository {
    /// A search of plain text (no query syntax), as a Subsonic app sends it.
    func search(_ text: String, scope: LibraryScope, artists: Page, albums: Page, tracks: Page) async throws
        -> SearchResults
    {
        try await search(
            SearchQuery.parse(text, syntax: false), scope: scope,
            pages: SearchPages(artists: artists, albums: albums, tracks: tracks))
    }
}
