public import CantoCore
public import Foundation
import GRDB

/// The listening figures from the rollups (`StatsRollups`): every query sums a few keyed rows
/// per day, month or track, never the raw history.
public struct StatsRepository: StatsStore {
    let pool: MeteredPool

    public init(database: CantoDatabase) {
        pool = MeteredPool(database.pool, repository: "stats")
    }

    private static func users(_ users: [UserID]) -> (sql: String, arguments: StatementArguments) {
        (
            "user_id IN (\(databaseQuestionMarks(count: max(1, users.count))))",
            StatementArguments(users.isEmpty ? [""] : users.map(\.rawValue))
        )
    }

    /// Where a chart's rows are: a rollup table (`stat_…`) of some listeners, or its household
    /// twin (`stat_house_…`, no listener column).
    struct Rows {
        let listeners: Listeners

        func table(_ name: String) -> String {
            listeners == .household ? name.replacingOccurrences(of: "stat_", with: "stat_house_") : name
        }

        /// The condition on the listener column of `alias` (nothing for the household).
        func filter(_ alias: String = "") -> (sql: String, arguments: StatementArguments) {
            guard case .users(let users) = listeners else { return ("1", []) }
            let who = StatsRepository.users(users)
            return ("\(alias)\(who.sql)", who.arguments)
        }

        /// One listener's (the household is one).
        var single: Bool {
            if case .users(let users) = listeners { return users.count == 1 }
            return true
        }
    }

    /// The item tables' code for a chart kind.
    static func code(_ kind: ChartKind) -> String {
        switch kind {
        case .tracks: "t"
        case .artists: "a"
        case .albums: "l"
        case .genres: "g"
        }
    }

    /// A day's track row as an item of `kind` (the day table holds tracks, with their artist and
    /// album as they were played).
    static func dayItem(_ kind: String) -> (select: String, join: String) {
        switch kind {
        case "a": return ("d.artist_id", "")
        case "l": return ("d.album_id", "")
        case "g": return ("tg.genre_id", "JOIN track_genre tg ON tg.track_id = d.track_id")
        case "f": return ("(SELECT lower(suffix) FROM track WHERE id = d.track_id)", "")
        case "d":
            return (
                "(SELECT CAST(year / 10 * 10 AS TEXT) FROM track WHERE id = d.track_id AND year BETWEEN 1000 AND 3000)",
                ""
            )
        default: return ("d.track_id", "")
        }
    }

    typealias ItemSums = (item: String, plays: Int, skips: Int, seconds: Int)

