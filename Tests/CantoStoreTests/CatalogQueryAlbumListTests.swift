import CantoCore
import Foundation
import GRDB
import Testing

@testable import CantoStore

@Suite struct CatalogQueryAlbumListTests {
    typealias Fixture = CatalogQueryFixture
    static let musicOnly: LibraryScope = [Fixture.music]

    /// The titles of a list, read for `user` (Ana unless given).
    static func titles(
        _ type: AlbumListType, _ fixture: Fixture, user: User? = nil, scope: LibraryScope = nil, offset: Int = 0,
        limit: Int = 50, from: Int? = nil, to: Int? = nil, genre: String? = nil
    ) async throws -> [String] {
        try await fixture.queries.albumList(
            type, user: (user ?? fixture.ana).id, scope: scope, offset: offset, limit: limit, fromYear: from,
            toYear: to, genre: genre
        ).map(\.title)
    }

    @Test func newestIsByFirstSeenAndPages() async throws {
        let fixture = try await Fixture()
        let all = try await Self.titles(.newest, fixture)
        #expect(
            all == [
                "Love Songs", "Vespertine", "Coração Vagabundo", "Merry Christmas Mr. Lawrence", "Takk...",
                "Homogenic", "Please",
            ])
        #expect(try await Self.titles(.newest, fixture, offset: 2, limit: 3) == Array(all[2..<5]))
        #expect(try await Self.titles(.newest, fixture, offset: 6, limit: 3) == ["Please"])
        #expect(try await Self.titles(.newest, fixture, offset: 7, limit: 3) == [])
        #expect(try await Self.titles(.newest, fixture, limit: 0) == [])
        #expect(try await Self.titles(.newest, fixture, scope: Self.musicOnly).contains("Vespertine") == false)
        #expect(try await Self.titles(.newest, fixture, scope: [Fixture.books]) == ["Vespertine"])
        #expect(try await Self.titles(.newest, fixture, scope: []) == [])
    }

    /// Whole-catalog lists come from an in-memory snapshot; limited ones from SQL. Scoped to
    /// every library, the SQL path must give the very same albums, in the same order, page by page;
    /// so must a snapshot that keeps only rowids (a catalog with more albums than it keeps decoded).
    @Test(arguments: [20_000, 0])
    func theSnapshotAgreesWithSQL(albumsKeptDecoded: Int) async throws {
        var fixture = try await Fixture()
        fixture.queries = CatalogQueryRepository(database: fixture.store.database, albumsKeptDecoded: albumsKeptDecoded)
        let everyLibrary: LibraryScope = [Fixture.music, Fixture.books]
        for type in [AlbumListType.newest, .alphabeticalByName] {
            for (offset, limit) in [(0, 50), (0, 3), (2, 3), (6, 5), (9, 2)] {
                let snapshot = try await fixture.queries.albumList(
                    type, user: fixture.ana.id, scope: nil, offset: offset, limit: limit, fromYear: nil, toYear: nil,
                    genre: nil)
                let sql = try await fixture.queries.albumList(
                    type, user: fixture.ana.id, scope: everyLibrary, offset: offset, limit: limit, fromYear: nil,
                    toYear: nil, genre: nil)
                #expect(snapshot == sql, "\(type) \(offset) \(limit)")
            }
        }
        let snapshot = fixture.queries.albumSnapshot
        let kept = try await fixture.store.database.pool.read { db in try snapshot.lists(db) }
        #expect(kept.rowids.count == 7)
        #expect((kept.albums != nil) == (albumsKeptDecoded > 0))
        // Random picks distinct albums of the catalog, decoded in full either way.
        let every = try await fixture.queries.albumList(
            .newest, user: fixture.ana.id, scope: nil, offset: 0, limit: 50, fromYear: nil, toYear: nil, genre: nil)
        let random = try await fixture.queries.albumList(
            .random, user: fixture.ana.id, scope: nil, offset: 0, limit: 5, fromYear: nil, toYear: nil, genre: nil)
        #expect(random.count == 5 && Set(random.map(\.id)).count == 5)
        #expect(random.allSatisfy { album in every.contains(album) })
        // A write moves the version: the snapshot is rebuilt.
        let before = try await Self.titles(.newest, fixture)
        var song = Fixture.songs[0]
        song.title = "Fresh"
        song.album = "Aardvark Album"
        song.seenAt += 1_000_000
        try await fixture.apply([Fixture.write(song)])
        #expect(try await Self.titles(.newest, fixture) == ["Aardvark Album"] + before)
        #expect(try await Self.titles(.alphabeticalByName, fixture).first == "Aardvark Album")
    }

    /// Above the decoded limit the albums of the pages asked for are kept by rowid, within the
    /// cache budget's `album_rows` share; a budget too small for one album keeps none and answers
    /// the same.
    @Test func thePagesAlbumsAreKeptWithinTheirShareOfTheBudget() async throws {
        var fixture = try await Fixture()
        let database = fixture.store.database
        fixture.queries = CatalogQueryRepository(database: database, albumsKeptDecoded: 0)
        let rows = fixture.queries.albumSnapshot.rows
        let first = try await Self.titles(.newest, fixture, limit: 3)
        #expect(rows.usage.entries == 3)
        // Positions 2 to 4: one album already kept, two more read.
        let next = try await Self.titles(.newest, fixture, offset: 2, limit: 3)
        #expect(rows.usage.entries == 5)
        #expect(next.first == first.last)
        #expect(rows.usage.bytes == 5 * AlbumSnapshot.bytesPerAlbum)
        // Random pages are not asked for twice: their albums are not kept.
        #expect(try await Self.titles(.random, fixture).count == 7)
        #expect(rows.usage.entries == 5)

        var tiny = fixture
        tiny.queries = CatalogQueryRepository(database: database, albumsKeptDecoded: 0, budget: .megabytes(0))
        #expect(try await Self.titles(.newest, tiny) == (try await Self.titles(.newest, fixture)))
        let kept = tiny.queries.albumSnapshot.rows.usage
        #expect(kept.entries == 0 && kept.capacityBytes == 0)
        #expect(kept.evictions == 7, "each album read was dropped past the bound")
    }

    @Test func newestAlbumsCarryTheirFigures() async throws {
        let fixture = try await Fixture()
        let albums = try await fixture.queries.albumList(
            .newest, user: fixture.ana.id, scope: nil, offset: 5, limit: 1, fromYear: nil, toYear: nil, genre: nil)
        let homogenic = try #require(try await fixture.catalog.album(Fixture.album("Homogenic")))
        #expect(albums == [homogenic])
        #expect(albums.first?.trackCount == 3)
        #expect(albums.first?.year == 1997)
        #expect(albums.first?.createdAt == TestAccounts.date(100))
    }

    @Test func alphabeticalByNameFoldsAccentsAndPages() async throws {
        let fixture = try await Fixture()
        let all = try await Self.titles(.alphabeticalByName, fixture)
        #expect(
            all == [
                "Coração Vagabundo", "Homogenic", "Love Songs", "Merry Christmas Mr. Lawrence", "Please", "Takk...",
                "Vespertine",
            ])
        var paged: [String] = []
        for offset in stride(from: 0, to: 8, by: 3) {
            paged += try await Self.titles(.alphabeticalByName, fixture, offset: offset, limit: 3)
        }
        #expect(paged == all)
        #expect(try await Self.titles(.alphabeticalByName, fixture, scope: [Fixture.books]) == ["Vespertine"])
    }

    @Test func alphabeticalByArtistSortsByArtistThenYear() async throws {
        let fixture = try await Fixture()
        #expect(
            try await Self.titles(.alphabeticalByArtist, fixture) == [
                "Please", "Homogenic", "Vespertine", "Coração Vagabundo", "Takk...", "Love Songs",
                "Merry Christmas Mr. Lawrence",
            ])
        #expect(
            try await Self.titles(.alphabeticalByArtist, fixture, scope: Self.musicOnly, offset: 1, limit: 2) == [
                "Homogenic", "Coração Vagabundo",
            ])
    }

    @Test func randomListsEachAlbumOnceWithinScope() async throws {
        let fixture = try await Fixture()
        let all = try await Self.titles(.random, fixture)
        #expect(all.count == 7)
        #expect(Set(all) == Set(try await Self.titles(.alphabeticalByName, fixture)))
        let three = try await Self.titles(.random, fixture, limit: 3)
        #expect(three.count == 3 && Set(three).count == 3)
        for _ in 0..<5 {
            let scoped = try await Self.titles(.random, fixture, scope: Self.musicOnly)
            #expect(scoped.count == 6 && !scoped.contains("Vespertine"))
        }
        // Seven albums in a random order: twenty draws all in the same order would be a fixed order.
        var orders = Set<[String]>()
        for _ in 0..<20 { orders.insert(try await Self.titles(.random, fixture)) }
        #expect(orders.count > 1)

        // A new album is in the next random list at once (the picked-from list follows the catalog).
        var song = Fixture.songs[0]
        song.title = "Brand New"
        song.album = "Newly Added"
        try await fixture.apply([Fixture.write(song)])
        let after = try await Self.titles(.random, fixture)
        #expect(after.count == 8 && after.contains("Newly Added"))
    }

    @Test func highestListsOnlyTheUsersRatedAlbums() async throws {
        let fixture = try await Fixture()
        try await fixture.listen()
        #expect(try await Self.titles(.highest, fixture) == ["Takk...", "Vespertine", "Homogenic"])
        #expect(try await Self.titles(.highest, fixture, scope: Self.musicOnly) == ["Takk...", "Homogenic"])
        #expect(try await Self.titles(.highest, fixture, offset: 1, limit: 1) == ["Vespertine"])
        #expect(try await Self.titles(.highest, fixture, user: fixture.bo) == ["Please"])
    }

    @Test func frequentCountsTheUsersPlays() async throws {
        let fixture = try await Fixture()
        try await fixture.listen()
        // Homogenic and Vespertine were played once each: the more recent play first.
        #expect(try await Self.titles(.frequent, fixture) == ["Takk...", "Please", "Homogenic", "Vespertine"])
        #expect(try await Self.titles(.frequent, fixture, scope: Self.musicOnly) == ["Takk...", "Please", "Homogenic"])
        #expect(try await Self.titles(.frequent, fixture, offset: 1, limit: 2) == ["Please", "Homogenic"])
        #expect(try await Self.titles(.frequent, fixture, user: fixture.bo) == ["Coração Vagabundo", "Homogenic"])
    }

    @Test func recentOrdersByTheUsersLastPlay() async throws {
        let fixture = try await Fixture()
        try await fixture.listen()
        #expect(try await Self.titles(.recent, fixture) == ["Homogenic", "Vespertine", "Takk...", "Please"])
        #expect(try await Self.titles(.recent, fixture, scope: Self.musicOnly) == ["Homogenic", "Takk...", "Please"])
        #expect(try await Self.titles(.recent, fixture, user: fixture.bo) == ["Homogenic", "Coração Vagabundo"])
        let nobody = try await fixture.store.addUser("cy")
        #expect(try await Self.titles(.recent, fixture, user: nobody) == [])
        #expect(try await Self.titles(.frequent, fixture, user: nobody) == [])
    }

    @Test func starredListsTheUsersStarsNewestFirst() async throws {
        let fixture = try await Fixture()
        try await fixture.listen()
        // Takk... was starred last, then unstarred; its rating alone does not make it starred.
        #expect(try await Self.titles(.starred, fixture) == ["Love Songs", "Vespertine", "Homogenic"])
        #expect(try await Self.titles(.starred, fixture, scope: Self.musicOnly) == ["Love Songs", "Homogenic"])
        #expect(try await Self.titles(.starred, fixture, offset: 2, limit: 5) == ["Homogenic"])
        #expect(try await Self.titles(.starred, fixture, user: fixture.bo) == ["Coração Vagabundo"])
    }

    @Test func byYearIsInclusiveAndReversible() async throws {
        let fixture = try await Fixture()
        #expect(
            try await Self.titles(.byYear, fixture, from: 1983, to: 1997) == [
                "Merry Christmas Mr. Lawrence", "Love Songs", "Homogenic",
            ])
        #expect(
            try await Self.titles(.byYear, fixture, from: 1997, to: 1983) == [
                "Homogenic", "Love Songs", "Merry Christmas Mr. Lawrence",
            ])
        #expect(
            try await Self.titles(.byYear, fixture, scope: Self.musicOnly, from: 2005, to: 1997) == [
                "Takk...", "Homogenic",
            ])
        #expect(try await Self.titles(.byYear, fixture, from: 1990, to: 1990) == ["Love Songs"])
        #expect(
            try await Self.titles(.byYear, fixture, offset: 1, limit: 2, from: 1960, to: 2010) == [
                "Coração Vagabundo", "Merry Christmas Mr. Lawrence",
            ])
        #expect(try await Self.titles(.byYear, fixture, from: 2010, to: 2020) == [])
    }

    @Test func byGenreMatchesAnyTrackOfTheAlbumIgnoringCase() async throws {
        let fixture = try await Fixture()
        let electronic = ["Homogenic", "Merry Christmas Mr. Lawrence", "Vespertine"]
        #expect(try await Self.titles(.byGenre, fixture, genre: "Electronic") == electronic)
        #expect(try await Self.titles(.byGenre, fixture, genre: "eLECTRONIC") == electronic)
        #expect(try await Self.titles(.byGenre, fixture, genre: "art pop") == ["Homogenic"])
        #expect(
            try await Self.titles(.byGenre, fixture, scope: Self.musicOnly, genre: "electronic") == [
                "Homogenic", "Merry Christmas Mr. Lawrence",
            ])
        #expect(try await Self.titles(.byGenre, fixture, offset: 2, limit: 1, genre: "electronic") == ["Vespertine"])
        #expect(try await Self.titles(.byGenre, fixture, genre: "Polka") == [])
        #expect(try await Self.titles(.byGenre, fixture, genre: nil) == [])
    }
}
