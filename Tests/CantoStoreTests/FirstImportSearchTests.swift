import CantoCore
import CantoTestSupport
import Foundation
import GRDB
import Testing

@testable import CantoStore

/// A first import sets the search tables' triggers aside with the indexes and writes each
/// batch's search rows itself: search finds what is imported so far, the rows are the ones the
/// triggers write, and anything that deletes, a restart or the end of the scan gets the
/// triggers back.
@Suite struct FirstImportSearchTests {
    /// Each search table's rows (its indexed columns) by the ID of the catalog row they stand for.
    static func searchRows(_ database: CantoDatabase) throws -> [String: [String: [String?]]] {
        try database.pool.read { db in
            var rows: [String: [String: [String?]]] = [:]
            for (table, columns) in [("artist", 1), ("album", 2), ("track", 5)] {
                let values = (0..<columns).map { "c.c\($0)" }.joined(separator: ", ")
                for row in try Row.fetchAll(
                    db,
                    sql: "SELECT t.id, \(values) FROM \(table) t JOIN \(table)_fts_content c ON c.id = t.rowid")
                {
                    rows[table, default: [:]][row[0]] = (1...columns).map { row[$0] }
                }
            }
            return rows
        }
    }

    /// How many rows each search table and its catalog table hold.
    static func counts(_ database: CantoDatabase) throws -> [String: [Int]] {
        try database.pool.read { db in
            var counts: [String: [Int]] = [:]
            for table in ["artist", "album", "track"] {
                counts[table] = [
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)_fts") ?? -1,
                ]
            }
            return counts
        }
    }

    static func count(_ table: String, _ database: CantoDatabase) throws -> Int {
        try database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1 }
    }

    static func searchTriggers(_ database: CantoDatabase) throws -> Set<String> {
        try database.pool.read { db in
            Set(
                try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_fts_%'"))
        }
    }

    /// The tracks whose search row matches `query` (an FTS5 expression over the folded text).
    static func matches(_ query: String, _ database: CantoDatabase) throws -> [String] {
        try database.pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT track.id FROM track_fts JOIN track ON track.rowid = track_fts.rowid
                    WHERE track_fts MATCH ? ORDER BY track.id
                    """, arguments: [query])
        }
    }

    static func allCounted(_ counts: [String: [Int]]) -> Bool {
        counts.count == 3 && counts.values.allSatisfy { $0.count == 2 && $0[0] == $0[1] }
    }

    @Test func aFirstImportWritesTheSearchRowsItsTriggersWould() async throws {
        let catalog = try await TestCatalog()
        let database = catalog.database
        let all = Set(DeferredIndexes.searchTriggers)
        #expect(try Self.searchTriggers(database) == all)
        #expect(try await catalog.repository.beginScan())
        #expect(try Self.searchTriggers(database).isEmpty)

        let first = catalog.write(
            path: "Sigur Rós/Ágætis byrjun/01.m4a", title: "Svefn-g-englar", artists: ["Sigur Rós"],
            albumArtist: "Sigur Rós", album: "Ágætis byrjun")
        let second = catalog.write(
            path: "Björk/Homogenic/01.m4a", title: "Jóga", artists: ["Björk"], albumArtist: "Björk",
            album: "Homogenic")
        try await catalog.apply([first, second])
        // Found between two batches, folded as the triggers fold.
        let counts = try Self.counts(database)
        #expect(Self.allCounted(counts), "\(counts)")
        #expect(try Self.matches("sigur", database) == [first.track.id.rawValue])
        #expect(try Self.matches("joga", database) == [second.track.id.rawValue])

        // The same track again, retitled, in a later batch: its row is replaced, not doubled.
        var retitled = first
        retitled.track.title = "Starálfur"
        let third = catalog.write(
            path: "Sigur Rós/Ágætis byrjun/02.m4a", title: "Olsen Olsen", artists: ["Sigur Rós"],
            albumArtist: "Sigur Rós", album: "Ágætis byrjun", track: 2)
        try await catalog.apply([retitled, third])
        let later = try Self.counts(database)
        #expect(Self.allCounted(later), "\(later)")
        #expect(try Self.matches("svefn", database).isEmpty)
        #expect(try Self.matches("staralfur", database) == [first.track.id.rawValue])
        let imported = try Self.searchRows(database)
        #expect(imported["track"]?.count == 3 && imported["album"]?.count == 2)

        try await catalog.repository.finishScan(libraries: [catalog.library.id], at: nil)
        #expect(try Self.searchTriggers(database) == all)
        #expect(try Self.count("deferred_index", database) == 0)

        // Every row through the triggers again (each update trigger rewrites its row's search
        // columns): the rows are the ones the import wrote.
        try await database.pool.write { db in
            for (table, column) in [("artist", "name"), ("album", "title"), ("track", "title")] {
                try db.execute(sql: "UPDATE \(table) SET \(column) = \(column) || ' x'")
                try db.execute(sql: "UPDATE \(table) SET \(column) = substr(\(column), 1, length(\(column)) - 2)")
            }
        }
        #expect(try Self.searchRows(database) == imported)
        #expect(Self.allCounted(try Self.counts(database)))
    }

    @Test func aDeletionDuringAFirstImportGetsTheTriggersBackFirst() async throws {
        let catalog = try await TestCatalog()
        let database = catalog.database
        #expect(try await catalog.repository.beginScan())
        let kept = catalog.write(path: "a/01.m4a", title: "Kept", album: "One")
        let gone = catalog.write(path: "b/01.m4a", title: "Gone", album: "Two")
        try await catalog.apply([kept, gone])
        #expect(try Self.searchTriggers(database).isEmpty)

        try await catalog.apply([], deleting: [gone.track.id])
        #expect(try Self.searchTriggers(database) == Set(DeferredIndexes.searchTriggers))
        #expect(try Self.matches("gone", database).isEmpty)
        #expect(try Self.matches("kept", database) == [kept.track.id.rawValue])
        #expect(try Self.count("track_fts", database) == 1)
    }

    @Test func aLibraryRemovedDuringAFirstImportTakesItsSearchRows() async throws {
        let catalog = try await TestCatalog()
        let database = catalog.database
        #expect(try await catalog.repository.beginScan())
        try await catalog.apply([catalog.write(path: "a/01.m4a", title: "Leaving")])
        #expect(try Self.matches("leaving", database).count == 1)

        // The source lists no library now: the library goes with its tracks, through the triggers.
        #expect(try await catalog.repository.syncLibraries([], source: "local") == 1)
        #expect(try Self.searchTriggers(database) == Set(DeferredIndexes.searchTriggers))
        #expect(try Self.count("track_fts", database) == 0)
    }

    @Test func aFirstImportCutOffGetsItsTriggersBackOnTheNextOpen() async throws {
        let catalog = try await TestCatalog()
        #expect(try await catalog.repository.beginScan())
        let written = catalog.write(path: "a/01.m4a", title: "Survivor")
        try await catalog.apply([written])
        #expect(try Self.searchTriggers(catalog.database).isEmpty)

        // The process dies before the scan's end; the next open builds what was set aside.
        let reopened = try CantoDatabase(dataDirectory: catalog.directory.url)
        #expect(try Self.searchTriggers(reopened) == Set(DeferredIndexes.searchTriggers))
        #expect(try Self.matches("survivor", reopened) == [written.track.id.rawValue])
        #expect(Self.allCounted(try Self.counts(reopened)))
    }
}
