public import CantoCore
public import Foundation
import GRDB

/// Listening history in SQLite. Every query is scoped to one user in its SQL.
public struct HistoryRepository: HistoryStore {
    let pool: MeteredPool
    /// Plays that arrive while one is written are written together (group commit).
    let plays: GroupCommit<NewPlay, Play>

    public init(database: CantoDatabase) {
        let pool = MeteredPool(database.pool, repository: "history")
        self.pool = pool
        plays = GroupCommit { plays in await Self.write(plays, pool) }
    }

    /// The longest a play is counted for: a week. The APIs take at most a day; a plugin's
    /// import is held to this, so a play's seconds and its session's end always read back, and
    /// the plays summed in a batch cannot overflow.
    static let maxSeconds = 7 * 86_400

    /// `seconds` within 0…`maxSeconds`.
    static func storableSeconds(_ seconds: Int) -> Int { min(max(0, seconds), maxSeconds) }

    /// A play to record, its start checked.
    struct NewPlay: Sendable {
        var user: UserID
        var track: TrackID
        var startedAt: Date
        var seconds: Int
        var client: String?
        var scrobble: Bool
    }

    /// Throws `NotFoundOrForbidden` when the user does not exist, `DomainError.invalid("startedAt")`
    /// for an instant outside `StoredTime`'s range (nothing is stored). Plays recorded at once
    /// share a write transaction; each caller gets its own play or error.
    public func recordPlay(
        user: UserID, track: TrackID, startedAt: Date, secondsPlayed: Int, client: String?, scrobble: Bool
    ) async throws -> Play {
        let play = NewPlay(
            user: user, track: track, startedAt: try startedAt.storable("startedAt"),
            seconds: Self.storableSeconds(secondsPlayed), client: client, scrobble: scrobble)
        return try await plays.submit(play)
    }

    /// The batches of plays written (each one write transaction, unless it failed and its plays
    /// were written one by one) and the plays in them: several plays a batch under load.
    public var playWrites: (batches: Int, plays: Int) {
        let figures = plays.figures
        return (figures.batches, figures.inputs)
    }

