public import Foundation
import GRDB

/// The few figures `/metrics` needs from the database (the outbox's backlog, listeners seen
/// lately), read by one timer every few seconds rather than on each scrape or request.
public struct OperationalStatistics: Sendable {
    let pool: MeteredPool

    public init(database: CantoDatabase) {
        pool = MeteredPool(database.pool, repository: "operational")
    }

    /// One subscriber's events not yet finished: how many, and when the oldest was published.
    public struct Backlog: Sendable, Equatable {
        public var subscriber: String
        public var pending: Int
        public var oldest: Date?
    }

    /// Each subscriber's backlog in the outbox (a range of the primary key each: cheap).
    public func outboxBacklog() async throws -> [Backlog] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.subscriber,
                           (SELECT count(*) FROM event_outbox e WHERE e.id > c.last_id),
                           (SELECT e.at FROM event_outbox e WHERE e.id > c.last_id ORDER BY e.id LIMIT 1)
                    FROM event_cursor c ORDER BY c.subscriber
                    """
            ).map { row in Backlog(subscriber: row[0], pending: row[1], oldest: row[2]) }
        }
    }

    /// Users with a sign-in session used since `date` (the web UI and session-token clients).
    public func usersActive(since date: Date) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(DISTINCT user_id) FROM session WHERE last_used_at >= ?", arguments: [date]) ?? 0
        }
    }
}