    /// Each item's plays, skips and seconds over the range, most played first, at most `limit`:
    /// the range's terms (`DayRange.terms`: years from the year table, months from the month
    /// table, days from the day table, each added or taken away); all time from the totals.
    static func items(
        _ kind: String, _ rows: Rows, _ range: DayRange, wholeHistory: Bool, limit: Int, _ db: Database
    ) throws -> [ItemSums] {
        let who = rows.filter()
        let terms = wholeHistory ? [] : range.terms
        let limit = max(0, limit)
        // One listener's (or the household's) whole history or one whole year: the top rows
        // straight from the index; a range around one whole year, that year's top rows and the rest.
        if rows.single {
            if wholeHistory { return try top(rows, "stat_item_total", year: nil, kind, limit: limit, db) }
            if let window = try window(rows, range, db) {
                return try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT item, plays, skips, seconds FROM stat_window
                            WHERE owner = ? AND end_month = ? AND kind = ? AND (plays <> 0 OR skips <> 0 OR seconds <> 0)
                            ORDER BY plays DESC, seconds DESC, item LIMIT ?
                            """), arguments: [window.owner, window.end, kind, limit]
                ).map { row in
                    let row = StoredRow(row, table: "stat_window")
                    return (try row[0], try row[1], try row[2], try row[3])
                }
            }
            let years = terms.indices.filter { terms[$0].level == .years }
            if years.count == 1, case let base = terms[years[0]], base.sign == 1, base.from == base.to {
                var rest = terms
                rest.remove(at: years[0])
                if rest.isEmpty { return try top(rows, "stat_item_year", year: base.from, kind, limit: limit, db) }
                return try around(year: base.from, rest, kind, rows, limit: limit, db)
            }
        }
        var (parts, arguments) = try Self.parts(terms, kind, rows)
        if wholeHistory {
            parts.append(
                "SELECT item, plays, skips, seconds FROM \(rows.table("stat_item_total")) WHERE \(who.sql) AND kind = ?"
            )
            arguments += who.arguments
            arguments += [kind]
        }
        guard !parts.isEmpty else { return [] }
        let sql = """
            SELECT item, sum(plays) AS p, sum(skips) AS k, sum(seconds) AS s
            FROM (\(parts.joined(separator: " UNION ALL "))) WHERE item IS NOT NULL
            GROUP BY item HAVING p <> 0 OR k <> 0 OR s <> 0 ORDER BY p DESC, s DESC, item LIMIT ?
            """
        return try Row.fetchAll(db, sql: sql, arguments: arguments + [limit]).map { row in
            let row = StoredRow(row, table: "stat_item_month")
            return (try row[0], try row[1], try row[2], try row[3])
        }
    }

    /// The twelve-month window (`StatsWindows`) that holds exactly the range, if one does: the
    /// range starts on the first of a window's months and ends in its last, with nothing played
    /// after the range's last day in that month.
    static func window(_ rows: Rows, _ range: DayRange, _ db: Database) throws -> (owner: String, end: Int)? {
        let owner: String
        switch rows.listeners {
        case .household: owner = StatsRollups.household
        case .users(let users):
            guard users.count == 1 else { return nil }
            owner = users[0].rawValue
        }
        let end = range.last.month
        guard range.first == LocalDay.first(ofMonth: end - 11),
            try Int.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM stat_window_end WHERE owner = ? AND end_month = ?"),
                arguments: [owner, end]) != nil
        else { return nil }
        let monthEnd = LocalDay.first(ofMonth: end + 1) - 1
        if range.last < monthEnd {
            let who = rows.filter()
            let later = try Int.fetchOne(
                db.cachedStatement(
                    sql:
                        "SELECT 1 FROM \(rows.table("stat_track_day")) WHERE \(who.sql) AND day BETWEEN ? AND ? LIMIT 1"
                ),
                arguments: who.arguments + [range.last.number + 1, monthEnd.number])
            guard later == nil else { return nil }
        }
        return (owner, end)
    }

    /// The SQL of each term: its rows as (item, plays, skips, seconds), signed.
    static func parts(_ terms: [DayRange.Term], _ kind: String, _ rows: Rows) throws -> (
        [String], StatementArguments
    ) {
        let who = rows.filter()
        let day = dayItem(kind)
        let dayWho = rows.filter("d.")
        var parts: [String] = []
        var arguments = StatementArguments()
        for term in terms {
            let sign: StatementArguments = [term.sign, term.sign, term.sign]
            switch term.level {
            case .years, .months:
                let (table, column) = term.level == .years ? ("stat_item_year", "year") : ("stat_item_month", "month")
                parts.append(
                    """
                    SELECT item, plays * ? AS plays, skips * ? AS skips, seconds * ? AS seconds
                    FROM \(rows.table(table)) WHERE \(who.sql) AND kind = ? AND \(column) BETWEEN ? AND ?
                    """)
                arguments += sign + who.arguments
                arguments += [kind, term.from, term.to]
            case .days:
                parts.append(
                    """
                    SELECT \(day.select) AS item, d.plays * ? AS plays, d.skips * ? AS skips, d.seconds * ? AS seconds
                    FROM \(rows.table("stat_track_day")) d \(day.join)
                    WHERE \(dayWho.sql) AND d.day BETWEEN ? AND ?
                    """)
                arguments += sign + dayWho.arguments
                arguments += [term.from, term.to]
            }
        }
        return (parts, arguments)
    }

    /// The top rows of a year (or, `year` nil, of all time) from the index on plays.
    static func top(_ rows: Rows, _ base: String, year: Int?, _ kind: String, limit: Int, _ db: Database) throws
        -> [ItemSums]
    {
        let who = rows.filter()
        let table = rows.table(base)
        return try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT item, plays, skips, seconds FROM \(table)
                    WHERE \(who.sql) AND kind = ? \(year == nil ? "" : "AND year = ?")
                    ORDER BY plays DESC, seconds DESC, item LIMIT ?
                    """), arguments: who.arguments + [kind] + (year.map { [$0] } ?? []) + [limit]
        ).map { row in
            let row = StoredRow(row, table: table)
            return (try row[0], try row[1], try row[2], try row[3])
        }
    }

