public import CantoCore
public import Foundation
import GRDB

/// The listening figures from the rollups (`StatsRollups`): every query sums a few keyed rows
/// per day, month or track, never the raw history.
public struct StatsRepository: StatsStore {
    let pool: DatabasePool

    public init(database: CantoDatabase) {
        pool = database.pool
    }

    private static func users(_ users: [UserID]) -> (sql: String, arguments: StatementArguments) {
        (
            "user_id IN (\(databaseQuestionMarks(count: max(1, users.count))))",
            StatementArguments(users.isEmpty ? [""] : users.map(\.rawValue))
        )
    }

    private static func libraries(_ libraries: Set<LibraryID>?, column: String) -> (
        sql: String, arguments: StatementArguments
    ) {
        guard let libraries else { return ("1", []) }
        let sorted = libraries.map(\.rawValue).sorted()
        return (
            "\(column) IN (\(databaseQuestionMarks(count: max(1, sorted.count))))",
            StatementArguments(sorted.isEmpty ? [""] : sorted)
        )
    }

    /// Each track's counted plays and listening time over the range: whole months from the month
    /// rollup, the days at either end from the day rollup.
    private static func perTrack(_ users: [UserID], _ range: DayRange) -> (sql: String, arguments: StatementArguments) {
        let who = Self.users(users)
        let split = range.split
        var parts: [String] = []
        var arguments = StatementArguments()
        if let months = split.months {
            parts.append(
                "SELECT track_id, plays, skips, seconds FROM stat_track_month WHERE \(who.sql) AND month BETWEEN ? AND ?"
            )
            arguments += who.arguments
            arguments += [months.lowerBound, months.upperBound]
        }
        for days in split.days {
            parts.append(
                "SELECT track_id, plays, skips, seconds FROM stat_track_day WHERE \(who.sql) AND day BETWEEN ? AND ?")
            arguments += who.arguments
            arguments += [days.first.number, days.last.number]
        }
        return (
            """
            SELECT track_id, sum(plays) AS plays, sum(skips) AS skips, sum(seconds) AS seconds
            FROM (\(parts.joined(separator: " UNION ALL "))) GROUP BY track_id
            """, arguments
        )
    }

