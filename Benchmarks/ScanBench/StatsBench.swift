import CantoCore
import CantoDomain
import CantoStore
import Foundation
import GRDB

/// `canto-bench stats --plays N [--users U] [--tracks T] [--queries Q]`: a database with a catalog
/// of T tracks (1/10 as many albums, 1/50 as many artists, 40 genres) and N plays by U listeners
/// over three years (popularity a power law, a few heavy listeners), written straight into SQLite;
/// then the rollups rebuilt from the raw history (their cost per play), plays recorded the way the
/// server records them (with their rollups), and Q questions of every stats page for the heaviest
/// listener and the household, each timed.
enum StatsBench {
    static func run(plays: Int, users: Int, tracks: Int, queries: Int, keep: String?) async throws {
        let directory =
            keep.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("canto-bench-stats-\(UUID())")
        // With --keep DIR, a database left there by an earlier run is questioned again as it is.
        let reuse =
            keep != nil && FileManager.default.fileExists(atPath: directory.appendingPathComponent("canto.db").path)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: directory) } }
        let database = try CantoDatabase(dataDirectory: directory)
        // The middle of a month in the middle of a year: the last 30 days are two half months,
        // the last twelve months half of two years.
        let now = Date(timeIntervalSince1970: 1_781_524_800)  // 15 June 2026, noon UTC
        let userIDs = (0..<users).map { UserID("u\($0)") }
        if !reuse {
            try await generate(database, plays: plays, users: userIDs, tracks: tracks, now: now)
        }
        try await question(database, users: userIDs, tracks: tracks, queries: queries, now: now, record: !reuse)
    }

    static func generate(_ database: CantoDatabase, plays: Int, users userIDs: [UserID], tracks: Int, now: Date)
        async throws
    {
        let users = userIDs.count
        var started = ContinuousClock.now
        try await database.pool.write { db in
            try BenchCatalog.write(db, tracks: tracks, now: now)
            for (index, user) in userIDs.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO user (id, username, display_name, role, password_hash, app_password, created_at)
                        VALUES (?, ?, ?, 'user', 'x', x'00', ?)
                        """, arguments: [user.rawValue, "listener\(index)", "Listener \(index)", now])
                try db.execute(
                    sql: """
                        INSERT INTO user_preferences (user_id, stream_format, max_bitrate, theme, language, scrobbling,
                            listening_visible, time_zone)
                        VALUES (?, 'raw', 0, 'auto', 'en', 1, ?, ?)
                        """,
                    arguments: [user.rawValue, index % 3 != 2, ["Europe/Oslo", "America/New_York", "UTC"][index % 3]])
            }
            // Plays: the first listener plays a fifth of everything; sessions of a few tracks,
            // popular tracks (a power law) more often, one play in eight skipped.
            let insertPlay = try db.makeStatement(
                sql: """
                    INSERT INTO play (user_id, track_id, started_at, seconds_played, client, scrobble)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """)
            var random = SplitMix64(seed: 42)
            let span = 3 * 365 * 86_400.0
            var time = now.addingTimeInterval(-span)
            let step = span / Double(max(1, plays))
            for index in 0..<plays {
                let user =
                    Double.random(in: 0..<1, using: &random) < 0.2 ? 0 : Int.random(in: 0..<users, using: &random)
                let rank = Int(pow(Double.random(in: 0..<1, using: &random), 3) * Double(tracks))
                let skipped = Double.random(in: 0..<1, using: &random) < 0.125
                time = time.addingTimeInterval(step)
                try insertPlay.execute(arguments: [
                    userIDs[user].rawValue, "t\(min(tracks - 1, rank))", time, skipped ? 12 : 240,
                    ["web", "DSub", "Symfonium", "Feishin"][index % 4], !skipped,
                ])
            }
        }
        print(
            String(
                format: "database:          %d tracks, %d listeners, %d plays written in %.1f s", tracks, users, plays,
                (ContinuousClock.now - started) / .seconds(1)))
        let store = StatsRepository(database: database)
        started = ContinuousClock.now
        let rolled = try await store.rebuild(user: nil)
        let rebuild = (ContinuousClock.now - started) / .seconds(1)
        print(
            String(
                format: "rollups rebuilt:   %d plays in %.1f s = %.3f ms a play", rolled, rebuild,
                rebuild * 1000 / Double(max(1, rolled))))
        let size = (try? FileManager.default.attributesOfItem(atPath: database.path)[.size] as? Int) ?? 0
        print(String(format: "database size:     %.0f MB", Double(size) / 1_048_576))
    }

    static func question(
        _ database: CantoDatabase, users userIDs: [UserID], tracks: Int, queries: Int, now: Date, record: Bool
    )
        async throws
    {
        let users = userIDs.count
        let store = StatsRepository(database: database)

        // Recording plays as the server does (the play, its count, its event, its rollups).
        let history = HistoryRepository(database: database)
        var recordTimes: [Double] = []
        for index in 0..<(record ? 2_000 : 0) {
            let started = ContinuousClock.now
            _ = try await history.recordPlay(
                user: userIDs[index % users], track: TrackID("t\(index % tracks)"),
                startedAt: now.addingTimeInterval(Double(index)), secondsPlayed: 200, client: "bench",
                scrobble: index % 8 != 0)
            recordTimes.append((ContinuousClock.now - started) / .milliseconds(1))
        }
        report("record a play:     ", recordTimes)

        // Every stats page, for the heaviest listener and for the household.
        let service = StatsService(store: store, users: AccountRepository(database: database), clock: ManualClock(now))

        let accounts = AccountRepository(database: database)
        guard let first = try await accounts.user(userIDs[0]) else { return }
        let catalogs = CatalogService(
            reader: CatalogRepository(database: database), queries: CatalogQueryRepository(database: database))
        let heavy = try await service.listener(catalogs.view(for: first))
        let household = try await service.household(catalogs.view(for: first))
        let periods: [StatsService.Period] = [.days(7), .days(30), .months12, .year(2025), .all]
        let periodNames = ["7 days", "30 days", "12 months", "2025", "all time"]
        var all: [Double] = []
        func timed(_ label: String, _ body: (Int) async throws -> Void) async throws {
            var times: [Double] = []
            for query in 0..<queries {
                let started = ContinuousClock.now
                try await body(query)
                times.append((ContinuousClock.now - started) / .milliseconds(1))
            }
            all += times
            report(label, times)
        }
        try await timed("listening:         ") { query in
            _ = try await service.listening(
                heavy, periods[query % periods.count], unit: [.day, .week, .month][query % 3])
        }
        // Charts, and each period's (all four kinds) on its own line.
        func charts(_ label: String, _ audience: StatsService.Audience) async throws {
            var byPeriod: [[Double]] = Array(repeating: [], count: periods.count)
            try await timed(label) { query in
                let started = ContinuousClock.now
                _ = try await service.chart(
                    audience, periods[query % periods.count], kind: ChartKind.allCases[query % 4], limit: 10)
                byPeriod[query % periods.count].append((ContinuousClock.now - started) / .milliseconds(1))
            }
            for (index, times) in byPeriod.enumerated() {
                report("  " + periodNames[index].padding(toLength: 17, withPad: " ", startingAt: 0), times)
            }
        }
        try await charts("top (4 kinds):     ", heavy)
        try await timed("habits:            ") { query in
            _ = try await service.habits(heavy, periods[query % periods.count])
        }
        try await timed("taste:             ") { query in
            _ = try await service.taste(heavy, periods[query % periods.count])
        }
        try await timed("year in review:    ") { query in
            _ = try await service.review(heavy, year: 2024 + query % 3, user: userIDs[0])
        }
        try await charts("household top:     ", household)
        report("every stats page:  ", all)
    }

    static func report(_ label: String, _ times: [Double]) {
        let sorted = times.sorted()
        guard !sorted.isEmpty else { return }
        print(
            String(
                format: "%@ p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d)", label, sorted[sorted.count / 2],
                sorted[min(sorted.count - 1, sorted.count * 99 / 100)], sorted.last ?? 0, sorted.count))
    }
}
