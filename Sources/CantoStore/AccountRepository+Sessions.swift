public import CantoCore
public import Foundation
import GRDB

/// Sessions, found by the hash of their token: the token itself is never stored.
extension AccountRepository {
    /// Throws `DomainError.invalid` for a date outside `StoredTime`'s range (nothing is stored).
    public func createSession(_ session: Session, tokenHash: String) async throws {
        let createdAt = try session.createdAt.storable("createdAt")
        let expiresAt = try session.expiresAt.storable("expiresAt")
        let lastUsedAt = try session.lastUsedAt.storable("lastUsedAt")
        try await pool.writeOwned { db in
            try db.execute(
                sql: """
                    INSERT INTO session (id, user_id, token_hash, created_at, expires_at, last_used_at, client, address)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.id.rawValue, session.userID.rawValue, tokenHash, createdAt, expiresAt, lastUsedAt,
                    session.client, session.address,
                ])
        }
    }

    /// Runs on every signed-in request: kept until the sessions change (`WatchedTables.sessions`),
    /// then one row by its unique hash, through the statement cache, on the caller's thread (see
    /// `QuickReader`), one statement without a transaction around it. Throws
    /// `StoredValueUnreadable` when the row does not decode.
    public func session(tokenHash: String) async throws -> Session? {
        try sessionsByHash.value(for: tokenHash, version: quick.version(of: .sessions)) {
            try quick.readEachStatement { db in
                try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM session WHERE token_hash = ?"), arguments: [tokenHash]
                ).map(Self.session)
            }
        }
    }

    /// Most recently used first. One row that does not decode (see `StoredValueUnreadable`)
    /// fails the whole list.
    public func sessions(of user: UserID) async throws -> [Session] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM session WHERE user_id = ? ORDER BY last_used_at DESC, id",
                arguments: [user.rawValue]
            ).map(Self.session)
        }
    }

    public func touchSession(_ id: SessionID, at date: Date) async throws {
        let date = try date.storable("lastUsedAt")
        try await pool.write { db in
            _ = try db.run("UPDATE session SET last_used_at = ? WHERE id = ?", [date, id.rawValue])
        }
    }

    public func deleteSession(_ id: SessionID, owner: UserID?) async throws -> Bool {
        try await pool.write { db in
            if let owner {
                return try db.run("DELETE FROM session WHERE id = ? AND user_id = ?", [id.rawValue, owner.rawValue]) > 0
            }
            return try db.run("DELETE FROM session WHERE id = ?", [id.rawValue]) > 0
        }
    }

    public func deleteSessions(of user: UserID) async throws {
        try await pool.write { db in
            _ = try db.run("DELETE FROM session WHERE user_id = ?", [user.rawValue])
        }
    }

    /// Deletes sessions past their expiry, or unused since `now - idleTimeout`, the same
    /// limits sign-in checks; returns how many.
    public func deleteExpiredSessions(now: Date, idleTimeout: TimeInterval) async throws -> Int {
        try await pool.write { db in
            try db.run(
                "DELETE FROM session WHERE expires_at <= ? OR last_used_at <= ?",
                [now, now.addingTimeInterval(-idleTimeout)])
        }
    }

    static func session(_ row: Row) throws -> Session {
        let row = StoredRow(row, table: "session")
        return try Session(
            id: SessionID(row["id"]), userID: UserID(row["user_id"]), createdAt: row.date("created_at"),
            expiresAt: row.date("expires_at"), lastUsedAt: row.date("last_used_at"), client: row["client"],
            address: row["address"])
    }
}
