public import CantoCore
public import Foundation
import GRDB

/// The server's activity counters, scans and slow requests (`server_hour`, `scan_run`,
/// `slow_request`); the oldest slow requests and scans beyond a few hundred are dropped.
public struct ServerActivityRepository: ServerActivityStore {
    let pool: MeteredPool
    static let keptRows = 500

    public init(database: CantoDatabase) {
        pool = MeteredPool(database.pool, repository: "server_activity")
    }

    public func add(_ counts: [ActivityKey: Int], slow: [SlowRequest]) async throws {
        guard !counts.isEmpty || !slow.isEmpty else { return }
        let slow = try slow.map { request in
            var request = request
            request.at = try request.at.storable("at")
            return request
        }
        try await pool.write { db in
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO server_hour (hour, name, label, value) VALUES (?, ?, ?, ?)
                    ON CONFLICT (hour, name, label) DO UPDATE SET value = value + excluded.value
                    """)
            for (key, value) in counts {
                try upsert.execute(arguments: [key.hour, key.name, String(key.label.prefix(64)), value])
            }
            for request in slow {
                try db.execute(
                    sql: "INSERT INTO slow_request (at, method, path, status, ms) VALUES (?, ?, ?, ?, ?)",
                    arguments: [
                        request.at, request.method, String(request.path.prefix(300)), request.status,
                        request.milliseconds,
                    ])
            }
            if !slow.isEmpty {
                try db.execute(
                    sql: "DELETE FROM slow_request WHERE id <= (SELECT max(id) FROM slow_request) - ?",
                    arguments: [Self.keptRows])
            }
        }
    }

    public func counters(since hour: Int) async throws -> [(key: ActivityKey, value: Int)] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT hour, name, label, value FROM server_hour WHERE hour >= ? ORDER BY hour",
                arguments: [hour]
            ).map { row in
                let row = StoredRow(row, table: "server_hour")
                return (ActivityKey(hour: try row[0], name: try row[1], label: try row[2]), try row[3])
            }
        }
    }

    public func record(_ scan: ScanRun) async throws {
        let finished = try scan.finishedAt.storable("finishedAt")
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO scan_run (finished_at, seconds, added, updated, removed, errors, cancelled)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    finished, scan.seconds.isFinite ? scan.seconds : 0, scan.added, scan.updated, scan.removed,
                    scan.errors, scan.cancelled,
                ])
            try db.execute(
                sql: "DELETE FROM scan_run WHERE id <= (SELECT max(id) FROM scan_run) - ?", arguments: [Self.keptRows])
        }
    }

    public func scans(limit: Int) async throws -> [ScanRun] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT finished_at, seconds, added, updated, removed, errors, cancelled FROM scan_run
                    ORDER BY id DESC LIMIT ?
                    """, arguments: [max(0, limit)]
            ).map { row in
                let row = StoredRow(row, table: "scan_run")
                return ScanRun(
                    finishedAt: try row.date(0), seconds: try row[1], added: try row[2], updated: try row[3],
                    removed: try row[4], errors: try row[5], cancelled: try row[6])
            }
        }
    }

    public func slowRequests(since: Date, limit: Int) async throws -> [SlowRequest] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT at, method, path, status, ms FROM slow_request WHERE at >= ? ORDER BY ms DESC LIMIT ?",
                arguments: [since, max(0, limit)]
            ).map { row in
                let row = StoredRow(row, table: "slow_request")
                return SlowRequest(
                    at: try row.date(0), method: try row[1], path: try row[2], status: try row[3],
                    milliseconds: try row[4])
            }
        }
    }

    public func activeListeners(since: Date) async throws -> Int {
        try await pool.read { db in
            // Each user's newest play, by the (user_id, started_at) index.
            try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM user
                    WHERE (SELECT max(started_at) FROM play WHERE play.user_id = user.id) >= ?
                    """, arguments: [since]) ?? 0
        }
    }

    public func albumsAddedByMonth() async throws -> [(month: String, albums: Int)] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT substr(created_at, 1, 7) AS month, count(*) FROM album GROUP BY month ORDER BY month"
            ).map { row in
                let row = StoredRow(row, table: "album")
                return (try row[0], try row[1])
            }
        }
    }
}
