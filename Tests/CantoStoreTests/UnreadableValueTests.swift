import CantoCore
import CantoTestSupport
import Foundation
import GRDB
import Testing

@testable import CantoStore

/// No input may be stored that cannot be read back, and no row read may trap: a date the
/// database cannot hold is refused at the write (`DomainError.invalid`, nothing stored), and a
/// row that already holds one (an older version's, a hand edit) makes its reads throw
/// `StoredValueUnreadable`. Were a read to trap, this test process would die: every read test
/// passing is itself the proof that none does.
@Suite struct UnreadableValueTests {
    /// Instants outside what the database's date text reads back (or outside `StoredTime`).
    static let unstorable: [Instant] = [
        // A Subsonic scrobble `time` 1000 times too large: 58892-09-06 00:00 UTC.
        Instant(1_796_306_371_200),
        // `expires=9223372036854775807` milliseconds: stored as an empty date.
        Instant(9.2e18 / 1000),
        Instant(.infinity),
        Instant(-.infinity),
        Instant(.nan),
        // The year 1 (`Date.distantFuture`, the year 4001, reads back and is stored).
        Instant(Date.distantPast.timeIntervalSince1970),
        // One second past 9999-12-31 23:59:59 UTC, one before 1970.
        Instant(StoredTime.latest.timeIntervalSince1970 + 1),
        Instant(-1),
    ]

    /// A test argument's date, described by its seconds: Foundation's `Date.description`
    /// traps on an infinite or NaN date, and Swift Testing describes every argument.
    struct Instant: Sendable, CustomTestStringConvertible {
        let seconds: Double
        init(_ seconds: Double) { self.seconds = seconds }
        var date: Date { Date(timeIntervalSince1970: seconds) }
        var testDescription: String { "\(seconds) s after 1970" }
    }

    /// What a date column can hold that GRDB cannot decode as a `Date`.
    static let unreadable = ["58892-09-06 00:00:00.000", "", "not a date"]

    // MARK: Writes refuse

    @Test(arguments: unstorable) func aPlayAtAnUnstorableInstantIsRefused(_ instant: Instant) async throws {
        let date = instant.date
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        await Self.expectInvalid("startedAt") {
            _ = try await store.history.recordPlay(
                user: ana.id, track: TrackID("t1"), startedAt: date, secondsPlayed: 30, client: nil, scrobble: true)
        }
        #expect(try await store.history.playCount(of: ana.id, from: nil, to: nil) == 0)
        #expect(try await store.history.plays(of: ana.id, from: nil, to: nil, offset: 0, limit: 10).isEmpty)
    }

    @Test(arguments: unstorable) func aShareWithAnUnstorableDateIsRefused(_ instant: Instant) async throws {
        let date = instant.date
        let store = try await TestAccounts()
        let sharing = SharingRepository(database: store.database)
        let ana = try await store.addUser("ana")
        await Self.expectInvalid("expiresAt") {
            try await sharing.createShare(Self.share(of: ana, expiresAt: date))
        }
        await Self.expectInvalid("createdAt") {
            var share = Self.share(of: ana, expiresAt: nil)
            share.createdAt = date
            try await sharing.createShare(share)
        }
        #expect(try await sharing.shares(of: ana.id).isEmpty)
        #expect(try await sharing.share(ShareID("sh-ana")) == nil)

        // An update to an unstorable expiry changes nothing; a visit at one is not recorded.
        let share = Self.share(of: ana, expiresAt: TestAccounts.date(100))
        try await sharing.createShare(share)
        await Self.expectInvalid("expiresAt") {
            _ = try await sharing.updateShare(share.id, owner: ana.id, description: "changed", expiresAt: date)
        }
        await Self.expectInvalid("lastVisitedAt") { try await sharing.recordVisit(share.id, at: date) }
        #expect(try await sharing.share(share.id) == share)
    }

