import CantoCore
import CantoStore
import Foundation
import GRDB
import Testing

@Suite struct HistoryRepositoryTests {
    /// Records plays of tracks t0, t1… started at the given offsets (seconds), in that order.
    static func record(_ starts: [Double], by user: User, in store: TestAccounts) async throws -> [Play] {
        var plays: [Play] = []
        for (index, start) in starts.enumerated() {
            plays.append(
                try await store.history.recordPlay(
                    user: user.id, track: TrackID("t\(index)"), startedAt: TestAccounts.date(start),
                    secondsPlayed: 10 * (index + 1), client: index.isMultiple(of: 2) ? "web" : nil,
                    scrobble: index.isMultiple(of: 3)))
        }
        return plays
    }

    @Test func aRecordedPlayIsTheStoredPlay() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let plays = try await Self.record([100, 50], by: ana, in: store)
        #expect(
            plays[0]
                == Play(
                    id: plays[0].id, userID: ana.id, trackID: TrackID("t0"), startedAt: TestAccounts.date(100),
                    secondsPlayed: 10, client: "web", scrobble: true))
        #expect(plays[1].id > plays[0].id)
        #expect(plays[1].client == nil && plays[1].scrobble == false && plays[1].secondsPlayed == 20)
        #expect(try await store.history.plays(of: ana.id, from: nil, to: nil, offset: 0, limit: 10) == plays)
    }

    /// A hostile file's GENRE tag can hold tens of thousands of values, each a rollup row of seven
    /// values a play: more than one SQLite statement takes (Debian's build allows 250,000). The play
    /// is stored, and counted for each genre.
    @Test func aPlayOfATrackWithTensOfThousandsOfGenresIsCounted() async throws {
        let catalog = try await TestCatalog()
        let genres = (0..<40_000).map { "Genre \($0)" }
        let write = catalog.write(path: "many/1.flac", title: "Many", genres: genres)
        try await catalog.apply([write])
        let user = User(
            id: UserID("u-ana"), username: "ana", displayName: "Ana", email: nil, role: .user, maxBitrate: nil,
            libraryIDs: nil, canDownload: true, canShare: false, createdAt: TestAccounts.date(1), lastSeenAt: nil)
        try await AccountRepository(database: catalog.database).createUser(
            user, passwordHash: TestAccounts.passwordHash("ana"), sealedAppPassword: TestAccounts.sealed("ana"))
        let play = try await HistoryRepository(database: catalog.database).recordPlay(
            user: user.id, track: write.track.id, startedAt: TestAccounts.date(100), secondsPlayed: 1,
            client: nil, scrobble: true)
        #expect(play.trackID == write.track.id)
        let counted = try await catalog.database.pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM stat_item_total WHERE user_id = ? AND kind = 'g' AND plays = 1",
                arguments: [user.id.rawValue])
        }
        #expect(counted == 40_000)
    }

    /// A plugin's import is not bounded by the APIs: plays of absurd length are counted for a
    /// week each, so their sums (in Swift, in a batch) cannot trap and their sessions read back.
    @Test func importedPlaysOfAbsurdLengthAreCountedForAWeek() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let result = try await store.history.importPlays(
            [
                (TrackID("t1"), TestAccounts.date(100), Int.max, true, "import"),
                (TrackID("t1"), TestAccounts.date(200), Int.max - 1, true, "import"),
                (TrackID("t2"), TestAccounts.date(300), -5, false, "import"),
            ], of: ana.id)
        #expect(result == (3, 0))
        let plays = try await store.history.plays(of: ana.id, from: nil, to: nil, offset: 0, limit: 10)
        #expect(plays.map(\.secondsPlayed).sorted() == [0, 604_800, 604_800])
        let sums = try await store.database.pool.read { db in
            (
                try Int.fetchOne(
                    db, sql: "SELECT seconds FROM stat_item_total WHERE user_id = ? AND kind = 't' AND item = 't1'",
                    arguments: [ana.id.rawValue]),
                try Date.fetchOne(
                    db, sql: "SELECT max(ended_at) FROM stat_session WHERE user_id = ?", arguments: [ana.id.rawValue])
            )
        }
        #expect(sums.0 == 2 * 604_800)
        #expect(sums.1 == TestAccounts.date(200).addingTimeInterval(604_800))
    }

    @Test func playsComeNewestFirstAndPage() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bo = try await store.addUser("bo")
        let plays = try await Self.record([30, 10, 50, 20, 40, 50], by: ana, in: store)
        _ = try await Self.record([35], by: bo, in: store)
        // Newest first; of the two at 50, the one recorded last first.
        let expected = [plays[5], plays[2], plays[4], plays[0], plays[3], plays[1]]
        #expect(try await store.history.plays(of: ana.id, from: nil, to: nil, offset: 0, limit: 100) == expected)
        #expect(
            try await store.history.plays(of: ana.id, from: nil, to: nil, offset: 0, limit: 2) == [plays[5], plays[2]])
        #expect(
            try await store.history.plays(of: ana.id, from: nil, to: nil, offset: 2, limit: 3) == Array(expected[2..<5])
        )
        #expect(try await store.history.plays(of: ana.id, from: nil, to: nil, offset: 5, limit: 3) == [plays[1]])
        #expect(try await store.history.plays(of: ana.id, from: nil, to: nil, offset: 6, limit: 3).isEmpty)
        #expect(try await store.history.playCount(of: ana.id, from: nil, to: nil) == 6)
        #expect(try await store.history.playCount(of: bo.id, from: nil, to: nil) == 1)
    }

    @Test func dateFiltersAreHalfOpen() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let plays = try await Self.record([10, 20, 30, 40], by: ana, in: store)
        let from = TestAccounts.date(20)
        let to = TestAccounts.date(40)
        #expect(
            try await store.history.plays(of: ana.id, from: from, to: to, offset: 0, limit: 10) == [plays[2], plays[1]])
        #expect(try await store.history.playCount(of: ana.id, from: from, to: to) == 2)
        #expect(
            try await store.history.plays(of: ana.id, from: from, to: nil, offset: 0, limit: 10)
                == [plays[3], plays[2], plays[1]])
        #expect(try await store.history.playCount(of: ana.id, from: from, to: nil) == 3)
        #expect(
            try await store.history.plays(of: ana.id, from: nil, to: to, offset: 0, limit: 10) == [
                plays[2], plays[1], plays[0],
            ])
        #expect(try await store.history.playCount(of: ana.id, from: nil, to: to) == 3)
        // A millisecond either side of a play decides it.
        #expect(
            try await store.history.plays(
                of: ana.id, from: TestAccounts.date(20.001), to: TestAccounts.date(30.001), offset: 0, limit: 10)
                == [plays[2]])
        #expect(try await store.history.playCount(of: ana.id, from: to, to: from) == 0)
        // Paging within a range.
        #expect(try await store.history.plays(of: ana.id, from: from, to: nil, offset: 1, limit: 1) == [plays[2]])
    }

    @Test func deletingOnePlayChecksTheOwner() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bo = try await store.addUser("bo")
        let plays = try await Self.record([1, 2], by: ana, in: store)
        #expect(try await store.history.deletePlay(plays[0].id, owner: bo.id) == false)
        #expect(try await store.history.deletePlay(plays[0].id, owner: ana.id))
        #expect(try await store.history.deletePlay(plays[0].id, owner: ana.id) == false)
        #expect(try await store.history.plays(of: ana.id, from: nil, to: nil, offset: 0, limit: 10) == [plays[1]])
    }

    @Test func deletingARangeCountsWhatWent() async throws {
        let store = try await TestAccounts()
        let ana = try await store.addUser("ana")
        let bo = try await store.addUser("bo")
        let plays = try await Self.record([10, 20, 30, 40, 50], by: ana, in: store)
        let bos = try await Self.record([20, 30], by: bo, in: store)
        let deleted = try await store.history.deletePlays(
            of: ana.id, from: TestAccounts.date(20), to: TestAccounts.date(40))
        #expect(deleted == 2)
        #expect(
            try await store.history.plays(of: ana.id, from: nil, to: nil, offset: 0, limit: 10)
                == [plays[4], plays[3], plays[0]])
        #expect(try await store.history.deletePlays(of: ana.id, from: TestAccounts.date(45), to: nil) == 1)
        #expect(try await store.history.deletePlays(of: ana.id, from: nil, to: TestAccounts.date(15)) == 1)
        #expect(try await store.history.deletePlays(of: ana.id, from: nil, to: nil) == 1)
        #expect(try await store.history.playCount(of: ana.id, from: nil, to: nil) == 0)
        #expect(try await store.history.plays(of: bo.id, from: nil, to: nil, offset: 0, limit: 10) == bos.reversed())
    }

    @Test func historyNeedsAUserButNotACatalogTrack() async throws {
        let store = try await TestAccounts()
        await #expect(throws: NotFoundOrForbidden()) {
            try await store.history.recordPlay(
                user: UserID("u-ghost"), track: TrackID("t1"), startedAt: TestAccounts.date(0), secondsPlayed: 1,
                client: nil, scrobble: false)
        }
        // No track is in the catalog: plays name tracks without a foreign key, so a rescan
        // that drops a file keeps its history.
        let ana = try await store.addUser("ana")
        let play = try await store.history.recordPlay(
            user: ana.id, track: TrackID("t-not-in-catalog"), startedAt: TestAccounts.date(0), secondsPlayed: 1,
            client: nil, scrobble: false)
        #expect(try await store.history.plays(of: ana.id, from: nil, to: nil, offset: 0, limit: 1) == [play])
    }
}