    /// Writes a batch of plays in one transaction; when it fails (one play's user gone, say),
    /// each play again in its own, so every caller gets its own answer.
    static func write(_ plays: [NewPlay], _ pool: MeteredPool) async -> [Result<Play, any Error>] {
        if plays.count > 1, let written = try? await pool.writeOwned({ db in try insert(plays, db) }) {
            return written.map { .success($0) }
        }
        var results: [Result<Play, any Error>] = []
        for play in plays {
            do {
                let written = try await pool.writeOwned { db in try insert([play], db) }
                guard let stored = written.first else { throw GroupCommit<NewPlay, Play>.MissingResult() }
                results.append(.success(stored))
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// Inserts the play, counts it on its track (one fact, one transaction) and adds it to
    /// `rollups`; returns its ID.
    @discardableResult
    private static func store(_ play: NewPlay, into rollups: inout StatsRollups.Batch, _ db: Database) throws -> Int64 {
        try db.cachedStatement(
            sql: """
                INSERT INTO play (user_id, track_id, started_at, seconds_played, client, scrobble)
                VALUES (?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            play.user.rawValue, play.track.rawValue, play.startedAt, play.seconds, play.client, play.scrobble,
        ])
        let id = db.lastInsertedRowID
        try db.cachedStatement(sql: "UPDATE track SET play_count = play_count + 1 WHERE id = ?")
            .execute(arguments: [play.track.rawValue])
        try rollups.add(
            user: play.user.rawValue, track: play.track.rawValue, startedAt: play.startedAt, seconds: play.seconds,
            client: play.client, scrobble: play.scrobble, db)
        return id
    }

    /// Stores the plays with their play counts, rollups, impressions and events; returns them as stored.
    private static func insert(_ plays: [NewPlay], _ db: Database) throws -> [Play] {
        var rollups = StatsRollups.Batch()
        var stored: [Play] = []
        for play in plays {
            let id = try Self.store(play, into: &rollups, db)
            try ImpressionRepository.notePlay(
                user: play.user.rawValue, track: play.track.rawValue, at: play.startedAt, seconds: play.seconds,
                counted: play.scrobble, db)
            // The catalog version stays: a play changes no shared rendering (Subsonic's playCount is
            // the caller's own, read with their stars), so the catalog caches survive it.
            try db.appendEvent(
                .trackPlayed(
                    user: play.user, track: play.track, playID: id, startedAt: play.startedAt,
                    secondsPlayed: play.seconds, countsAsScrobble: play.scrobble, client: play.client), at: Date())
            // Read back, so the play answered is the play stored (dates keep whole milliseconds).
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM play WHERE id = ?"), arguments: [id])
            else { throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "the new play is missing") }
            stored.append(try Self.play(row))
        }
        try rollups.write(db)
        return stored
    }

    /// A row that does not decode (see `StoredValueUnreadable`) fails the whole page.
    public func plays(of user: UserID, from: Date?, to: Date?, offset: Int, limit: Int) async throws -> [Play] {
        let range = Self.range(of: user, from: from, to: to)
        return try await pool.read { db in
            // (started_at, id) follows the index (user_id, started_at), which ends in the rowid.
            try Row.fetchAll(
                db.cachedStatement(
                    sql: "SELECT * FROM play WHERE \(range.sql) ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?"),
                arguments: range.arguments + [max(limit, 0), max(offset, 0)]
            ).map(Self.play)
        }
    }

    public func playCount(of user: UserID, from: Date?, to: Date?) async throws -> Int {
        let range = Self.range(of: user, from: from, to: to)
        return try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM play WHERE \(range.sql)", arguments: range.arguments) ?? 0
        }
    }

    /// The listener's rollups are rolled up again from what is left (a deleted first listen or a
    /// session split in two cannot be taken back by subtraction).
    public func deletePlay(_ id: Int64, owner: UserID) async throws -> Bool {
        try await pool.write { db in
            guard try db.run("DELETE FROM play WHERE id = ? AND user_id = ?", [id, owner.rawValue]) > 0 else {
                return false
            }
            try StatsRollups.rebuild(db, user: owner)
            return true
        }
    }

    public func deletePlays(of user: UserID, from: Date?, to: Date?) async throws -> Int {
        let range = Self.range(of: user, from: from, to: to)
        return try await pool.write { db in
            let deleted = try db.run("DELETE FROM play WHERE \(range.sql)", range.arguments)
            if deleted > 0 { try StatsRollups.rebuild(db, user: user) }
            return deleted
        }
    }

    public func importPlays(
        _ plays: [(track: TrackID, startedAt: Date, secondsPlayed: Int, counted: Bool, client: String)],
        of user: UserID
    ) async throws -> (imported: Int, duplicates: Int) {
        let plays = try plays.map { play in
            (
                play.track, try play.startedAt.storable("startedAt"), Self.storableSeconds(play.secondsPlayed),
                play.counted,
                String(play.client.prefix(200))
            )
        }
        return try await pool.writeOwned { db in
            var rollups = StatsRollups.Batch()
            var imported = 0
            var duplicates = 0
            let exists = try db.cachedStatement(
                sql: "SELECT 1 FROM play WHERE user_id = ? AND started_at = ? AND track_id = ? LIMIT 1")
            for (track, startedAt, seconds, counted, client) in plays {
                if try Int.fetchOne(exists, arguments: [user.rawValue, startedAt, track.rawValue]) != nil {
                    duplicates += 1
                    continue
                }
                try Self.store(
                    NewPlay(
                        user: user, track: track, startedAt: startedAt, seconds: seconds, client: client,
                        scrobble: counted), into: &rollups, db)
                imported += 1
                if rollups.pending >= 5_000 { try rollups.write(db) }
            }
            try rollups.write(db)
            return (imported, duplicates)
        }
    }

    public func trackSummaries(of user: UserID) async throws -> [TrackPlaySummary] {
        try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT track_id, sum(scrobble), sum(1 - scrobble), max(started_at) FROM play
                        WHERE user_id = ? GROUP BY track_id
                        """), arguments: [user.rawValue]
            ).map { row in
                let row = StoredRow(row, table: "play")
                return try TrackPlaySummary(
                    track: TrackID(row[0]), plays: row[1], skips: row[2], lastPlayed: row.date(3))
            }
        }
    }

    private static func play(_ row: Row) throws -> Play {
        let row = StoredRow(row, table: "play")
        return try Play(
            id: row["id"], userID: UserID(row["user_id"]), trackID: TrackID(row["track_id"]),
            startedAt: row.date("started_at"), secondsPlayed: row["seconds_played"], client: row["client"],
            scrobble: row["scrobble"])
    }

    /// The user's plays within [from, to). Only the bounds given appear in the SQL, so SQLite
    /// can search the (user_id, started_at) index by range.
    private static func range(of user: UserID, from: Date?, to: Date?) -> (sql: String, arguments: StatementArguments) {
        var sql = "user_id = ?"
        var arguments: StatementArguments = [user.rawValue]
        if let from {
            sql += " AND started_at >= ?"
            arguments += [from]
        }
        if let to {
            sql += " AND started_at < ?"
            arguments += [to]
        }
        return (sql, arguments)
    }
}
