import CantoCore
import CantoTestSupport
import Foundation
import GRDB
import Testing

@testable import CantoStore

@Suite struct CantoDatabaseTests {
    /// The catalog's row mappers read by position; the schema must keep those columns in order.
    /// The writer checkpoints at 32 MB of WAL (SQLite's default is 4 MB); readers keep the default.
    @Test func theWriterCheckpointsLessOften() throws {
        let folder = try TemporaryDirectory(prefix: "canto-checkpoint")
        let database = try CantoDatabase(dataDirectory: folder.url)
        let pages = try database.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") }
        #expect(pages == 8_192)
        let pageSize = try database.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") }
        #expect(pageSize == 4_096)
    }

    /// The writer keeps statement journals in memory (a scan raises its cache while it writes);
    /// the readers keep SQLite's defaults (a file for temporary data, a 2 MB cache).
    @Test func theWriterJournalsInMemoryWithALargerCache() throws {
        let folder = try TemporaryDirectory(prefix: "canto-writer-cache")
        let database = try CantoDatabase(dataDirectory: folder.url)
        let writer = try database.pool.write { db in
            [try Int.fetchOne(db, sql: "PRAGMA temp_store"), try Int.fetchOne(db, sql: "PRAGMA cache_size")]
        }
        #expect(writer == [2, -2_000])
        let reader = try database.pool.read { db in
            [try Int.fetchOne(db, sql: "PRAGMA temp_store"), try Int.fetchOne(db, sql: "PRAGMA cache_size")]
        }
        #expect(reader == [0, -2_000])
    }

    /// The search tables' function remembers recent answers; what it answers stays
    /// `SearchText.indexForm`, before and after its memory starts over.
    @Test func theRememberedSearchTextIsTheSearchText() {
        let memo = SearchTextMemo(capacity: 3)
        let names = ["AC/DC", "Sigur Rós", "坂本龍一", "AC/DC", "Guns N' Roses", "P!nk", "Sigur Rós", "AC/DC", "Björk"]
        let long = String(repeating: "Sigur Rós ", count: 100)
        for name in names + [long] + names.reversed() + [long] {
            #expect(memo.indexForm(name) == SearchText.indexForm(name), "\(name)")
        }
    }

