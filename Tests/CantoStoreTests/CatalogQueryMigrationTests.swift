import CantoCore
import CantoTestSupport
import Foundation
import GRDB
import Testing

@testable import CantoStore

@Suite struct CatalogQueryMigrationTests {
    typealias Fixture = CatalogQueryFixture

    @Test func v3IndexesTheCatalogAFileAlreadyHolds() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-search")
        do {
            let v2 = try CantoDatabase(dataDirectory: directory.url, migratingUpTo: "v2-accounts")
            let writer = CatalogRepository(database: v2)
            try await v2.insertLegacyLibrary(Library(id: Fixture.music, name: "Music", path: "/music"))
            var batch = CatalogBatch()
            batch.tracks = Fixture.songs.filter { $0.library == Fixture.music }.map(Fixture.write)
            try await writer.apply(batch)
            try await writer.finishScan(libraries: [Fixture.music], at: TestAccounts.date(0))
            #expect(try v2.appliedMigrations().contains("v3-search") == false)
        }
        let upgraded = try CantoDatabase(dataDirectory: directory.url)
        #expect(try upgraded.appliedMigrations().contains("v3-search"))
        let queries = CatalogQueryRepository(database: upgraded)
        let page = Page(offset: 0, limit: 10)
        let found = try await queries.search("bjork", scope: nil, artists: page, albums: page, tracks: page)
        #expect(found.artists.map(\.name) == ["Björk"])
        #expect(found.albums.map(\.title) == ["Homogenic"])
        #expect(Set(found.tracks.map(\.title)) == ["Jóga", "Bachelorette", "Hunter"])
        let sakamoto = try await queries.search("sakamoto 坂本", scope: nil, artists: page, albums: page, tracks: page)
        #expect(sakamoto == SearchResults(artists: [], albums: [], tracks: []))

        // The triggers work on the backfilled rows too.
        let writer = CatalogRepository(database: upgraded)
        var batch = CatalogBatch()
        batch.deletedTracks = [Fixture.track("Hunter")]
        try await writer.apply(batch)
        let after = try await queries.search("hunter", scope: nil, artists: page, albums: page, tracks: page)
        #expect(after.tracks == [])
    }

    @Test func queriesBecomeFoldedClauses() {
        func tokens(_ text: String, syntax: Bool = false) -> [[String]] {
            SearchQuery.parse(text, syntax: syntax).clauses.map(\.tokens)
        }
        #expect(tokens("bjö") == [["bjo"]])
        #expect(tokens("  Sigur   Rós ") == [["sigur"], ["ros"]])
        #expect(tokens("AND (") == [["and"]])
        #expect(tokens("AC/DC") == [["acdc"]])
        #expect(tokens("坂本龍一") == [["坂", "本", "龍", "一"]])
        #expect(tokens("\"\"").isEmpty)
        #expect(tokens("* - ()").isEmpty)
        #expect(tokens("").isEmpty)
        // Without syntax a minus, a colon or a quote is only punctuation.
        #expect(tokens("-x artist:y \"z\"") == [["x"], ["artisty"], ["z"]])
        let parsed = SearchQuery.parse("artist:\"sigur ros\" -live \"hoppi polla\" year:2005-2000 ", syntax: true)
        #expect(parsed.clauses.map(\.tokens) == [["sigur", "ros"], ["live"], ["hoppi", "polla"]])
        #expect(parsed.clauses.map(\.field) == [.artist, nil, nil])
        #expect(parsed.clauses.map(\.excluded) == [false, true, false])
        #expect(parsed.clauses.map(\.prefix) == [false, false, false])
        #expect(parsed.years == 2000...2005)
        #expect(SearchQuery.parse("genre:rock nig", syntax: true).clauses.map(\.prefix) == [true, true])
    }

    @Test func libraryKeysAreSQLitesHex() async throws {
        let fixture = try await Fixture()
        for text in ["lib1", "l0a1b2c3d4e5f", "Bibliothèque 🎵", "lib-1 \"x\"", ""] {
            let sqlite = try await fixture.store.database.pool.read { db in
                try String.fetchOne(db, sql: "SELECT hex(?)", arguments: [text])
            }
            #expect(CatalogQueryRepository.hex(text) == sqlite)
        }
    }

    /// The lines of SQLite's plan for `sql`.
    static func plan(_ sql: SQL, in database: CantoDatabase) throws -> [String] {
        try database.pool.read { db in
            let (text, arguments) = try sql.build(db)
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + text, arguments: arguments).map { $0["detail"] }
        }
    }

    @Test func hotListsWalkAnIndexWithoutSorting() async throws {
        let fixture = try await Fixture()
        let database = fixture.store.database
        let page = CatalogQueryRepository.page(offset: 20, limit: 10)
        let everything = CatalogQueryRepository.Scope(nil)
        for (type, index) in [(AlbumListType.newest, "album_created"), (.alphabeticalByName, "album_sort")] {
            for scope in [everything, CatalogQueryRepository.Scope([Fixture.music])] {
                let sql = CatalogQueryRepository.albumList(
                    type, user: fixture.ana.id, filter: scope, page: page, fromYear: nil, toYear: nil, genre: nil)
                let plan = try Self.plan(sql, in: database)
                #expect(plan.contains { $0.contains("SCAN album USING INDEX \(index)") }, "\(type): \(plan)")
                #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(type): \(plan)")
            }
        }
        let listing = try Self.plan(
            SearchPlan(query: SearchQuery(clauses: []), corrections: [:]).sql(
                .track, everything, Page(offset: 0, limit: 20)),
            in: database)
        #expect(listing.contains { $0.contains("track_sort_title") }, "\(listing)")
        #expect(!listing.contains { $0.contains("TEMP B-TREE") }, "\(listing)")
    }

    @Test func searchStartsFromTheFullTextIndex() async throws {
        let fixture = try await Fixture()
        let search = SearchPlan(query: SearchQuery.parse("bjork", syntax: false), corrections: ["bjork": ["bjrok"]])
        let page = Page(offset: 0, limit: 20)
        for scope in [CatalogQueryRepository.Scope(nil), CatalogQueryRepository.Scope([Fixture.music])] {
            let plans = try [
                search.sql(.track, scope, page), search.sql(.album, scope, page), search.sql(.artist, scope, page),
            ].map { try Self.plan($0, in: fixture.store.database) }
            for plan in plans {
                // The FTS table drives; every other table is reached by key.
                #expect(plan.contains { $0.contains("VIRTUAL TABLE INDEX") }, "\(plan)")
                #expect(plan.contains { $0.contains("USING INTEGER PRIMARY KEY (rowid=?)") }, "\(plan)")
                let scans = plan.filter {
                    // The materialised matches, their best tiers and the page's last rank are scanned, not tables.
                    $0.hasPrefix("SCAN") && !$0.contains("VIRTUAL TABLE") && !$0.contains("subquery")
                        && !["SCAN hits", "SCAN found", "SCAN cut"].contains($0)
                }
                #expect(scans.isEmpty, "\(plan)")
                #expect(!plan.contains { $0.contains("(library_id=?)") }, "\(plan)")
            }
        }
    }
}
