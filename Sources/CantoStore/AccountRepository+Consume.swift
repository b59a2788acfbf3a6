import CantoCore
import GRDB

extension AccountRepository {
    public func consumeSetting(_ key: String, ifEquals value: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM setting WHERE key = ? AND value = ?", arguments: [key, value])
            return db.changesCount == 1
        }
    }
}