    /// The top of one whole year plus or minus a few months and days (twelve months, most of a
    /// year), exactly, without summing the whole year: the items the other terms touch get their
    /// sums in full (their year row joined); every other item's sum is its year row, so the
    /// year's top `limit` + (touched items) rows from the index hold every other item that can
    /// be in the top.
    static func around(year: Int, _ rest: [DayRange.Term], _ kind: String, _ rows: Rows, limit: Int, _ db: Database)
        throws -> [ItemSums]
    {
        let (parts, arguments) = try Self.parts(rest, kind, rows)
        let yearWho = rows.filter("y.")
        var sums: [String: ItemSums] = [:]
        let touched = try Row.fetchCursor(
            db,
            sql: """
                SELECT r.item, r.p + coalesce(y.plays, 0), r.k + coalesce(y.skips, 0), r.s + coalesce(y.seconds, 0)
                FROM (
                    SELECT item, sum(plays) AS p, sum(skips) AS k, sum(seconds) AS s
                    FROM (\(parts.joined(separator: " UNION ALL "))) WHERE item IS NOT NULL GROUP BY item
                ) r
                LEFT JOIN \(rows.table("stat_item_year")) y
                    ON \(yearWho.sql) AND y.kind = ? AND y.year = ? AND y.item = r.item
                """, arguments: arguments + yearWho.arguments + [kind, year])
        while let found = try touched.next() {
            let row = StoredRow(found, table: "stat_item_year")
            let sum: ItemSums = (try row[0], try row[1], try row[2], try row[3])
            sums[sum.item] = sum
        }
        for sum in try top(rows, "stat_item_year", year: year, kind, limit: limit + sums.count, db)
        where sums[sum.item] == nil {
            sums[sum.item] = sum
        }
        return Array(
            sums.values.filter { $0.plays != 0 || $0.skips != 0 || $0.seconds != 0 }
                .sorted { left, right in
                    if left.plays != right.plays { return left.plays > right.plays }
                    if left.seconds != right.seconds { return left.seconds > right.seconds }
                    return left.item.utf8.lexicographicallyPrecedes(right.item.utf8)
                }
                .prefix(limit))
    }

    /// Whether each item (of a chart kind) is in the libraries: a track in one of them, an album
    /// or an artist with a track in one of them; genres are everyone's.
    static func visible(_ kind: ChartKind, _ items: [String], in libraries: Set<LibraryID>, _ db: Database) throws
        -> Set<String>
    {
        guard kind != .genres, !items.isEmpty else { return Set(items) }
        let scope = libraries.map(\.rawValue).sorted()
        guard !scope.isEmpty else { return [] }
        let places = databaseQuestionMarks(count: scope.count)
        let check: String
        switch kind {
        case .tracks: check = "SELECT 1 FROM track WHERE id = ? AND library_id IN (\(places))"
        case .albums: check = "SELECT 1 FROM track WHERE album_id = ? AND library_id IN (\(places)) LIMIT 1"
        case .artists:
            check = """
                SELECT 1 FROM track_artist ta JOIN track t ON t.id = ta.track_id
                WHERE ta.artist_id = ? AND t.library_id IN (\(places)) LIMIT 1
                """
        case .genres: return Set(items)
        }
        let statement = try db.cachedStatement(sql: check)
        var found: Set<String> = []
        for item in items where try Int.fetchOne(statement, arguments: StatementArguments([item] + scope)) != nil {
            found.insert(item)
        }
        return found
    }

    public func chart(
        _ kind: ChartKind, of listeners: Listeners, in range: DayRange, wholeHistory: Bool, libraries: Set<LibraryID>?,
        limit: Int
    ) async throws -> [ChartEntry] {
        try await pool.read { db in
            // A scoped asker: more than asked for, then what they may see.
            let fetched = try Self.items(
                Self.code(kind), Rows(listeners: listeners), range, wholeHistory: wholeHistory,
                limit: libraries == nil ? limit : limit * 3 + 50, db)
            var rows = fetched.filter { $0.plays > 0 }
            if let libraries {
                let visible = try Self.visible(kind, rows.map(\.item), in: libraries, db)
                rows = rows.filter { visible.contains($0.item) }
            }
            rows = Array(rows.prefix(limit))
            let names = try Self.names(kind, rows.map(\.item), db)
            return rows.compactMap { row in
                guard let name = names[row.item] else { return nil }
                return ChartEntry(
                    id: row.item, name: name.name, artist: name.artist, plays: row.plays, seconds: row.seconds)
            }
        }
    }

