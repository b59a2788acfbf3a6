import CantoCore
import Foundation
import GRDB
import Testing

@testable import CantoStore

/// Search as you type's best names per prefix (`SearchPrefixes`): what they keep, in which
/// order, and that a search uses them only while they were built from the catalog as it is, and
/// only over the whole catalog.
@Suite struct SearchPrefixesTests {
    typealias Fixture = CatalogQueryFixture
    typealias Song = CatalogQueryFixture.Song
    static let page = Page(offset: 0, limit: 20)

    /// Names starting with "kan" in every field, one artist only in the second library, and one
    /// ("The Kanes") with the word inside.
    static let songs: [Song] = [
        Song(
            title: "Dust", album: "Leftoverture", albumArtist: "Kansas", artists: ["Kansas"], year: 1976,
            genres: ["Rock"], seenAt: 1),
        Song(
            title: "Gold Digger", album: "Late Registration", albumArtist: "Kanye West", artists: ["Kanye West"],
            year: 2005, genres: ["Hip Hop"], seenAt: 2),
        Song(title: "Kan", album: "Kan", albumArtist: "Kan", artists: ["Kan"], year: 2001, genres: ["Pop"], seenAt: 3),
        Song(
            title: "Hymn", album: "Night", albumArtist: "Kano Band Orchestra", artists: ["Kano Band Orchestra"],
            year: 1999, genres: ["Jazz"], library: Fixture.books, seenAt: 4),
        Song(
            title: "Hold", album: "Kanes Best", albumArtist: "The Kanes", artists: ["The Kanes"], year: 1990,
            genres: ["Rock"], seenAt: 5),
    ]

    static func found(_ fixture: Fixture, _ text: String, scope: LibraryScope = nil) async throws -> [[String]] {
        let found = try await fixture.queries.search(
            text, scope: scope, artists: page, albums: page, tracks: page)
        return [found.artists.map(\.name), found.albums.map(\.title), found.tracks.map(\.title)]
    }

    /// A fixture whose "Kansas" has the household's plays, with every prefix kept.
    static func fixture() async throws -> Fixture {
        let fixture = try await Fixture(songs: songs)
        try await fixture.store.database.pool.write { db in
            try db.execute(
                sql: "INSERT INTO stat_house_item_total (kind, item, plays) VALUES ('a', ?, 3)",
                arguments: [CatalogIDs.artist(name: "Kansas").rawValue])
        }
        #expect(try await SearchPrefixes.rebuild(fixture.store.database.pool, threshold: 0) > 0)
        return fixture
    }

    @Test func namesStartingWithAPrefixAreKeptBestFirst() async throws {
        let fixture = try await Self.fixture()
        // Artists: fewer words first, then plays (Kansas before Kan), then the order they came.
        // Albums: a title starting with it before an album artist; tracks: the title, then the
        // artist, then the album. "The Kanes" does not start with "kan"; its album does.
        #expect(
            try await Self.found(fixture, "kan") == [
                ["Kansas", "Kan", "Kanye West", "Kano Band Orchestra"],
                ["Kan", "Kanes Best", "Leftoverture", "Late Registration", "Night"],
                ["Kan", "Dust", "Gold Digger", "Hymn", "Hold"],
            ])
        // One letter and a longer prefix use the same lists.
        #expect(try await Self.found(fixture, "K")[0] == ["Kansas", "Kan", "Kanye West", "Kano Band Orchestra"])
        #expect(try await Self.found(fixture, "kany") == [["Kanye West"], ["Late Registration"], ["Gold Digger"]])
        // Paged within the list.
        let second = try await fixture.queries.search(
            "kan", scope: nil, artists: Page(offset: 1, limit: 2), albums: Page(offset: 0, limit: 0),
            tracks: Page(offset: 0, limit: 0))
        #expect(second.artists.map(\.name) == ["Kan", "Kanye West"])
        // A negative start reads as zero, as it does for pages ranked in SQL.
        let negative = try await fixture.queries.search(
            "kan", scope: nil, artists: Page(offset: -3, limit: 2), albums: Page(offset: 0, limit: 0),
            tracks: Page(offset: 0, limit: 0))
        #expect(negative.artists.map(\.name) == ["Kansas", "Kan"])

        let kept = try await fixture.store.database.pool.read { db in
            try SearchPrefixes.lookup(.artist, "kan", db)
        }
        #expect(kept?.count == 4)
        #expect(SearchPrefixes.decode(SearchPrefixes.encode([1, -2, Int64.max])) == [1, -2, Int64.max])
        #expect(SearchPrefixes.decode(Data([1, 2, 3])) == nil)
    }

    @Test func aCatalogThatMovedOnIsSearchedInSQLUntilTheListsAreRebuilt() async throws {
        let fixture = try await Self.fixture()
        #expect(try await Self.found(fixture, "kan")[0].contains("The Kanes") == false)
        // The end of a scan that changed nothing writes nothing: the lists stay, unrebuilt.
        let version = try await fixture.catalog.catalogVersion()
        try await fixture.catalog.finishScan(libraries: [Fixture.music], at: TestAccounts.date(2_000))
        #expect(try await fixture.catalog.catalogVersion() == version)
        #expect(try await fixture.catalog.refreshSearchPrefixes() == nil)
        #expect(try await Self.found(fixture, "kan")[0] == ["Kansas", "Kan", "Kanye West", "Kano Band Orchestra"])

        // A new artist, written without the end of a scan: the lists belong to the old catalog.
        var batch = CatalogBatch()
        batch.tracks = [
            Fixture.write(
                Song(
                    title: "Roo", album: "Pouch", albumArtist: "Kanga", artists: ["Kanga"], year: 2020,
                    genres: ["Pop"], seenAt: 6))
        ]
        try await fixture.catalog.apply(batch)
        let stale = try await Self.found(fixture, "kan")
        #expect(stale[0].contains("Kanga"), "\(stale)")
        // Ranked in SQL, the word inside a name counts too.
        #expect(stale[0].contains("The Kanes"), "\(stale)")

        #expect(try await fixture.catalog.refreshSearchPrefixes() != nil)
        #expect(try await fixture.catalog.refreshSearchPrefixes() == nil, "nothing changed since")
        // Rebuilt at the catalog's threshold: five names are too few to keep, so SQL ranks them.
        let kept = try await fixture.store.database.pool.read { db in
            try SearchPrefixes.lookup(.artist, "kan", db)
        }
        #expect(kept == nil)
        #expect(try await SearchPrefixes.rebuild(fixture.store.database.pool, threshold: 0) > 0)
        #expect(
            try await Self.found(fixture, "kan")[0] == ["Kansas", "Kan", "Kanga", "Kanye West", "Kano Band Orchestra"])
    }

    @Test func aUserLimitedToSomeLibrariesIsNeverAnsweredFromTheLists() async throws {
        let fixture = try await Self.fixture()
        #expect(try await Self.found(fixture, "kan")[0].contains("Kano Band Orchestra"))
        let limited = try await Self.found(fixture, "kan", scope: [Fixture.music])
        #expect(!limited[0].contains("Kano Band Orchestra"), "\(limited)")
        #expect(!limited[2].contains("Hymn"), "\(limited)")
        #expect(limited[0].contains("Kansas"))
    }
}
