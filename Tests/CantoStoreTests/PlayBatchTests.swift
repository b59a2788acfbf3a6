import CantoCore
import Foundation
import GRDB
import Testing

@testable import CantoStore

/// Plays recorded at once are written together (group commit) and their rollups summed by key
/// before they are written: the figures must be those of the same plays recorded one by one.
@Suite struct PlayBatchTests {
    /// The plays of the test: two listeners (one keeps their listening to themselves), tracks
    /// over two albums and artists and several genres, days over fourteen months (the windows
    /// move), skips, clients, and an earlier play of a track arriving after a later one (its
    /// first listen moves). A listener's plays are days apart, so no play joins two sessions.
    static func plays(_ tracks: [TrackID]) -> [(user: String, track: TrackID, at: Date, seconds: Int, scrobble: Bool)] {
        var plays: [(String, TrackID, Date, Int, Bool)] = []
        for index in 0..<40 {
            let day = Double((index * 37) % 420)
            let at = Date(timeIntervalSince1970: 1_735_689_600 + day * 86_400 + Double(index % 7) * 3_600)
            plays.append(
                (
                    index.isMultiple(of: 3) ? "u-bo" : "u-ana", tracks[index % tracks.count], at, 30 + index,
                    index % 5 != 4
                ))
        }
        // A late play of the first track, earlier than every other.
        plays.append(("u-ana", tracks[1], Date(timeIntervalSince1970: 1_735_000_000), 200, true))
        return plays
    }

    static func store() async throws -> (TestCatalog, HistoryRepository, [TrackID]) {
        let catalog = try await TestCatalog()
        var writes: [TrackWrite] = []
        for index in 0..<6 {
            writes.append(
                catalog.write(
                    path: "a\(index % 2)/\(index).flac", title: "Song \(index)", artists: ["Artist \(index % 3)"],
                    albumArtist: "Artist \(index % 2)", album: "Album \(index % 2)",
                    genres: index.isMultiple(of: 2) ? ["Rock", "Pop"] : ["Jazz"], track: index + 1,
                    year: 1985 + index * 7))
        }
        try await catalog.apply(writes)
        let accounts = AccountRepository(database: catalog.database)
        for name in ["ana", "bo"] {
            let user = User(
                id: UserID("u-\(name)"), username: name, displayName: name, email: nil, role: .user, maxBitrate: nil,
                libraryIDs: nil, canDownload: true, canShare: false, createdAt: TestAccounts.date(1), lastSeenAt: nil)
            try await accounts.createUser(
                user, passwordHash: TestAccounts.passwordHash(name), sealedAppPassword: TestAccounts.sealed(name))
        }
        var private_ = try await accounts.preferences(of: UserID("u-bo"))
        private_.listeningVisible = false
        try await accounts.setPreferences(private_, of: UserID("u-bo"))
        return (catalog, HistoryRepository(database: catalog.database), writes.map(\.track.id))
    }

    /// Every rollup table's rows, sorted, as text.
    static func rollups(_ database: CantoDatabase) async throws -> [String: [String]] {
        try await database.pool.read { db in
            var tables: [String: [String]] = [:]
            for table in StatsRollups.tables + StatsRollups.houseTables + ["stat_window", "stat_window_end"] {
                tables[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { "\($0)" }.sorted()
            }
            return tables
        }
    }

    @Test func playsRecordedAtOnceShareATransactionAndAddUpAsOneByOne() async throws {
        // One by one: a batch of one each.
        let (single, singleHistory, tracks) = try await Self.store()
        let plays = Self.plays(tracks)
        for play in plays {
            _ = try await singleHistory.recordPlay(
                user: UserID(play.user), track: play.track, startedAt: play.at, secondsPlayed: play.seconds,
                client: play.seconds.isMultiple(of: 2) ? "web" : nil, scrobble: play.scrobble)
        }
        #expect(singleHistory.playWrites == (plays.count, plays.count))
        let oneByOne = try await Self.rollups(single.database)
        #expect(oneByOne["stat_window"]?.isEmpty == false && oneByOne["stat_first"]?.count ?? 0 > 5)

        // All at once, and a play of a listener who does not exist among them, while the writer is
        // held: they queue behind the first and go in one or two batches.
        let (together, history, sameTracks) = try await Self.store()
        #expect(sameTracks == tracks)
        let release = Flag()
        let holding = Task {
            try await together.database.pool.write { db in
                try db.execute(sql: "UPDATE track SET play_count = play_count")
                release.wait()
            }
        }
        let answers = try await withThrowingTaskGroup(of: (Int, Result<Play, any Error>).self) { group in
            for (index, play) in (plays + [("u-ghost", tracks[0], plays[0].at, 10, true)]).enumerated() {
                group.addTask {
                    do {
                        return (
                            index,
                            .success(
                                try await history.recordPlay(
                                    user: UserID(play.user), track: play.track, startedAt: play.at,
                                    secondsPlayed: play.seconds, client: play.seconds.isMultiple(of: 2) ? "web" : nil,
                                    scrobble: play.scrobble))
                        )
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            // Every play has been handed in (queued, or taken by the first batch) before the writer is let go.
            let deadline = ContinuousClock.now + .seconds(30)
            while history.plays.queued < plays.count + 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(2))
            }
            #expect(history.plays.queued == plays.count + 1)
            release.set()
            var answers: [Int: Result<Play, any Error>] = [:]
            for try await (index, answer) in group { answers[index] = answer }
            return answers
        }
        try await holding.value
        #expect(history.playWrites.plays == plays.count + 1)
        #expect(history.playWrites.batches <= 2)
        // Each caller got their own play; the stranger was refused alone.
        for (index, play) in plays.enumerated() {
            let stored = try #require(try answers[index]?.get())
            #expect(stored.userID.rawValue == play.user && stored.trackID == play.track && stored.startedAt == play.at)
        }
        #expect(throws: NotFoundOrForbidden.self) { try answers[plays.count]?.get() }
        let batched = try await Self.rollups(together.database)
        for (table, rows) in oneByOne { #expect(batched[table] == rows, "\(table)") }

        // Rolled up again from the plays: the same.
        #expect(try await StatsRepository(database: together.database).rebuild(user: nil) == plays.count)
        let rebuilt = try await Self.rollups(together.database)
        for (table, rows) in oneByOne { #expect(rebuilt[table] == rows, "\(table)") }
    }

    /// Rows go in statements of a power of two of them (13 in 8, 4 and 1): none is lost or repeated.
    @Test func everyRowIsWrittenWhateverTheirNumber() async throws {
        let catalog = try await TestCatalog()
        try await catalog.database.pool.write { db in
            try db.execute(sql: "CREATE TEMP TABLE sums (k INTEGER PRIMARY KEY, n INTEGER)")
            for count in [13, 200, 1] {
                try StatsRollups.upsert(
                    into: "sums (k, n)", rows: (0..<count).map { [$0, 1] },
                    conflict: "(k) DO UPDATE SET n = n + excluded.n", db)
            }
            #expect(try Int.fetchOne(db, sql: "SELECT sum(n) FROM sums") == 214)
            #expect(try Int.fetchOne(db, sql: "SELECT n FROM sums WHERE k = 0") == 3)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM sums") == 200)
        }
    }
}

/// A flag one thread waits for and another sets.
final class Flag: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)

    func set() { semaphore.signal() }

    /// Waits up to a minute.
    func wait() { _ = semaphore.wait(timeout: .now() + 60) }
}
