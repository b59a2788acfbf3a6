public import CantoCore
public import Foundation
import GRDB

/// One plugin's key-value store (`PluginStorage`) in `plugin_value`.
public struct PluginValueRepository: PluginStorage {
    let pool: MeteredPool
    let pluginID: String
    static let maxKeyLength = 200
    static let maxValueBytes = 1 << 20
    static let maxKeys = 10_000

    public init(database: CantoDatabase, pluginID: String) {
        pool = MeteredPool(database.pool, repository: "plugin_values")
        self.pluginID = pluginID
    }

    public func value(for key: String) async throws -> Data? {
        try await pool.read { db in
            try Data.fetchOne(
                db, sql: "SELECT value FROM plugin_value WHERE plugin_id = ? AND key = ?", arguments: [pluginID, key])
        }
    }

    public func setValue(_ value: Data?, for key: String) async throws {
        let pluginID = pluginID
        guard !key.isEmpty, key.count <= Self.maxKeyLength else {
            throw PluginStorageLimit(pluginID: pluginID, reason: "keys are 1 to \(Self.maxKeyLength) characters")
        }
        guard let value else {
            try await pool.write { db in
                _ = try db.run("DELETE FROM plugin_value WHERE plugin_id = ? AND key = ?", [pluginID, key])
            }
            return
        }
        guard value.count <= Self.maxValueBytes else {
            throw PluginStorageLimit(pluginID: pluginID, reason: "values are at most 1 MiB")
        }
        let now = try Date().storable("updatedAt")
        try await pool.write { db in
            let exists = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM plugin_value WHERE plugin_id = ? AND key = ?", arguments: [pluginID, key])
            if exists != true,
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM plugin_value WHERE plugin_id = ?", arguments: [pluginID])
                    ?? 0 >= Self.maxKeys
            {
                throw PluginStorageLimit(pluginID: pluginID, reason: "at most \(Self.maxKeys) keys")
            }
            _ = try db.run(
                """
                INSERT INTO plugin_value (plugin_id, key, value, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (plugin_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """, [pluginID, key, value, now])
        }
    }

    public func keys(prefix: String) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT key FROM plugin_value WHERE plugin_id = ? AND substr(key, 1, ?) = ? ORDER BY key
                    """, arguments: [pluginID, prefix.count, prefix])
        }
    }
}