    @Test(arguments: unstorable) func unstorableLibraryStateIsRefused(_ instant: Instant) async throws {
        let date = instant.date
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let good = TestAccounts.date(1)
        await Self.expectInvalid("updatedAt") {
            try await store.state.saveBookmark(
                Bookmark(trackID: TrackID("t1"), positionMs: 1, comment: nil, createdAt: good, updatedAt: date),
                of: ana.id)
        }
        await Self.expectInvalid("createdAt") {
            try await store.state.saveBookmark(
                Bookmark(trackID: TrackID("t1"), positionMs: 1, comment: nil, createdAt: date, updatedAt: good),
                of: ana.id)
        }
        #expect(try await store.state.bookmarks(of: ana.id).isEmpty)
        await Self.expectInvalid("changedAt") {
            try await store.state.savePlayQueue(
                PlayQueue(trackIDs: [TrackID("t1")], currentIndex: 0, positionMs: 0, changedAt: date, changedBy: nil),
                of: ana.id)
        }
        #expect(try await store.state.playQueue(of: ana.id) == nil)
        await Self.expectInvalid("starredAt") {
            try await store.state.setStarred(true, item: "t1", kind: .track, user: ana.id, at: date)
        }
        #expect(try await store.state.annotations(of: ana.id).isEmpty)
        // Unstarring stores no date, so it does not care what the caller's clock says.
        try await store.state.setStarred(false, item: "t1", kind: .track, user: ana.id, at: date)
        await Self.expectInvalid("createdAt") {
            try await store.state.createPlaylist(
                Playlist(id: PlaylistID("p1"), ownerID: ana.id, name: "P", createdAt: date, updatedAt: good))
        }
        #expect(try await store.state.playlists(visibleTo: ana.id).isEmpty)
    }

    @Test(arguments: unstorable) func unstorableAccountDatesAreRefused(_ instant: Instant) async throws {
        let date = instant.date
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let good = TestAccounts.date(1)
        await Self.expectInvalid("expiresAt") {
            try await store.accounts.createSession(
                Session(
                    id: SessionID("s1"), userID: ana.id, createdAt: good, expiresAt: date, lastUsedAt: good,
                    client: nil, address: nil), tokenHash: "token")
        }
        #expect(try await store.accounts.sessions(of: ana.id).isEmpty)
        await Self.expectInvalid("createdAt") {
            try await store.accounts.createAPIKey(
                APIKey(id: APIKeyID("k1"), userID: ana.id, name: "phone", createdAt: date, lastUsedAt: nil),
                keyHash: "key")
        }
        #expect(try await store.accounts.apiKeys(of: ana.id).isEmpty)
        await Self.expectInvalid("lastSeenAt") { try await store.accounts.touch(ana.id, at: date) }
        await Self.expectInvalid("at") {
            try await store.accounts.record(.loginSucceeded, actor: ana.id, subject: nil, address: nil, at: date)
        }
        #expect(try await store.accounts.auditEvents(offset: 0, limit: 10).isEmpty)
        #expect(try await store.accounts.user(ana.id) == ana)
    }

    @Test(arguments: unstorable) func anUnstorableFileTimeRollsTheBatchBack(_ instant: Instant) async throws {
        let date = instant.date
        let catalog = try await TestCatalog()
        var bad = catalog.write(path: "a/2.m4a", title: "Two")
        bad.track.modifiedAt = date
        await Self.expectInvalid("modifiedAt") {
            try await catalog.apply([catalog.write(path: "a/1.m4a", title: "One"), bad])
        }
        #expect(try await catalog.repository.counts().tracks == 0)
    }

    /// The range's own ends are stored and read back exactly: the check refuses no honest time.
    @Test func theEndsOfTheRangeReadBack() async throws {
        let store = try await TestAccounts()
        let sharing = SharingRepository(database: store.database)
        let ana = try await store.addUser("ana")
        var share = Self.share(of: ana, expiresAt: StoredTime.latest)
        share.createdAt = StoredTime.earliest
        try await sharing.createShare(share)
        #expect(try await sharing.share(share.id) == share)
        let play = try await store.history.recordPlay(
            user: ana.id, track: TrackID("t1"), startedAt: StoredTime.latest, secondsPlayed: 1, client: nil,
            scrobble: false)
        #expect(play.startedAt == StoredTime.latest)
    }

    // MARK: Reads of an unreadable row throw

