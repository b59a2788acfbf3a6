import CantoCore
import CantoStore
import CantoTestSupport
import Foundation
import Testing

/// A plugin's own tables: migrations run once each, in order, in a transaction; statements reach
/// the plugin's tables and nothing else, whatever way they are spelled.
@Suite struct PluginTableTests {
    static let schema = [
        PluginMigration(
            "1-marks",
            [
                "CREATE TABLE tally_mark (id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, note TEXT)",
                "CREATE INDEX tally_mark_user ON tally_mark(user_id)",
            ]),
        PluginMigration(
            "2-weight",
            [
                "ALTER TABLE tally_mark ADD COLUMN weight REAL NOT NULL DEFAULT 1",
                "CREATE TABLE IF NOT EXISTS main.tally_tag (mark_id INTEGER NOT NULL REFERENCES tally_mark(id), tag TEXT)",
            ]),
    ]

    /// A fresh database and plugin `tally`'s tables in it; the folder lives as long as this value.
    struct Opened {
        let directory: TemporaryDirectory
        let store: PluginTableStore
    }

    static func open() throws -> Opened {
        let directory = try TemporaryDirectory(prefix: "canto-plugin-tables")
        let database = try CantoDatabase(dataDirectory: directory.url)
        return Opened(
            directory: directory, store: PluginTableStore(database: database, pluginID: "tally", declaresTables: true))
    }

    @Test func migrationsRunOnceInOrderAndTheTablesAreThePlugins() async throws {
        let opened = try Self.open()
        defer { withExtendedLifetime(opened) {} }
        let (directory, store) = (opened.directory, opened.store)
        #expect(try await store.migrate(Array(Self.schema.prefix(1))) == ["1-marks"])
        // A later version adds a migration: only the new one runs.
        #expect(try await store.migrate(Self.schema) == ["2-weight"])
        #expect(try await store.migrate(Self.schema).isEmpty)
        let total = try await store.write { sql in
            try sql.execute(
                "INSERT INTO tally_mark (user_id, note, weight) VALUES (?, ?, ?)", [.text("u1"), .text("hi"), .real(2)])
            #expect(sql.changes == 1)
            try sql.execute("INSERT INTO tally_mark (user_id) VALUES (?)", [.text("u1")])
            try sql.execute("INSERT INTO tally_tag (mark_id, tag) VALUES (1, 'x')", [])
            return try sql.rows(
                "SELECT sum(weight) AS total, count(*) AS n FROM tally_mark m JOIN tally_tag t ON t.mark_id = m.id "
                    + "WHERE m.user_id = ?", [.text("u1")]
            ).first
        }
        #expect(total?["total"].real == 2)
        #expect(total?["n"].integer == 1)
        // Kept in the server's database file.
        let reopened = PluginTableStore(
            database: try CantoDatabase(dataDirectory: directory.url), pluginID: "tally", declaresTables: true)
        #expect(try await reopened.migrate(Self.schema).isEmpty)
        let count = try await reopened.read { sql in try sql.rows("SELECT count(*) AS n FROM tally_mark", []) }
        #expect(count.first?["n"].integer == 2)
    }

    /// An approved text is remembered with the schema it was checked against: after a
    /// migration it is checked again, and reads what the new schema holds.
    @Test func anApprovedStatementIsCheckedAgainAfterTheSchemaChanges() async throws {
        let opened = try Self.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        try await store.migrate(Array(Self.schema.prefix(1)))
        let query = "SELECT * FROM tally_mark WHERE user_id = ?"
        for _ in 0..<3 {
            try await store.write { sql in try sql.execute("INSERT INTO tally_mark (user_id) VALUES (?)", [.text("u1")])
            }
            #expect(try await store.read { sql in try sql.rows(query, [.text("u1")]).first?.columns.count } == 3)
        }
        try await store.migrate(Self.schema)
        let row = try await store.read { sql in try sql.rows(query, [.text("u1")]).first }
        #expect(row?["weight"].real == 1)
        #expect(try await store.read { sql in try sql.rows(query, [.text("u1")]).count } == 3)
    }

