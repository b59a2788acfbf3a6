public import CantoCore
public import Foundation
import GRDB

/// A user's secrets (hashed or sealed by the caller), preferences and avatar. Writes for a
/// user who does not exist throw `NotFoundOrForbidden`.
extension AccountRepository {
    public func passwordHash(of id: UserID) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT password_hash FROM user WHERE id = ?", arguments: [id.rawValue])
        }
    }

    public func setPasswordHash(_ hash: String, of id: UserID) async throws {
        try await pool.write { db in
            guard try db.run("UPDATE user SET password_hash = ? WHERE id = ?", [hash, id.rawValue]) > 0 else {
                throw NotFoundOrForbidden()
            }
        }
    }

    public func sealedAppPassword(of id: UserID) async throws -> Data? {
        try await pool.read { db in
            try Data.fetchOne(
                db.cachedStatement(sql: "SELECT app_password FROM user WHERE id = ?"), arguments: [id.rawValue])
        }
    }

    public func setSealedAppPassword(_ sealed: Data, of id: UserID) async throws {
        try await pool.write { db in
            guard try db.run("UPDATE user SET app_password = ? WHERE id = ?", [sealed, id.rawValue]) > 0 else {
                throw NotFoundOrForbidden()
            }
        }
    }

    /// The saved preferences, or the defaults when the user never saved any.
    public func preferences(of id: UserID) async throws -> UserPreferences {
        try await pool.read { db in
            guard
                let found = try Row.fetchOne(
                    db, sql: "SELECT * FROM user_preferences WHERE user_id = ?", arguments: [id.rawValue])
            else { return UserPreferences() }
            let row = StoredRow(found, table: "user_preferences")
            return try UserPreferences(
                streamFormat: row["stream_format"], maxBitrate: row["max_bitrate"], theme: row["theme"],
                language: row["language"], scrobbling: row["scrobbling"], listeningVisible: row["listening_visible"],
                timeZone: row["time_zone"])
        }
    }

    public func setPreferences(_ preferences: UserPreferences, of id: UserID) async throws {
        guard TimeZone(identifier: preferences.timeZone) != nil else {
            throw DomainError.invalid("timeZone", "is not a known time zone")
        }
        try await pool.writeOwned { db in
            let before = try StatsRollups.owner(id.rawValue, db)
            try db.execute(
                sql: """
                    INSERT INTO user_preferences (user_id, stream_format, max_bitrate, theme, language, scrobbling,
                        listening_visible, time_zone)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(user_id) DO UPDATE SET stream_format = excluded.stream_format,
                        max_bitrate = excluded.max_bitrate, theme = excluded.theme, language = excluded.language,
                        scrobbling = excluded.scrobbling, listening_visible = excluded.listening_visible,
                        time_zone = excluded.time_zone
                    """,
                arguments: [
                    id.rawValue, preferences.streamFormat, preferences.maxBitrate, preferences.theme,
                    preferences.language, preferences.scrobbling, preferences.listeningVisible, preferences.timeZone,
                ])
            // In or out of the household's figures as they now choose.
            if before.shared != preferences.listeningVisible {
                try StatsRollups.share(id.rawValue, sign: preferences.listeningVisible ? 1 : -1, db)
            }
            // The listener's days are their own: a new time zone rolls their history up again.
            if before.zone.identifier != preferences.timeZone { try StatsRollups.rebuild(db, user: id) }
        }
    }

    public func avatar(of id: UserID) async throws -> Picture? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT mime_type, data FROM user_avatar WHERE user_id = ?", arguments: [id.rawValue]
            ).map { row in
                let row = StoredRow(row, table: "user_avatar")
                return try Picture(data: row["data"], mimeType: row["mime_type"])
            }
        }
    }

    /// Replaces the avatar; nil removes it.
    public func setAvatar(_ avatar: Picture?, of id: UserID) async throws {
        try await pool.writeOwned { db in
            guard let avatar else {
                try db.execute(sql: "DELETE FROM user_avatar WHERE user_id = ?", arguments: [id.rawValue])
                return
            }
            try db.execute(
                sql: """
                    INSERT INTO user_avatar (user_id, mime_type, data) VALUES (?, ?, ?)
                    ON CONFLICT(user_id) DO UPDATE SET mime_type = excluded.mime_type, data = excluded.data
                    """, arguments: [id.rawValue, avatar.mimeType, avatar.data])
        }
    }
}
