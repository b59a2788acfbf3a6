import CantoCore
import CantoTestSupport
import Foundation
import GRDB
import Testing

@testable import CantoStore

@Suite struct AccountMigrationTests {
    @Test func migrationsAreRegisteredInOrderAndAllApplyToAFreshFile() throws {
        #expect(
            Migrations.migrator.migrations == [
                "v1-catalog", "v2-accounts", "v3-search", "v4-sharing", "v5-catalog-version", "v6-outbox",
                "v7-sources", "v8-plugins", "v9-plugin-migrations", "v10-sonic", "v11-dislikes", "v12-stats",
                "v13-impressions", "v14-activity", "v15-item-rollups", "v16-household-rollups", "v17-plans",
                "v18-payment-events", "v19-upload-bytes", "v20-smart-playlists", "v21-search-text",
                "v22-track-artwork", "v23-artist-index", "v24-search-prefixes",
                "v25-last-played", "v26-search-best", "v27-aggregates-due", "v28-watched-versions", "v29-watched-sonic",
                "v30-watched-sessions", "v31-deferred-indexes",
            ])
        let directory = try TemporaryDirectory(prefix: "canto-migrations")
        let database = try CantoDatabase(dataDirectory: directory.url)
        #expect(try database.appliedMigrations() == Migrations.migrator.migrations)
    }

    /// A database with listening history from before the statistics gets its rollups on upgrade.
    @Test func anOlderHistoryIsRolledUpOnUpgrade() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-migrations")
        let old = try CantoDatabase(dataDirectory: directory.url, migratingUpTo: "v11-dislikes")
        try await old.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO user (id, username, display_name, role, password_hash, app_password, created_at)
                    VALUES ('u1', 'ada', 'Ada', 'user', 'x', x'00', '2026-01-01 00:00:00.000')
                    """)
            for minute in 0..<3 {
                try db.execute(
                    sql: """
                        INSERT INTO play (user_id, track_id, started_at, seconds_played, client, scrobble)
                        VALUES ('u1', 't1', ?, 200, 'app', 1)
                        """, arguments: ["2026-02-03 10:0\(minute):00.000"])
            }
        }
        let upgraded = try CantoDatabase(dataDirectory: directory.url)
        let stats = StatsRepository(database: upgraded)
        let day = LocalDay(year: 2026, month: 2, day: 3)
        let days = try await stats.days(of: [UserID("u1")], in: DayRange(day, day))
        #expect(days.map(\.totals) == [ListeningTotals(plays: 3, skips: 0, seconds: 600, firstListens: 1)])
    }

    @Test func aV1FileHasNoAccountTables() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-migrations")
        let v1 = try CantoDatabase(dataDirectory: directory.url, migratingUpTo: "v1-catalog")
        #expect(try v1.appliedMigrations() == ["v1-catalog"])
        await #expect(throws: (any Error).self) { try await AccountRepository(database: v1).userCount() }
    }

    @Test func v2UpgradesAFileHoldingACatalogAndKeepsIt() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-migrations")
        let library = Library(id: LibraryID("lib1"), name: "Music", path: "/music")
        let track: TrackID
        do {
            let v1 = try CantoDatabase(dataDirectory: directory.url, migratingUpTo: "v1-catalog")
            let writer = CatalogRepository(database: v1)
            try await v1.insertLegacyLibrary(library)
            var batch = CatalogBatch()
            let write = TrackWrite(
                track: Track(
                    id: TrackID("t1"), libraryID: library.id, folderID: FolderID("f1"), albumID: AlbumID("al1"),
                    path: "A/1.flac", suffix: "flac", size: 10, modifiedAt: TestAccounts.date(0),
                    contentHash: "h1", title: "One", album: "Album", artistName: "Artist",
                    albumArtistName: "Artist", createdAt: TestAccounts.date(0), updatedAt: TestAccounts.date(0)),
                credits: [ArtistCredit(name: "Artist", role: .artist)], genres: ["Rock"], lyrics: nil,
                syncedLyrics: nil, artwork: nil)
            batch.tracks = [write]
            try await writer.apply(batch)
            track = write.track.id
            #expect(try v1.appliedMigrations() == ["v1-catalog"])
        }

        let upgraded = try CantoDatabase(dataDirectory: directory.url)
        #expect(try upgraded.appliedMigrations() == Migrations.migrator.migrations)
        let catalog = CatalogRepository(database: upgraded)
        #expect(try await catalog.libraries() == [library])
        #expect(try await catalog.track(track)?.title == "One")
        #expect(try await catalog.genres(of: track) == ["Rock"])

        // The new tables work against the old rows: a user restricted to the existing library.
        let accounts = AccountRepository(database: upgraded)
        let user = User(
            id: UserID("u1"), username: "ana", displayName: "Ana", role: .user, libraryIDs: [library.id],
            createdAt: TestAccounts.date(0))
        try await accounts.createUser(user, passwordHash: "hash", sealedAppPassword: Data([1]))
        #expect(try await accounts.user(user.id) == user)
        let play = try await HistoryRepository(database: upgraded).recordPlay(
            user: user.id, track: track, startedAt: TestAccounts.date(5), secondsPlayed: 30, client: nil,
            scrobble: false)
        #expect(play.trackID == track)
    }
}
