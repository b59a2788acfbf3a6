import CantoCore
import GRDB

@testable import CantoStore

extension CantoDatabase {
    /// Adds a library the way a file from before the media-source column (v7) held it, for the
    /// migration tests that write into an older schema.
    func insertLegacyLibrary(_ library: Library) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT INTO library (id, name, path) VALUES (?, ?, ?)",
                arguments: [library.id.rawValue, library.name, library.path])
        }
    }
}
