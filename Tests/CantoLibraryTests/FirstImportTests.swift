import CantoCore
import CantoLibrary
import CantoTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

@testable import CantoStore

/// A first scan of an empty catalog sets the catalog's secondary indexes aside and builds the
/// same ones again at its end; a crash in between leaves them to the next open.
@Suite struct FirstImportTests {
    /// The secondary indexes of the tables a scan fills, by name, with their SQL.
    static func indexes(_ database: CantoDatabase) throws -> [String: String] {
        try database.pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
                        AND tbl_name IN ('track', 'track_artist', 'track_genre', 'album', 'artist')
                    """)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["name"] as String, $0["sql"] as String) })
        }
    }

    static func setAside(_ database: CantoDatabase) throws -> Int {
        try database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM deferred_index") ?? -1 }
    }

    /// The writer's `wal_autocheckpoint`.
    static func checkpointPages(_ database: CantoDatabase) throws -> Int {
        try database.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? -1 }
    }

    @Test func aFirstScanBuildsTheIndexesItSetAsideAndARescanKeepsThem() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-first-import")
        let fixture = try await FixtureLibrary.shared().copy(to: directory.appending("Music"))
        let harness = try ScanHarness(root: fixture.root)
        let database = harness.database
        let before = try Self.indexes(database)
        // The ones the browsing pages and the end of a scan read through.
        for name in ["track_album", "track_folder", "track_content", "track_artist_artist", "artist_index"] {
            #expect(before[name] != nil, "\(name)")
        }

        // What the catalog holds each time a folder is finished, seen from another connection,
        // and how much log the writer lets grow before it checkpoints.
        let seen = Mutex<[(indexes: Int, aside: Int, checkpoint: Int)]>([])
        let progress: @Sendable (ScanProgress) -> Void = { _ in
            let figures = try? (
                Self.indexes(database).count, Self.setAside(database), Self.checkpointPages(database)
            )
            if let figures { seen.withLock { $0.append(figures) } }
        }
        let scanner = LibraryScanner(
            catalog: harness.catalog, options: ScanOptions(batchSize: 3), logger: ScanHarness.logger)
        let summary = try await scanner.scan(libraries: [harness.library], progress: progress)

        #expect(summary.added == fixture.expectedTrackCount)
        let during = seen.withLock { $0 }
        try #require(during.count > 2)
        #expect(
            during.allSatisfy {
                $0.indexes == 0 && $0.aside == before.count + DeferredIndexes.searchTriggers.count
                    && $0.checkpoint == CantoDatabase.firstImportCheckpointPages
            }, "\(during)")
        #expect(try Self.indexes(database) == before)
        #expect(try Self.setAside(database) == 0)
        // The writer checkpoints as it did, and the log grown meanwhile was emptied and truncated
        // (only the search prefixes' rebuild after it is in it).
        #expect(try Self.checkpointPages(database) == CantoDatabase.checkpointPages)
        #expect(FileFacts(database.path + "-wal").size < 256 * 1024)
        // Every album's figures were worked out through them.
        let albums = try await harness.allAlbums()
        #expect(albums.count == fixture.albums.count)
        for (album, tracks) in albums { #expect(album.trackCount == tracks.count, "\(album.title)") }

        // A rescan of a catalog with tracks sets nothing aside and still sees every file.
        seen.withLock { $0 = [] }
        let again = try await scanner.scan(libraries: [harness.library], progress: progress)
        #expect(again.unchanged == fixture.expectedTrackCount)
        let rescan = seen.withLock { $0 }
        try #require(!rescan.isEmpty)
        #expect(
            rescan.allSatisfy {
                $0.indexes == before.count && $0.aside == 0 && $0.checkpoint == CantoDatabase.checkpointPages
            }, "\(rescan)")

        // Indexes set aside while the catalog holds tracks (another source's first import, cut
        // off): the next scan's begin builds them, with the sorts on disk as the end of one does.
        try await database.pool.write { db in
            for (name, sql) in before {
                try db.execute(sql: "INSERT INTO deferred_index (name, sql) VALUES (?, ?)", arguments: [name, sql])
                try db.execute(sql: "DROP INDEX \(name.quotedDatabaseIdentifier)")
            }
        }
        #expect(try Self.indexes(database).isEmpty && Self.setAside(database) == before.count)
        #expect(try await harness.catalog.beginScan() == false)
        #expect(try Self.indexes(database) == before)
        #expect(try Self.setAside(database) == 0)
        #expect(try await database.pool.write { db in try String.fetchOne(db, sql: "PRAGMA temp_store") } == "2")
    }

    @Test func indexesAFirstScanLeftAsideAreBuiltByTheNextOpenOrScan() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-first-import")
        var harness = try ScanHarness(root: directory.url)
        let before = try Self.indexes(harness.database)
        try #require(!before.isEmpty)

        // The scan begins on an empty catalog, and the process dies before its end.
        #expect(try await harness.catalog.beginScan())
        #expect(try Self.indexes(harness.database).isEmpty)
        let aside = before.count + DeferredIndexes.searchTriggers.count
        #expect(try Self.setAside(harness.database) == aside)
        // Still empty: a second begin finds nothing more to set aside and keeps the list.
        #expect(try await harness.catalog.beginScan())
        #expect(try Self.setAside(harness.database) == aside)

        try harness.reopen()
        #expect(try Self.indexes(harness.database) == before)
        #expect(try Self.setAside(harness.database) == 0)

        // Set aside again, then the end of the scan (a failed one too) builds them.
        #expect(try await harness.catalog.beginScan())
        try await harness.catalog.finishScan(libraries: [], at: nil)
        #expect(try Self.indexes(harness.database) == before)
        #expect(try Self.setAside(harness.database) == 0)
    }
}
