public import CantoCore
public import Foundation
import GRDB

/// The audit log and server-wide settings.
extension AccountRepository {
    public func record(
        _ kind: AuditEvent.Kind, actor: UserID?, subject: String?, address: String?, at date: Date
    ) async throws {
        let date = try date.storable("at")
        try await pool.write { db in
            _ = try db.run(
                "INSERT INTO audit_event (at, kind, actor_id, subject, address) VALUES (?, ?, ?, ?, ?)",
                [date, kind.rawValue, actor?.rawValue, subject, address])
        }
    }

    /// Newest first; events recorded at the same instant, last recorded first. One row that does
    /// not decode (see `StoredValueUnreadable`) fails the whole page.
    public func auditEvents(offset: Int, limit: Int) async throws -> [AuditEvent] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM audit_event ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
                arguments: [max(limit, 0), max(offset, 0)]
            ).compactMap { row in
                let row = StoredRow(row, table: "audit_event")
                // A kind this version does not know (written by a newer one) is left out.
                guard let kind = AuditEvent.Kind(rawValue: try row["kind"]) else { return nil }
                return try AuditEvent(
                    id: row["id"], at: row.date("at"), kind: kind,
                    actorID: (row["actor_id"] as String?).map { UserID($0) }, subject: row["subject"],
                    address: row["address"])
            }
        }
    }

    public func setting(_ key: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM setting WHERE key = ?", arguments: [key])
        }
    }

    /// Sets a value; nil removes it.
    public func setSetting(_ key: String, to value: String?) async throws {
        try await pool.write { db in try Self.save(key, value, db) }
    }

    public func setSetting(_ key: String, to value: String?, publishing event: DomainEvent, at date: Date)
        async throws
    {
        try await pool.write { db in
            try Self.save(key, value, db)
            try db.appendEvent(event, at: date)
        }
    }

    private static func save(_ key: String, _ value: String?, _ db: Database) throws {
        guard let value else {
            try db.run("DELETE FROM setting WHERE key = ?", [key])
            return
        }
        try db.run(
            "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value])
    }
}