    public func days(of users: [UserID], in range: DayRange) async throws -> [(day: LocalDay, totals: ListeningTotals)]
    {
        let who = Self.users(users)
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT day, sum(plays), sum(skips), sum(seconds), sum(first_listens) FROM stat_hour
                    WHERE \(who.sql) AND day BETWEEN ? AND ? GROUP BY day ORDER BY day
                    """, arguments: who.arguments + [range.first.number, range.last.number]
            ).map { row in
                let row = StoredRow(row, table: "stat_hour")
                return (
                    LocalDay(try row[0]),
                    ListeningTotals(plays: try row[1], skips: try row[2], seconds: try row[3], firstListens: try row[4])
                )
            }
        }
    }

    public func heatmap(of users: [UserID], in range: DayRange) async throws -> [[Int]] {
        let who = Self.users(users)
        return try await pool.read { db in
            var grid = [[Int]](repeating: [Int](repeating: 0, count: 24), count: 7)
            // 1970-01-01 (day 0) was a Thursday: weekday 3 with Monday 0.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT ((day % 7) + 10) % 7, hour, sum(plays) FROM stat_hour
                    WHERE \(who.sql) AND day BETWEEN ? AND ? GROUP BY 1, 2
                    """, arguments: who.arguments + [range.first.number, range.last.number])
            for found in rows {
                let row = StoredRow(found, table: "stat_hour")
                let weekday: Int = try row[0]
                let hour: Int = try row[1]
                guard (0..<7).contains(weekday), (0..<24).contains(hour) else { continue }
                grid[weekday][hour] += try row[2] as Int
            }
            return grid
        }
    }

    public func chart(
        _ kind: ChartKind, of users: [UserID], in range: DayRange, libraries: Set<LibraryID>?, limit: Int
    ) async throws -> [ChartEntry] {
        let source = Self.perTrack(users, range)
        let scope = Self.libraries(libraries, column: "t.library_id")
        let select: String
        switch kind {
        case .tracks:
            select = """
                SELECT t.id, t.title, t.artist_name, sum(x.plays) AS p, sum(x.seconds) AS s
                FROM (\(source.sql)) x JOIN track t ON t.id = x.track_id
                WHERE \(scope.sql) GROUP BY t.id
                """
        case .artists:
            select = """
                SELECT a.id, a.name, NULL, sum(x.plays) AS p, sum(x.seconds) AS s
                FROM (\(source.sql)) x JOIN track t ON t.id = x.track_id
                JOIN track_artist ta ON ta.track_id = t.id AND ta.role = 'artist' AND ta.position = 0
                JOIN artist a ON a.id = ta.artist_id
                WHERE \(scope.sql) GROUP BY a.id
                """
        case .albums:
            select = """
                SELECT al.id, al.title, al.album_artist_name, sum(x.plays) AS p, sum(x.seconds) AS s
                FROM (\(source.sql)) x JOIN track t ON t.id = x.track_id JOIN album al ON al.id = t.album_id
                WHERE \(scope.sql) GROUP BY al.id
                """
        case .genres:
            select = """
                SELECT g.id, g.name, NULL, sum(x.plays) AS p, sum(x.seconds) AS s
                FROM (\(source.sql)) x JOIN track t ON t.id = x.track_id
                JOIN track_genre tg ON tg.track_id = t.id JOIN genre g ON g.id = tg.genre_id
                WHERE \(scope.sql) GROUP BY g.id
                """
        }
        return try await pool.read { db in
            try Row.fetchAll(
                db, sql: "\(select) HAVING p > 0 ORDER BY p DESC, s DESC, 2, 1 LIMIT ?",
                arguments: source.arguments + scope.arguments + [max(0, limit)]
            ).map { row in
                let row = StoredRow(row, table: "stat_track_month")
                return ChartEntry(
                    id: try row[0], name: try row[1], artist: try row[2], plays: try row[3], seconds: try row[4])
            }
        }
    }

    public func clients(of users: [UserID], in range: DayRange) async throws -> [(client: String, plays: Int)] {
        let who = Self.users(users)
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT client, sum(plays) AS p FROM stat_client_day WHERE \(who.sql) AND day BETWEEN ? AND ?
                    GROUP BY client ORDER BY p DESC, client
                    """, arguments: who.arguments + [range.first.number, range.last.number]
            ).map { row in
                let row = StoredRow(row, table: "stat_client_day")
                return (try row[0], try row[1])
            }
        }
    }

    public func formats(of users: [UserID], in range: DayRange, libraries: Set<LibraryID>?) async throws -> [(
        format: String, plays: Int
    )] {
        let source = Self.perTrack(users, range)
        let scope = Self.libraries(libraries, column: "t.library_id")
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT lower(t.suffix), sum(x.plays + x.skips) AS p FROM (\(source.sql)) x
                    JOIN track t ON t.id = x.track_id WHERE \(scope.sql)
                    GROUP BY lower(t.suffix) ORDER BY p DESC, 1
                    """, arguments: source.arguments + scope.arguments
            ).map { row in
                let row = StoredRow(row, table: "track")
                return (try row[0], try row[1])
            }
        }
    }

    public func tasteByMonth(of users: [UserID], in range: DayRange, libraries: Set<LibraryID>?) async throws -> (
        genres: [(month: Int, genre: String, plays: Int)], decades: [(month: Int, decade: Int, plays: Int)]
    ) {
        let who = Self.users(users)
        let scope = Self.libraries(libraries, column: "t.library_id")
        let months: StatementArguments = [range.first.month, range.last.month]
        return try await pool.read { db in
            let genres = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.month, g.name, sum(m.plays) AS p FROM stat_track_month m
                    JOIN track t ON t.id = m.track_id
                    JOIN track_genre tg ON tg.track_id = m.track_id JOIN genre g ON g.id = tg.genre_id
                    WHERE m.\(who.sql) AND m.month BETWEEN ? AND ? AND \(scope.sql)
                    GROUP BY m.month, g.id HAVING p > 0 ORDER BY m.month, p DESC, g.name
                    """, arguments: who.arguments + months + scope.arguments
            ).map { row in
                let row = StoredRow(row, table: "stat_track_month")
                return (month: try row[0] as Int, genre: try row[1] as String, plays: try row[2] as Int)
            }
            let decades = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.month, (t.year / 10) * 10 AS decade, sum(m.plays) AS p FROM stat_track_month m
                    JOIN track t ON t.id = m.track_id
                    WHERE m.\(who.sql) AND m.month BETWEEN ? AND ? AND t.year BETWEEN 1000 AND 3000 AND \(scope.sql)
                    GROUP BY m.month, decade HAVING p > 0 ORDER BY m.month, decade
                    """, arguments: who.arguments + months + scope.arguments
            ).map { row in
                let row = StoredRow(row, table: "stat_track_month")
                return (month: try row[0] as Int, decade: try row[1] as Int, plays: try row[2] as Int)
            }
            return (genres, decades)
        }
    }

    public func soundByMonth(of users: [UserID], in range: DayRange, libraries: Set<LibraryID>?) async throws -> [(
        month: Int, tempo: Double, loudness: Double, plays: Int
    )] {
        let who = Self.users(users)
        let scope = Self.libraries(libraries, column: "t.library_id")
        return try await pool.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT m.month, sum(m.plays) AS p, s.features FROM stat_track_month m
                    JOIN track t ON t.id = m.track_id
                    JOIN track_sonic s ON s.track_id = m.track_id AND s.content_hash = t.content_hash
                        AND s.version = ? AND s.features IS NOT NULL
                    WHERE m.\(who.sql) AND m.month BETWEEN ? AND ? AND \(scope.sql)
                    GROUP BY m.month, m.track_id HAVING p > 0
                    """,
                arguments: [SonicFeatures.version] + who.arguments + [range.first.month, range.last.month]
                    + scope.arguments)
            var sums: [Int: (tempo: Double, loudness: Double, plays: Int)] = [:]
            while let found = try rows.next() {
                let row = StoredRow(found, table: "track_sonic")
                let month: Int = try row[0]
                let plays: Int = try row[1]
                guard let features = SonicFeatures(blob: try row[2]), features.values.count == SonicFeatures.count
                else { continue }
                let tempo = Double(features.values[SonicFeatures.Index.tempo])
                let loudness = Double(features.values[SonicFeatures.Index.loudness])
                guard tempo.isFinite, loudness.isFinite else { continue }
                let known = sums[month] ?? (0, 0, 0)
                sums[month] = (
                    known.tempo + tempo * Double(plays), known.loudness + loudness * Double(plays), known.plays + plays
                )
            }
            return sums.keys.sorted().compactMap { month in
                guard let sum = sums[month], sum.plays > 0 else { return nil }
                return (month, sum.tempo / Double(sum.plays), sum.loudness / Double(sum.plays), sum.plays)
            }
        }
    }

    public func sessions(of users: [UserID], from: Date, to: Date) async throws -> [ListeningSession] {
        let who = Self.users(users)
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT started_at, ended_at, plays FROM stat_session
                    WHERE \(who.sql) AND started_at >= ? AND started_at < ? ORDER BY started_at
                    """, arguments: who.arguments + [from, to]
            ).map { row in
                let row = StoredRow(row, table: "stat_session")
                return ListeningSession(start: try row.date(0), end: try row.date(1), plays: try row[2])
            }
        }
    }

    public func firstListens(of user: UserID, in range: DayRange) async throws -> [(
        track: TrackID, at: Date, day: LocalDay
    )] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT track_id, first_at, day FROM stat_first WHERE user_id = ? AND day BETWEEN ? AND ?
                    ORDER BY first_at
                    """, arguments: [user.rawValue, range.first.number, range.last.number]
            ).map { row in
                let row = StoredRow(row, table: "stat_first")
                return (TrackID(try row[0] as String), try row.date(1), LocalDay(try row[2]))
            }
        }
    }

    public func firstListen(of user: UserID, track: TrackID) async throws -> Date? {
        try await pool.read { db in
            guard
                let found = try Row.fetchOne(
                    db, sql: "SELECT first_at FROM stat_first WHERE user_id = ? AND track_id = ?",
                    arguments: [user.rawValue, track.rawValue])
            else { return nil }
            return try StoredRow(found, table: "stat_first").date(0)
        }
    }

    public func firstDay(of user: UserID) async throws -> LocalDay? {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT min(day) FROM stat_hour WHERE user_id = ?", arguments: [user.rawValue])
                .map(LocalDay.init)
        }
    }

    public func rebuild(user: UserID?) async throws -> Int {
        try await pool.write { db in try StatsRollups.rebuild(db, user: user) }
    }
}
