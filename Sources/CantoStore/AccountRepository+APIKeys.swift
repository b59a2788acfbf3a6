public import CantoCore
public import Foundation
import GRDB

/// OpenSubsonic API keys, found by the hash of the key.
extension AccountRepository {
    /// Throws `DomainError.invalid` for a date outside `StoredTime`'s range (nothing is stored).
    public func createAPIKey(_ key: APIKey, keyHash: String) async throws {
        let createdAt = try key.createdAt.storable("createdAt")
        let lastUsedAt = try key.lastUsedAt.storable("lastUsedAt")
        try await pool.writeOwned { db in
            try db.execute(
                sql: """
                    INSERT INTO api_key (id, user_id, name, key_hash, created_at, last_used_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    key.id.rawValue, key.userID.rawValue, key.name, keyHash, createdAt, lastUsedAt,
                ])
        }
    }

    /// Runs on every Subsonic request made with a key: one row by its unique hash, through the
    /// statement cache, on the caller's thread (see `QuickReader`).
    public func apiKey(hash: String) async throws -> APIKey? {
        try quick.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM api_key WHERE key_hash = ?"), arguments: [hash])
                .map(Self.apiKey)
        }
    }

    /// Oldest first, as the user created them. One row that does not decode (see
    /// `StoredValueUnreadable`) fails the whole list.
    public func apiKeys(of user: UserID) async throws -> [APIKey] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM api_key WHERE user_id = ? ORDER BY created_at, id", arguments: [user.rawValue]
            ).map(Self.apiKey)
        }
    }

    public func deleteAPIKey(_ id: APIKeyID, owner: UserID) async throws -> Bool {
        try await pool.write { db in
            try db.run("DELETE FROM api_key WHERE id = ? AND user_id = ?", [id.rawValue, owner.rawValue]) > 0
        }
    }

    public func touchAPIKey(_ id: APIKeyID, at date: Date) async throws {
        let date = try date.storable("lastUsedAt")
        try await pool.write { db in
            _ = try db.run("UPDATE api_key SET last_used_at = ? WHERE id = ?", [date, id.rawValue])
        }
    }

    static func apiKey(_ row: Row) throws -> APIKey {
        let row = StoredRow(row, table: "api_key")
        return try APIKey(
            id: APIKeyID(row["id"]), userID: UserID(row["user_id"]), name: row["name"],
            createdAt: row.date("created_at"), lastUsedAt: row.optionalDate("last_used_at"))
    }
}
