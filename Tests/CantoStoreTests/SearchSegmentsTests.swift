import CantoCore
import Foundation
import GRDB
import Testing

@testable import CantoStore

/// The search tables' segments merged into one a table at the end of a scan (`SearchSegments`),
/// with every search finding what it found before.
@Suite struct SearchSegmentsTests {
    typealias Fixture = CatalogQueryFixture
    typealias Song = CatalogQueryFixture.Song
    static let page = Page(offset: 0, limit: 30)

    static func segments(_ fixture: Fixture) async throws -> [Int] {
        try await fixture.store.database.pool.read { db in
            try SearchSegments.tables.map { try SearchSegments.count($0, db) }
        }
    }

    static func found(_ fixture: Fixture, _ text: String) async throws -> [[String]] {
        let found = try await fixture.queries.search(text, scope: nil, artists: page, albums: page, tracks: page)
        return [found.artists.map(\.name), found.albums.map(\.title), found.tracks.map(\.title)]
    }

    /// The fixture's catalog, then eight more albums, each written in a transaction of its own as
    /// a scan's batches are: each leaves segments of its own in every search table.
    static func fragmented() async throws -> Fixture {
        let fixture = try await Fixture()
        for number in 1...8 {
            var batch = CatalogBatch()
            batch.tracks = (1...3).map { track in
                Fixture.write(
                    Song(
                        title: "Lantern \(number) Song \(track)", album: "Harbour Lights \(number)",
                        albumArtist: "Marée Band \(number)", artists: ["Marée Band \(number)"], year: 2000 + number,
                        genres: ["Folk"], seenAt: Double(100 + number * 10 + track)))
            }
            try await fixture.catalog.apply(batch)
        }
        return fixture
    }

    static let queries = ["lantern", "harb", "maree band 3", "lanterm", "song 2", "z"]

    @Test func theEndOfAScanLeavesOneSegmentATableAndTheSameResults() async throws {
        let fixture = try await Self.fragmented()
        let before = try await Self.segments(fixture)
        #expect(before.allSatisfy { $0 > 1 }, "each batch wrote segments of its own: \(before)")
        var results: [String: [[String]]] = [:]
        for query in Self.queries { results[query] = try await Self.found(fixture, query) }
        #expect(results["lantern"]?[2].count == 24)

        try await fixture.catalog.finishScan(libraries: [Fixture.music], at: TestAccounts.date(5_000))
        #expect(try await Self.segments(fixture) == [1, 1, 1])
        for query in Self.queries {
            #expect(try await Self.found(fixture, query) == results[query], "\(query)")
        }
        let integrity = try await fixture.store.database.pool.write { db in
            for table in SearchSegments.tables {
                try db.execute(sql: "INSERT INTO \(table)(\(table)) VALUES ('integrity-check')")
            }
            return try String.fetchOne(db, sql: "PRAGMA integrity_check")
        }
        #expect(integrity == "ok")
        // Merged already: nothing more to do, not even a step.
        #expect(try await fixture.catalog.mergeSearchSegments() == 0)
    }

    @Test func aMergeGoesOnStepByStepUntilOneSegmentIsLeft() async throws {
        let fixture = try await Self.fragmented()
        // A table with a thousand more rows takes several steps of one page each, each a
        // transaction of its own, until FTS5 has nothing left to merge.
        let pool = fixture.store.database.pool
        try await pool.write { db in
            for number in 0..<1_000 {
                try db.execute(
                    sql: "INSERT INTO artist_fts (rowid, name) VALUES (?, ?)",
                    arguments: [10_000_000 + number, "extra artist \(number) \(String(repeating: "word ", count: 20))"])
            }
        }
        let steps = try await SearchSegments.merge(pool, pagesPerStep: 1)
        #expect(steps > 3, "\(steps)")
        #expect(try await Self.segments(fixture) == [1, 1, 1])
        let found = try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM artist_fts WHERE artist_fts MATCH 'extra'")
        }
        #expect(found == 1_000)
    }
}
