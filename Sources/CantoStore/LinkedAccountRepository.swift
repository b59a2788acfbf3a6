public import CantoCore
public import Foundation
import GRDB

/// Listeners' linked accounts at plugins' services, in `plugin_account`.
public struct LinkedAccountRepository: LinkedAccountStore {
    let pool: MeteredPool

    public init(database: CantoDatabase) {
        pool = MeteredPool(database.pool, repository: "linked_accounts")
    }

    public func linkedAccount(plugin: String, user: UserID) async throws -> LinkedAccountRecord? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM plugin_account WHERE plugin_id = ? AND user_id = ?",
                arguments: [plugin, user.rawValue]
            ).map(Self.record)
        }
    }

    public func linkedAccounts(of user: UserID) async throws -> [LinkedAccountRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM plugin_account WHERE user_id = ? ORDER BY plugin_id", arguments: [user.rawValue]
            ).map(Self.record)
        }
    }

    public func linkedUsers(plugin: String) async throws -> [UserID] {
        try await pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT user_id FROM plugin_account WHERE plugin_id = ? AND state = 'linked' ORDER BY user_id",
                arguments: [plugin]
            ).map { UserID($0) }
        }
    }

    public func saveLinkedAccount(_ record: LinkedAccountRecord) async throws {
        let linkedAt = try record.linkedAt.storable("linkedAt")
        try await pool.write { db in
            _ = try db.run(
                """
                INSERT INTO plugin_account (plugin_id, user_id, secret, name, state, message, linked_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (plugin_id, user_id) DO UPDATE SET secret = excluded.secret, name = excluded.name,
                    state = excluded.state, message = excluded.message, linked_at = excluded.linked_at,
                    sent = 0, last_sent_at = NULL
                """,
                [
                    record.pluginID, record.userID.rawValue, record.sealedSecret, record.name, record.state.rawValue,
                    record.message, linkedAt,
                ])
        }
    }

    public func setLinkedAccountState(
        plugin: String, user: UserID, state: LinkedAccountRecord.State, message: String?
    ) async throws {
        try await pool.write { db in
            _ = try db.run(
                "UPDATE plugin_account SET state = ?, message = ? WHERE plugin_id = ? AND user_id = ?",
                [state.rawValue, message, plugin, user.rawValue])
        }
    }

    public func updateLinkedAccountSecret(plugin: String, user: UserID, sealedSecret: Data) async throws {
        try await pool.write { db in
            _ = try db.run(
                "UPDATE plugin_account SET secret = ? WHERE plugin_id = ? AND user_id = ?",
                [sealedSecret, plugin, user.rawValue])
        }
    }

    public func recordSent(plugin: String, user: UserID, count: Int, at date: Date) async throws {
        let date = try date.storable("at")
        try await pool.write { db in
            _ = try db.run(
                "UPDATE plugin_account SET sent = sent + ?, last_sent_at = ? WHERE plugin_id = ? AND user_id = ?",
                [count, date, plugin, user.rawValue])
        }
    }

    public func deleteLinkedAccount(plugin: String, user: UserID) async throws -> Bool {
        try await pool.write { db in
            try db.run("DELETE FROM plugin_account WHERE plugin_id = ? AND user_id = ?", [plugin, user.rawValue]) > 0
        }
    }

    private static func record(_ row: Row) throws -> LinkedAccountRecord {
        let row = StoredRow(row, table: "plugin_account")
        guard let state = LinkedAccountRecord.State(rawValue: try row["state"]) else {
            throw StoredValueUnreadable(table: "plugin_account", column: "state", type: "State", stored: "text")
        }
        return LinkedAccountRecord(
            pluginID: try row["plugin_id"], userID: UserID(try row["user_id"]), sealedSecret: try row["secret"],
            name: try row["name"], state: state, message: try row["message"], linkedAt: try row.date("linked_at"),
            sent: try row["sent"], lastSentAt: try row.optionalDate("last_sent_at"))
    }
}

extension LinkedAccountRepository: PluginUserSettingStore {
    public func pluginUserSettings(plugin: String, user: UserID) async throws -> [String: String] {
        try await pool.read { db in
            var values: [String: String] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT key, value FROM plugin_user_setting WHERE plugin_id = ? AND user_id = ?",
                arguments: [plugin, user.rawValue])
            {
                let row = StoredRow(row, table: "plugin_user_setting")
                values[try row["key"]] = try row["value"]
            }
            return values
        }
    }

    public func savePluginUserSettings(_ values: [String: String], plugin: String, user: UserID) async throws {
        try await pool.write { db in
            for (key, value) in values {
                _ = try db.run(
                    """
                    INSERT INTO plugin_user_setting (plugin_id, user_id, key, value) VALUES (?, ?, ?, ?)
                    ON CONFLICT (plugin_id, user_id, key) DO UPDATE SET value = excluded.value
                    """, [plugin, user.rawValue, key, value])
            }
        }
    }
}