    @Test func rowMappersReadColumnsInTableOrder() throws {
        let directory = try TemporaryDirectory(prefix: "canto-store")
        let database = try CantoDatabase(dataDirectory: directory.url)
        for (table, mapped) in CatalogRepository.mappedColumns {
            let columns = try database.pool.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
            }
            #expect(Array(columns.prefix(mapped.count)) == mapped, "columns of \(table)")
        }
    }

    /// Every lookup the end of a scan makes for each album, artist, genre and artwork goes through
    /// an index: a full scan of the tracks for each would be hours at a million tracks.
    @Test func theEndOfAScanLooksEveryRowUpByIndex() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-db")
        let database = try CantoDatabase(dataDirectory: directory.url)
        let lookups = [
            "SELECT 1 FROM track WHERE track.album_id = ?", "SELECT 1 FROM track WHERE artwork_id = ?",
            "SELECT 1 FROM track_artist WHERE artist_id = ?", "SELECT 1 FROM album WHERE album_artist_id = ?",
            "SELECT 1 FROM track_genre WHERE genre_id = ?",
        ]
        for lookup in lookups {
            let plan = try await database.pool.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + lookup, arguments: ["x"])
                    .map { $0["detail"] as String }
            }
            #expect(plan.contains { $0.contains("USING") && $0.contains("INDEX") }, "\(lookup): \(plan)")
        }
    }

    /// A page of the artist index is read from the covering index, in its order: no lookup of
    /// each artist's row, no sort.
    @Test func theArtistIndexIsReadFromItsCoveringIndex() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-db")
        let database = try CantoDatabase(dataDirectory: directory.url)
        let after = Artist(
            id: ArtistID("ar1"), name: "Mo", sortName: "mo", musicBrainzID: nil, albumCount: 1, trackCount: 1)
        for page in [
            CatalogQueryRepository.artistPage(initial: "m", after: nil, limit: 1_000, scope: nil),
            CatalogQueryRepository.artistPage(initial: "m", after: after, limit: 1_000, scope: nil),
        ] {
            let plan = try await database.pool.read { db in
                let (sql, arguments) = try page.build(db)
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
                    .map { $0["detail"] as String }
            }
            #expect(plan.contains { $0.contains("COVERING INDEX artist_index") }, "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        }
    }

    /// The listener's "recent" and "frequent" albums come from the all-time rollup (a row an
    /// album), never from the listening history, which grows with every play.
    @Test func playedAlbumListsReadTheRollupNotTheHistory() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-db")
        let database = try CantoDatabase(dataDirectory: directory.url)
        for type in [AlbumListType.recent, .frequent] {
            let list = CatalogQueryRepository.albumList(
                type, user: UserID("u1"), filter: .init(nil), page: "LIMIT 20 OFFSET 0", fromYear: nil, toYear: nil,
                genre: nil)
            let plan = try await database.pool.read { db in
                let (sql, arguments) = try list.build(db)
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
                    .map { $0["detail"] as String }
            }
            #expect(!plan.contains { $0.contains(" play ") || $0.hasSuffix(" play") }, "\(type): \(plan)")
            #expect(plan.contains { $0.hasPrefix("SEARCH played USING") }, "\(type): \(plan)")
        }
    }

    /// The pool's readers map the file (up to SQLite's own limit), as configured; the writer and
    /// the quick readers read pages with read calls.
    @Test(arguments: [CantoDatabase.defaultMappedBytes, 1_048_576, 0])
    func theReadersMapAsMuchOfTheFileAsConfigured(bytes: Int64) throws {
        let folder = try TemporaryDirectory(prefix: "canto-map")
        let database = try CantoDatabase(dataDirectory: folder.url, mappedBytes: bytes)
        let sql = "PRAGMA mmap_size"
        let reader = try #require(try database.pool.read { db in try Int64.fetchOne(db, sql: sql) })
        // SQLite holds a map to its compile-time limit (just under 2 GB here).
        #expect(bytes == 0 ? reader == 0 : reader > 0 && reader <= bytes, "\(reader)")
        if bytes == 1_048_576 { #expect(reader == bytes) }
        #expect(try database.pool.write { db in try Int64.fetchOne(db, sql: sql) } == 0)
        #expect(try database.quick.read { db in try Int64.fetchOne(db, sql: sql) } == 0)
    }

    @Test func newDatabaseFileIsInWALModeAndMigrated() throws {
        let directory = try TemporaryDirectory(prefix: "canto-store")
        let data = directory.appending("data/nested")
        let database = try CantoDatabase(dataDirectory: data)

        #expect(database.path == data.appendingPathComponent("canto.db").path)
        #expect(FileManager.default.fileExists(atPath: database.path))
        #expect(FileManager.default.fileExists(atPath: database.path + "-wal"))
        #expect(try database.journalMode() == "wal")
        #expect(try database.appliedMigrations() == Migrations.migrator.migrations)
    }

    @Test func reopeningAppliesNothingAndKeepsData() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-store")
        do {
            let database = try CantoDatabase(dataDirectory: directory.url)
            let migrated = try database.totalChanges()
            try await CatalogRepository(database: database).syncLibraries(
                [
                    Library(id: LibraryID("l1"), name: "Music", path: "/music")
                ], source: "local")
            // The library is one more row.
            #expect(try database.totalChanges() == migrated + 1)
        }
        let reopened = try CantoDatabase(dataDirectory: directory.url)
        #expect(try reopened.totalChanges() == 0)
        #expect(try reopened.appliedMigrations() == Migrations.migrator.migrations)
        #expect(try await CatalogRepository(database: reopened).libraries().map(\.name) == ["Music"])
    }

    @Test func totalChangesCountsRowsWritten() async throws {
        let catalog = try await TestCatalog()
        let before = try catalog.database.totalChanges()
        let write = catalog.write(path: "A/1.m4a", title: "One")
        try await catalog.apply([write])
        let afterApply = try catalog.database.totalChanges()
        #expect(afterApply > before)
        // A play writes one row: the track's play count (the catalog version stays).
        try await catalog.repository.recordPlay(of: write.track.id)
        #expect(try catalog.database.totalChanges() == afterApply + 1)
        // Reads change nothing.
        _ = try await catalog.repository.track(write.track.id)
        _ = try await catalog.repository.counts()
        #expect(try catalog.database.totalChanges() == afterApply + 1)
    }
}
