import CantoCore
import Foundation
import GRDB

/// Keeps the listening rollups (`stat_*`) up to date: a play adds to its hour, its track's
/// day and month, its client's day, the listener's first listens and their sessions, in the
/// transaction that records it (`Batch`: plays recorded together sum their rows first).
/// `rebuild` rolls the raw history up again from nothing and gives the same figures.
enum StatsRollups {
    /// Plays further apart than this (from the end of one to the start of the next) are two sessions.
    static let sessionGap: TimeInterval = 1_800

    /// Whose play it is, as the rollups need to know: their time zone (their days are their own)
    /// and whether the household counts their listening.
    struct Owner: Sendable {
        var zone: TimeZone
        var shared: Bool
    }

    /// A user's time zone (their preference; UTC when unset or unknown) and whether they let the
    /// household see their listening (the default).
    static func owner(_ user: String, _ db: Database) throws -> Owner {
        let found = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT time_zone, listening_visible FROM user_preferences WHERE user_id = ?"),
            arguments: [user])
        guard let found else { return Owner(zone: .gmt, shared: true) }
        let row = StoredRow(found, table: "user_preferences")
        let name: String = try row[0]
        return Owner(zone: TimeZone(identifier: name) ?? .gmt, shared: try row[1])
    }

    /// The per-listener item tables and their household twins, with the period column each keys on.
    static let itemTables = [
        (table: "stat_item_month", house: "stat_house_item_month", period: "month"),
        (table: "stat_item_year", house: "stat_house_item_year", period: "year"),
        (table: "stat_item_total", house: "stat_house_item_total", period: ""),
    ]

    /// Adds (`sign` 1) or takes away (−1) everything a listener's rollups hold to or from the
    /// household's: when they start or stop sharing their listening, before their rollups are
    /// rebuilt, and before they go.
    static func share(_ user: String, sign: Int, windows: Bool = true, _ db: Database) throws {
        let sign = sign < 0 ? -1 : 1
        try db.execute(
            sql: """
                INSERT INTO stat_house_track_day (day, track_id, artist_id, album_id, plays, skips, seconds)
                SELECT day, track_id, artist_id, album_id, plays * ?, skips * ?, seconds * ?
                FROM stat_track_day WHERE user_id = ?
                ON CONFLICT (day, track_id) DO UPDATE SET plays = plays + excluded.plays,
                    skips = skips + excluded.skips, seconds = seconds + excluded.seconds
                """, arguments: [sign, sign, sign, user])
        for (table, house, period) in itemTables {
            let key = period.isEmpty ? "" : "\(period), "
            try db.execute(
                sql: """
                    INSERT INTO \(house) (\(key)kind, item, plays, skips, seconds)
                    SELECT \(key)kind, item, plays * ?, skips * ?, seconds * ? FROM \(table) WHERE user_id = ?
                    ON CONFLICT (kind, \(key)item) DO UPDATE SET plays = plays + excluded.plays,
                        skips = skips + excluded.skips, seconds = seconds + excluded.seconds
                    """, arguments: [sign, sign, sign, user])
        }
        if sign < 0 {
            try db.execute(sql: "DELETE FROM stat_house_track_day WHERE plays = 0 AND skips = 0 AND seconds = 0")
            for (_, house, _) in itemTables {
                try db.execute(sql: "DELETE FROM \(house) WHERE plays = 0 AND skips = 0 AND seconds = 0")
            }
        }
        if windows { try resetWindows(of: [household], db) }
    }

    /// Takes a listener out of the household's figures and drops their windows: before they go,
    /// or before their rollups are rebuilt (`windows` false: the rebuild builds them after).
    static func forget(_ user: String, windows: Bool = true, _ db: Database) throws {
        if try owner(user, db).shared { try share(user, sign: -1, windows: windows, db) }
        try db.execute(sql: "DELETE FROM stat_window WHERE owner = ?", arguments: [user])
        try db.execute(sql: "DELETE FROM stat_window_end WHERE owner = ?", arguments: [user])
    }

    /// What a play adds to besides its track: its artist, album, genres, format and decade, and
    /// its sound when analysed.
    struct TrackFacts: Sendable {
        var artist: String?
        var album: String?
        var genres: [String] = []
        var format: String?
        var decade: Int?
        var sound: (tempo: Double, loudness: Double)?

        /// The items a play of `track` counts for, by kind: t track, a artist, l album, g genre,
        /// f format, d decade.
        func items(track: String) -> [(String, String)] {
            var items = [("t", track)]
            if let artist { items.append(("a", artist)) }
            if let album { items.append(("l", album)) }
            for genre in genres { items.append(("g", genre)) }
            if let format { items.append(("f", format)) }
            if let decade { items.append(("d", String(decade))) }
            return items
        }
    }

    /// The facts of a track from the catalog (none for a track no longer there).
    static func facts(of track: String, _ db: Database) throws -> TrackFacts {
        guard
            let found = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT t.album_id, lower(t.suffix), t.year, t.content_hash,
                            (SELECT artist_id FROM track_artist
                             WHERE track_id = t.id AND role = 'artist' ORDER BY position LIMIT 1)
                        FROM track t WHERE t.id = ?
                        """), arguments: [track])
        else { return TrackFacts() }
        let row = StoredRow(found, table: "track")
        var facts = TrackFacts()
        facts.album = try row[0]
        facts.format = try row[1]
        if let year: Int = try row[2], (1000...3000).contains(year) { facts.decade = year / 10 * 10 }
        let hash: String = try row[3]
        facts.artist = try row[4]
        facts.genres = try String.fetchAll(
            db.cachedStatement(sql: "SELECT genre_id FROM track_genre WHERE track_id = ?"), arguments: [track])
        if let blob = try Data.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT features FROM track_sonic
                    WHERE track_id = ? AND content_hash = ? AND version = ? AND features IS NOT NULL
                    """), arguments: [track, hash, SonicFeatures.version]),
            let features = SonicFeatures(blob: blob), features.values.count == SonicFeatures.count
        {
            let tempo = Double(features.values[SonicFeatures.Index.tempo])
            let loudness = Double(features.values[SonicFeatures.Index.loudness])
            if tempo.isFinite, loudness.isFinite { facts.sound = (tempo, loudness) }
        }
        return facts
    }

    /// `INSERT INTO <into> VALUES <rows> ON CONFLICT <conflict>`, the rows in as few statements as
    /// keep each under 999 values (a track tagged with hundreds of genres has thousands of window
    /// rows, past SQLite's limit on a statement's variables). Statements hold a power of two of
    /// rows (13 rows are 8, 4 and 1), so the connection keeps at most eight of them a table
    /// prepared however a batch's rows add up. Nothing when there are none.
    static func upsert(
        into: String, rows: [[(any DatabaseValueConvertible)?]], conflict: String, _ db: Database
    ) throws {
        guard let first = rows.first else { return }
        let row = "(" + databaseQuestionMarks(count: first.count) + ")"
        var largest = 1
        while largest * 2 <= min(128, 999 / max(first.count, 1)) { largest *= 2 }
        var start = 0
        while start < rows.count {
            var size = largest
            while size > rows.count - start { size /= 2 }
            let chunk = rows[start..<start + size]
            try db.cachedStatement(
                sql: "INSERT INTO \(into) VALUES \(Array(repeating: row, count: size).joined(separator: ", ")) "
                    + "ON CONFLICT \(conflict)"
            ).execute(arguments: StatementArguments(chunk.flatMap { $0 }))
            start += size
        }
    }

    /// Joins the play to the session it is within `sessionGap` of, or starts one.
    static func addToSession(user: String, start: Date, end: Date, _ db: Database) throws {
        let near = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT started_at, ended_at FROM stat_session
                    WHERE user_id = ? AND started_at <= ? AND ended_at >= ?
                    ORDER BY started_at DESC LIMIT 1
                    """),
            arguments: [user, end.addingTimeInterval(sessionGap), start.addingTimeInterval(-sessionGap)])
        if let near {
            let row = StoredRow(near, table: "stat_session")
            let started = try row.date(0)
            let ended = try row.date(1)
            try db.cachedStatement(
                sql: """
                    UPDATE stat_session SET started_at = ?, ended_at = ?, plays = plays + 1
                    WHERE user_id = ? AND started_at = ?
                    """
            ).execute(arguments: [min(started, start), max(ended, end), user, started])
        } else {
            try db.cachedStatement(
                sql: "INSERT INTO stat_session (user_id, started_at, ended_at, plays) VALUES (?, ?, ?, 1)"
            ).execute(arguments: [user, start, end])
        }
    }

    static let tables = [
        "stat_hour", "stat_track_day", "stat_item_month", "stat_item_year", "stat_item_total", "stat_sound_month",
        "stat_client_day", "stat_first", "stat_session",
    ]
    static let houseTables = ["stat_house_track_day"] + itemTables.map(\.house)

    /// Empties the rollups (of one user, or all) and rolls `play` up again, oldest first; returns
    /// the plays read.
    @discardableResult
    static func rebuild(_ db: Database, user: UserID?) throws -> Int {
        if let user {
            // Out of the household's sums first; the plays go back in as they are rolled up.
            try forget(user.rawValue, windows: false, db)
        } else {
            for table in houseTables + ["stat_window", "stat_window_end"] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
        }
        for table in tables {
            if let user {
                try db.execute(sql: "DELETE FROM \(table) WHERE user_id = ?", arguments: [user.rawValue])
            } else {
                try db.execute(sql: "DELETE FROM \(table)")
            }
        }
        let filter = user == nil ? "" : "WHERE user_id = ?"
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT user_id, track_id, started_at, seconds_played, client, scrobble FROM play \(filter)
                ORDER BY user_id, started_at, id
                """, arguments: user.map { [$0.rawValue] } ?? [])
        var rollups = Batch(addsToWindows: false)
        var count = 0
        while let found = try rows.next() {
            let row = StoredRow(found, table: "play")
            try rollups.add(
                user: try row[0], track: try row[1], startedAt: try row.date(2), seconds: try row[3],
                client: try row[4], scrobble: try row[5], db)
            count += 1
            // Memory stays bounded by the batch, not the history.
            if rollups.pending >= 5_000 { try rollups.write(db) }
        }
        try rollups.write(db)
        try resetWindows(
            of: (user.map { [$0.rawValue] } ?? (try String.fetchAll(db, sql: "SELECT id FROM user"))) + [household], db)
        return count
    }
}