    /// Names of chart items (an item the catalog no longer holds has none and is left out).
    static func names(_ kind: ChartKind, _ items: [String], _ db: Database) throws -> [String: (
        name: String, artist: String?
    )] {
        guard !items.isEmpty else { return [:] }
        let sql: String
        switch kind {
        case .tracks: sql = "SELECT id, title, artist_name FROM track WHERE id IN"
        case .artists: sql = "SELECT id, name, NULL FROM artist WHERE id IN"
        case .albums: sql = "SELECT id, title, album_artist_name FROM album WHERE id IN"
        case .genres: sql = "SELECT id, name, NULL FROM genre WHERE id IN"
        }
        var names: [String: (String, String?)] = [:]
        for chunk in items.chunked(500) {
            for found in try Row.fetchAll(
                db, sql: "\(sql) (\(databaseQuestionMarks(count: chunk.count)))", arguments: StatementArguments(chunk))
            {
                let row = StoredRow(found, table: "track")
                names[try row[0]] = (try row[1], try row[2])
            }
        }
        return names
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

    public func formats(of users: [UserID], in range: DayRange, wholeHistory: Bool) async throws -> [(
        format: String, plays: Int
    )] {
        try await pool.read { db in
            try Self.items("f", Rows(listeners: .users(users)), range, wholeHistory: wholeHistory, limit: 50, db).map {
                ($0.item, $0.plays + $0.skips)
            }
        }
    }

    public func tasteByMonth(of users: [UserID], in range: DayRange) async throws -> (
        genres: [(month: Int, genre: String, plays: Int)], decades: [(month: Int, decade: Int, plays: Int)]
    ) {
        let who = Self.users(users)
        let months: StatementArguments = [range.first.month, range.last.month]
        return try await pool.read { db in
            let genres = try Row.fetchAll(
                db,
                sql: """
                    SELECT m.month, g.name, sum(m.plays) AS p FROM stat_item_month m JOIN genre g ON g.id = m.item
                    WHERE m.\(who.sql) AND m.kind = 'g' AND m.month BETWEEN ? AND ?
                    GROUP BY m.month, g.id HAVING p > 0 ORDER BY m.month, p DESC, g.name
                    """, arguments: who.arguments + months
            ).map { row in
                let row = StoredRow(row, table: "stat_item_month")
                return (month: try row[0] as Int, genre: try row[1] as String, plays: try row[2] as Int)
            }
            let decades = try Row.fetchAll(
                db,
                sql: """
                    SELECT month, CAST(item AS INTEGER) AS decade, sum(plays) AS p FROM stat_item_month
                    WHERE \(who.sql) AND kind = 'd' AND month BETWEEN ? AND ?
                    GROUP BY month, item HAVING p > 0 ORDER BY month, decade
                    """, arguments: who.arguments + months
            ).map { row in
                let row = StoredRow(row, table: "stat_item_month")
                return (month: try row[0] as Int, decade: try row[1] as Int, plays: try row[2] as Int)
            }
            return (genres, decades)
        }
    }

    public func soundByMonth(of users: [UserID], in range: DayRange) async throws -> [(
        month: Int, tempo: Double, loudness: Double, plays: Int
    )] {
        let who = Self.users(users)
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT month, sum(tempo), sum(loudness), sum(plays) AS p FROM stat_sound_month
                    WHERE \(who.sql) AND month BETWEEN ? AND ? GROUP BY month HAVING p > 0 ORDER BY month
                    """, arguments: who.arguments + [range.first.month, range.last.month]
            ).map { row in
                let row = StoredRow(row, table: "stat_sound_month")
                let plays: Int = try row[3]
                return (
                    try row[0], (try row[1] as Double) / Double(plays), (try row[2] as Double) / Double(plays), plays
                )
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

    public func firstListensByDay(of user: UserID, in range: DayRange) async throws -> [(day: LocalDay, count: Int)] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT day, count(*) FROM stat_first WHERE user_id = ? AND day BETWEEN ? AND ? GROUP BY day
                    """, arguments: [user.rawValue, range.first.number, range.last.number]
            ).map { row in
                let row = StoredRow(row, table: "stat_first")
                return (LocalDay(try row[0]), try row[1])
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
