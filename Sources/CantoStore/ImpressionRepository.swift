public import CantoCore
public import Foundation
import GRDB

/// Recommendations shown and their outcomes (`rec_impression`).
public struct ImpressionRepository: ImpressionStore {
    let pool: MeteredPool

    /// How long after a track is shown a play, star or thumbs still counts as its outcome.
    static let window: TimeInterval = 86_400

    public init(database: CantoDatabase) {
        pool = MeteredPool(database.pool, repository: "impressions")
    }

    public func record(_ picks: [(track: TrackID, source: String)], user: UserID, surface: String, at date: Date)
        async throws
    {
        guard !picks.isEmpty else { return }
        let date = try date.storable("shownAt")
        try await pool.write { db in
            let insert = try db.cachedStatement(
                sql: "INSERT INTO rec_impression (user_id, track_id, source, surface, shown_at) VALUES (?, ?, ?, ?, ?)")
            for pick in picks {
                try insert.execute(
                    arguments: [user.rawValue, pick.track.rawValue, String(pick.source.prefix(64)), surface, date])
            }
        }
    }

    /// A play of a track shown to the listener within the window before it: the latest such
    /// impression without an outcome gets it (called in the play's own transaction).
    static func notePlay(user: String, track: String, at date: Date, seconds: Int, counted: Bool, _ db: Database)
        throws
    {
        try db.cachedStatement(
            sql: """
                UPDATE rec_impression SET outcome = ?, seconds = ?, outcome_at = ?
                WHERE id = (
                    SELECT id FROM rec_impression WHERE user_id = ? AND track_id = ? AND outcome IS NULL
                        AND shown_at <= ? AND shown_at >= ?
                    ORDER BY shown_at DESC, id DESC LIMIT 1)
                """
        ).execute(arguments: [
            counted ? "played" : "skipped", max(0, seconds), date, user, track, date.addingTimeInterval(60),
            date.addingTimeInterval(-window),
        ])
    }

    public func noteFeedback(user: UserID, track: TrackID, feedback: Int, starred: Bool, at date: Date) async throws {
        let date = try date.storable("at")
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE rec_impression SET feedback = CASE WHEN ? = 0 THEN feedback ELSE ? END,
                        starred = max(starred, ?)
                    WHERE id = (
                        SELECT id FROM rec_impression WHERE user_id = ? AND track_id = ? AND shown_at <= ?
                            AND shown_at >= ?
                        ORDER BY shown_at DESC, id DESC LIMIT 1)
                    """,
                arguments: [
                    feedback, max(-1, min(1, feedback)), starred ? 1 : 0, user.rawValue, track.rawValue,
                    date.addingTimeInterval(60), date.addingTimeInterval(-Self.window),
                ])
        }
    }

    private static let sums = """
        count(*), sum(outcome IS 'played'), sum(outcome IS 'skipped'), sum(starred), sum(feedback = 1),
        sum(feedback = -1), sum(seconds)
        """

    private static func counts(_ row: Row, user: UserID?, offset: Int) throws -> ImpressionCounts {
        let row = StoredRow(row, table: "rec_impression")
        return ImpressionCounts(
            source: try row[0], user: user, shown: try row[offset], played: try row[offset + 1],
            skipped: try row[offset + 2], starred: try row[offset + 3], thumbsUp: try row[offset + 4],
            thumbsDown: try row[offset + 5], seconds: try row[offset + 6])
    }

    public func counts(since: Date) async throws -> [ImpressionCounts] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT source, user_id, \(Self.sums) FROM rec_impression WHERE shown_at >= ?
                    GROUP BY source, user_id ORDER BY source, user_id
                    """, arguments: [since]
            ).map { row in try Self.counts(row, user: UserID(try StoredRow(row, table: "rec_impression")[1]), offset: 2)
            }
        }
    }

    public func counts(of user: UserID) async throws -> [ImpressionCounts] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT source, \(Self.sums) FROM rec_impression WHERE user_id = ?
                    GROUP BY source ORDER BY source
                    """, arguments: [user.rawValue]
            ).map { row in try Self.counts(row, user: user, offset: 1) }
        }
    }
}