    @Test func aWriteThatThrowsKeepsNothing() async throws {
        let opened = try Self.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        try await store.migrate(Self.schema)
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await store.write { sql in
                try sql.execute("INSERT INTO tally_mark (user_id) VALUES ('u1')", [])
                throw Boom()
            }
        }
        let count = try await store.read { sql in try sql.rows("SELECT count(*) AS n FROM tally_mark", []) }
        #expect(count.first?["n"].integer == 0)
    }

    @Test func aFailingMigrationIsUndoneAndRunsAgainLater() async throws {
        let opened = try Self.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        let broken = PluginMigration(
            "1-marks", ["CREATE TABLE tally_mark (id INTEGER PRIMARY KEY)", "CREATE TABLE user_copy (id TEXT)"])
        await #expect(throws: PluginSQLRefused.self) { try await store.migrate([broken]) }
        // Nothing of it stayed, so the fixed one runs from the start.
        #expect(try await store.migrate(Self.schema) == ["1-marks", "2-weight"])
        await #expect(throws: PluginSQLRefused.self) {
            try await store.migrate([PluginMigration("a", []), PluginMigration("a", [])])
        }
    }

    @Test(arguments: [
        // Other tables, however spelled.
        "SELECT * FROM user",
        "SELECT * FROM \"user\"",
        "SELECT * FROM main.user",
        "SELECT * FROM [user]",
        "SELECT m.id FROM tally_mark m, user u",
        "SELECT (SELECT password_hash FROM user LIMIT 1) FROM tally_mark",
        "SELECT * FROM tally_mark WHERE user_id IN (SELECT id FROM user)",
        "WITH x AS (SELECT id FROM user) SELECT * FROM x",
        "SELECT * FROM tally_mark UNION SELECT id, username, NULL, 1 FROM user",
        "SELECT * FROM sqlite_schema",
        "SELECT * FROM track_fts",
        "INSERT INTO user (id) VALUES ('x')",
        "INSERT INTO tally_mark (user_id) SELECT id FROM user",
        "UPDATE track SET title = 'x'",
        "DELETE FROM user",
        "DELETE FROM session",
        "REPLACE INTO plugin_value (plugin_id, key, value, updated_at) VALUES ('lastfm', 'k', x'00', 0)",
        // Statements that are not for plugins.
        "PRAGMA foreign_keys = OFF",
        "ATTACH DATABASE '/tmp/x.db' AS x",
        "VACUUM",
        "BEGIN",
        "COMMIT",
        "SELECT 1; DELETE FROM user",
        "SELECT * FROM tally_mark; -- fine\nDROP TABLE user",
        // Schema changes outside migrations.
        "CREATE TABLE tally_other (id INTEGER)",
        "DROP TABLE tally_mark",
        "CREATE TEMP TABLE tally_t (id INTEGER)",
        "SELECT 'unterminated",
    ])
    func statementsReachingBeyondThePluginsTablesAreRefused(_ statement: String) async throws {
        let opened = try Self.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        try await store.migrate(Self.schema)
        await #expect(throws: PluginSQLRefused.self, "\(statement)") {
            try await store.write { sql in _ = try sql.rows(statement, []) }
        }
        // Approvals are remembered, refusals are not: the same text is refused again.
        await #expect(throws: PluginSQLRefused.self, "\(statement), a second time") {
            try await store.write { sql in _ = try sql.rows(statement, []) }
        }
        // Nothing was changed on the way.
        let count = try await store.read { sql in try sql.rows("SELECT count(*) AS n FROM tally_mark", []) }
        #expect(count.first?["n"].integer == 0)
    }

    @Test(arguments: [
        "CREATE TABLE marks (id INTEGER)",
        "CREATE TABLE talley_mark (id INTEGER)",
        "CREATE TABLE tally_ (id INTEGER)",
        "CREATE TABLE tally_x (id INTEGER PRIMARY KEY AUTOINCREMENT)",
        "CREATE TABLE tally_x (id TEXT REFERENCES user(id))",
        "CREATE TABLE tally_x AS SELECT * FROM user",
        "CREATE INDEX tally_i ON user(username)",
        "CREATE INDEX user_i ON tally_mark(user_id)",
        "CREATE TRIGGER tally_t AFTER INSERT ON tally_mark BEGIN DELETE FROM user; END",
        "CREATE VIEW tally_v AS SELECT * FROM user",
        "CREATE VIRTUAL TABLE tally_f USING fts5(x)",
        "CREATE TABLE temp.tally_x (id INTEGER)",
        "DROP TABLE user",
        "DROP TRIGGER track_fts_insert",
        "ALTER TABLE user ADD COLUMN x TEXT",
        "ALTER TABLE tally_mark RENAME TO user_marks",
        "PRAGMA writable_schema = ON",
    ])
    func migrationsReachOnlyThePluginsOwnNames(_ statement: String) async throws {
        let opened = try Self.open()
        defer { withExtendedLifetime(opened) {} }
        let store = opened.store
        try await store.migrate(Array(Self.schema.prefix(1)))
        await #expect(throws: PluginSQLRefused.self, "\(statement)") {
            try await store.migrate([PluginMigration("x", [statement])])
        }
    }

    @Test func aPluginWithoutMigrationsHasNoTables() async throws {
        let directory = try TemporaryDirectory(prefix: "canto-plugin-notables")
        let store = PluginTableStore(
            database: try CantoDatabase(dataDirectory: directory.url), pluginID: "plain", declaresTables: false)
        await #expect(throws: PluginSQLRefused.self) { try await store.read { sql in try sql.rows("SELECT 1", []) } }
    }
}