    @Test(arguments: unreadable) func anUnreadablePlayFailsTheHistory(_ value: String) async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let play = try await store.history.recordPlay(
            user: ana.id, track: TrackID("t1"), startedAt: TestAccounts.date(1), secondsPlayed: 1, client: nil,
            scrobble: true)
        try await Self.corrupt(store.database, "UPDATE play SET started_at = ? WHERE id = ?", [value, play.id])
        await Self.expectUnreadable("play", "started_at") {
            _ = try await store.history.plays(of: ana.id, from: nil, to: nil, offset: 0, limit: 10)
        }
        // Counting and deleting do not decode the row: the owner can still clear it.
        #expect(try await store.history.playCount(of: ana.id, from: nil, to: nil) == 1)
        #expect(try await store.history.deletePlay(play.id, owner: ana.id))
        #expect(try await store.history.plays(of: ana.id, from: nil, to: nil, offset: 0, limit: 10).isEmpty)
    }

    @Test(arguments: unreadable) func anUnreadableShareFailsItsReads(_ value: String) async throws {
        let store = try await TestAccounts()
        let sharing = SharingRepository(database: store.database)
        let ana = try await store.addUser("ana")
        let share = Self.share(of: ana, expiresAt: TestAccounts.date(100))
        try await sharing.createShare(share)
        for column in ["expires_at", "created_at", "last_visited_at"] {
            try await Self.corrupt(
                store.database, "UPDATE share SET \(column) = ? WHERE id = ?", [value, share.id.rawValue])
            // The public link's lookup (anonymous) and the owner's list.
            await Self.expectUnreadable("share", column) { _ = try await sharing.share(share.id) }
            await Self.expectUnreadable("share", column) { _ = try await sharing.shares(of: ana.id) }
            try await Self.corrupt(
                store.database, "UPDATE share SET created_at = ?, expires_at = ?, last_visited_at = NULL",
                [share.createdAt, share.expiresAt])
            #expect(try await sharing.share(share.id) == share)
        }
        #expect(try await sharing.deleteShare(share.id, owner: ana.id))
    }

    @Test(arguments: unreadable) func unreadableAccountRowsFailTheirReads(_ value: String) async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let owned = try await OwnedData.give(ana, in: store)

        try await Self.corrupt(store.database, "UPDATE session SET expires_at = ?", [value])
        await Self.expectUnreadable("session", "expires_at") {
            _ = try await store.accounts.session(tokenHash: owned.sessionTokenHash)
        }
        await Self.expectUnreadable("session", "expires_at") { _ = try await store.accounts.sessions(of: ana.id) }

        try await Self.corrupt(store.database, "UPDATE api_key SET last_used_at = ?", [value])
        await Self.expectUnreadable("api_key", "last_used_at") {
            _ = try await store.accounts.apiKey(hash: owned.apiKeyHash)
        }
        await Self.expectUnreadable("api_key", "last_used_at") { _ = try await store.accounts.apiKeys(of: ana.id) }

        try await Self.corrupt(store.database, "UPDATE user SET last_seen_at = ?", [value])
        await Self.expectUnreadable("user", "last_seen_at") { _ = try await store.accounts.user(ana.id) }
        await Self.expectUnreadable("user", "last_seen_at") { _ = try await store.accounts.users() }
        await Self.expectUnreadable("user", "last_seen_at") {
            _ = try await store.accounts.userWithSealedAppPassword(username: "ana")
        }

        try await store.accounts.record(
            .loginSucceeded, actor: ana.id, subject: nil, address: nil, at: TestAccounts.date(1))
        try await Self.corrupt(store.database, "UPDATE audit_event SET at = ?", [value])
        await Self.expectUnreadable("audit_event", "at") {
            _ = try await store.accounts.auditEvents(offset: 0, limit: 9)
        }
    }

    @Test(arguments: unreadable) func unreadableLibraryStateFailsItsReads(_ value: String) async throws {
        let store = try await TestAccounts()
        let queries = CatalogQueryRepository(database: store.database)
        let ana = try await store.addUser("ana")
        let owned = try await OwnedData.give(ana, in: store)

        try await Self.corrupt(store.database, "UPDATE bookmark SET updated_at = ?", [value])
        await Self.expectUnreadable("bookmark", "updated_at") { _ = try await store.state.bookmarks(of: ana.id) }

        try await Self.corrupt(store.database, "UPDATE play_queue SET changed_at = ?", [value])
        await Self.expectUnreadable("play_queue", "changed_at") { _ = try await store.state.playQueue(of: ana.id) }

        try await Self.corrupt(store.database, "UPDATE playlist SET created_at = ?", [value])
        await Self.expectUnreadable("playlist", "created_at") {
            _ = try await store.state.playlist(owned.privatePlaylist, viewer: ana.id)
        }
        await Self.expectUnreadable("playlist", "created_at") { _ = try await store.state.playlists(visibleTo: ana.id) }

        try await Self.corrupt(
            store.database, "UPDATE annotation SET starred_at = ? WHERE starred_at IS NOT NULL", [value])
        await Self.expectUnreadable("annotation", "starred_at") { _ = try await store.state.annotations(of: ana.id) }
        // The song lists' path: the user's annotations kept in memory, read on the caller's thread.
        await Self.expectUnreadable("annotation", "starred_at") {
            _ = try await store.state.annotations(of: ana.id, items: [owned.starredItem])
        }
        await Self.expectUnreadable("annotation", "starred_at") {
            _ = try await queries.annotation(of: owned.starredItem, user: ana.id)
        }
    }

    @Test(arguments: unreadable) func unreadableCatalogRowsFailTheirReads(_ value: String) async throws {
        let catalog = try await TestCatalog()
        let queries = CatalogQueryRepository(database: catalog.database)
        let write = catalog.write(path: "a/1.m4a", title: "One")
        try await catalog.apply([write])
        let track = write.track

        try await Self.corrupt(catalog.database, "UPDATE track SET modified_at = ?", [value])
        await Self.expectUnreadable("track", "modified_at") { _ = try await catalog.repository.track(track.id) }
        await Self.expectUnreadable("track", "modified_at") {
            _ = try await catalog.repository.knownFiles(in: catalog.library.id, folder: "a")
        }
        await Self.expectUnreadable("track", "modified_at") {
            _ = try await catalog.repository.tracks(inAlbum: track.albumID)
        }

        try await Self.corrupt(catalog.database, "UPDATE album SET created_at = ?", [value])
        await Self.expectUnreadable("album", "created_at") { _ = try await catalog.repository.album(track.albumID) }
        // The whole-catalog album lists are built in memory from every album row.
        await Self.expectUnreadable("album", "created_at") {
            _ = try await queries.albumList(
                .newest, user: UserID("u"), scope: nil, offset: 0, limit: 10, fromYear: nil, toYear: nil, genre: nil)
        }
    }

    /// The log line names the column and never the row's values (a token hash, here).
    @Test func theErrorNamesTheColumnAndNotTheRow() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let owned = try await OwnedData.give(ana, in: store)
        try await Self.corrupt(store.database, "UPDATE session SET expires_at = '58892-09-06 00:00:00'", [])
        let error = await #expect(throws: StoredValueUnreadable.self) {
            _ = try await store.accounts.session(tokenHash: owned.sessionTokenHash)
        }
        let description = try #require(error).description
        #expect(description.contains("session.expires_at"))
        #expect(description.contains("text") && description.contains("Date"))
        #expect(!description.contains(owned.sessionTokenHash) && !description.contains("58892"))
    }

    /// A NULL where a value is wanted, a missing column and a position past the row's end throw
    /// too, each naming what was asked for.
    @Test func storedRowThrowsForNullMissingColumnAndPosition() throws {
        let queue = try DatabaseQueue()
        let found = try queue.read { db in try Row.fetchOne(db, sql: "SELECT NULL AS name, 'x' AS other") }
        let row = StoredRow(try #require(found), table: "t")
        #expect(try row["name"] as String? == nil)
        #expect(try row["missing"] as String? == nil)
        #expect(try row[1] as String == "x")
        let null = #expect(throws: StoredValueUnreadable.self) { try row["name"] as String }
        #expect(null == StoredValueUnreadable(table: "t", column: "name", type: "String", stored: "NULL"))
        let nullByIndex = #expect(throws: StoredValueUnreadable.self) { try row[0] as Date }
        #expect(nullByIndex == StoredValueUnreadable(table: "t", column: "name", type: "Date", stored: "NULL"))
        let missing = #expect(throws: StoredValueUnreadable.self) { try row["missing"] as String }
        #expect(missing == StoredValueUnreadable(table: "t", column: "missing", type: "String", stored: "nothing"))
        let past = #expect(throws: StoredValueUnreadable.self) { try row[2] as Int }
        #expect(past == StoredValueUnreadable(table: "t", column: "#2", type: "Int", stored: "nothing"))
        #expect(throws: StoredValueUnreadable.self) { try row[-1] as Int }
    }

    // MARK: Helpers

    static func share(of user: User, expiresAt: Date?) -> Share {
        Share(
            id: ShareID("sh-\(user.username)"), ownerID: user.id, description: "shared", trackIDs: [TrackID("t1")],
            createdAt: TestAccounts.date(1), expiresAt: expiresAt)
    }

    /// Writes past the store, as an older version or a hand edit could have.
    static func corrupt(_ database: CantoDatabase, _ sql: String, _ arguments: StatementArguments) async throws {
        try await database.pool.write { db in try db.execute(sql: sql, arguments: arguments) }
    }

    static func expectInvalid(
        _ field: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
    ) async {
        let error = await #expect(throws: DomainError.self, sourceLocation: sourceLocation) { try await body() }
        #expect(error?.kind == .invalid(field: field), sourceLocation: sourceLocation)
    }

    static func expectUnreadable(
        _ table: String, _ column: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> Void
    ) async {
        let error = await #expect(throws: StoredValueUnreadable.self, sourceLocation: sourceLocation) {
            try await body()
        }
        #expect(error?.table == table, sourceLocation: sourceLocation)
        #expect(error?.column == column, sourceLocation: sourceLocation)
    }
}
