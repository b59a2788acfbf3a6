import CantoCore
import CantoPluginKit
import CantoTestSupport
import Foundation
import HTTPTypes
import Logging
import Testing

@testable import CantoServer

/// A plugin's own tables through a real server: its migrations run before it starts, its route
/// writes rows in the server's database (kept across a restart), a statement beyond its tables is
/// refused with a reason, and a plugin whose migration is refused fails alone.
@Suite("Plugin tables")
struct PluginTablesTests {
    /// Keeps a tally of marks per listener in `tally_mark`.
    struct Tally: RoutedPlugin {
        static let descriptor = PluginDescriptor(
            id: "tally", name: "Tally", version: "1", enabledByDefault: true,
            permissions: PluginPermissions(routes: true),
            migrations: [
                PluginMigration(
                    "1-marks",
                    [
                        "CREATE TABLE tally_mark (id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, note TEXT NOT NULL)",
                        "CREATE INDEX tally_mark_user ON tally_mark(user_id)",
                    ])
            ])
        let tables: any PluginTables
        init(configuration: PluginConfiguration, context: PluginContext) throws { tables = context.tables }

        func handle(_ request: PluginRequest) async throws -> PluginResponse {
            guard let caller = request.caller else { return PluginResponse(status: 401) }
            let user = caller.userID.rawValue
            switch (request.method, request.path) {
            case ("POST", "marks"):
                let note = request.json?["note"] as? String ?? ""
                let count = try await tables.write { sql in
                    try sql.execute("INSERT INTO tally_mark (user_id, note) VALUES (?, ?)", [.text(user), .text(note)])
                    return try sql.rows("SELECT count(*) AS n FROM tally_mark WHERE user_id = ?", [.text(user)])
                        .first?["n"].integer ?? 0
                }
                return .json(["count": count], status: 201)
            case ("GET", "marks"):
                let notes = try await tables.read { sql in
                    try sql.rows("SELECT note FROM tally_mark WHERE user_id = ? ORDER BY id", [.text(user)])
                        .compactMap { $0["note"].text }
                }
                return .json(["notes": notes])
            case ("GET", "peek"):
                // What a careless plugin might try: another table of the server's.
                do {
                    _ = try await tables.read { sql in try sql.rows("SELECT username FROM user", []) }
                    return .text("read the users")
                } catch let refused as PluginSQLRefused {
                    return .text(refused.description, status: 403)
                }
            default:
                return PluginResponse(status: 404)
            }
        }
    }

    /// Its migration names a table that is not its own.
    struct Greedy: CantoPlugin {
        static let descriptor = PluginDescriptor(
            id: "greedy", name: "Greedy", version: "1", enabledByDefault: true,
            migrations: [PluginMigration("1", ["CREATE TABLE listens (id INTEGER)"])])
        init(configuration: PluginConfiguration, context: PluginContext) throws {}
    }

    @Test func aPluginKeepsRowsInItsOwnTablesAndReachesNoOthers() async throws {
        let server = try await InProcessServer.start(plugins: [Tally.self, Greedy.self])
        let rita = try await server.addUser("rita")
        let tom = try await server.addUser("tom")
        try await server.withClient { client in
            for note in ["first", "second"] {
                let added = try await client.send(
                    .post, "/api/v1/plugins/tally/marks", token: rita.token, json: ["note": note])
                #expect(added.status == .created, "\(added.body)")
            }
            let one = try await client.send(.post, "/api/v1/plugins/tally/marks", token: tom.token, json: ["note": "x"])
            #expect(one.json["count"] as? Int == 1)
            let listed = try await client.send(.get, "/api/v1/plugins/tally/marks", token: rita.token)
            #expect(listed.json["notes"] as? [String] == ["first", "second"])
            let peek = try await client.send(.get, "/api/v1/plugins/tally/peek", token: rita.token)
            #expect(peek.status == .forbidden)
            #expect(peek.body.contains("not the plugin's"), "\(peek.body)")
        }
        // The refused migration failed that plugin alone, with the reason shown; nothing of it stayed.
        let statuses = await server.services.registry.status()
        let greedy = statuses.first { $0.descriptor.id == "greedy" }
        #expect(greedy?.state == .failed)
        #expect(greedy?.message?.contains("listens") == true, "\(greedy?.message ?? "")")
        #expect(statuses.first { $0.descriptor.id == "tally" }?.state == .running)
        // In the server's database: a restarted server has the rows and runs no migration twice.
        let restarted = try await CantoServices(
            configuration: server.configuration, logger: Logger(label: "restarted"),
            plugins: BuiltinPlugins.all + [Tally.self])
        await restarted.registry.startAll()
        #expect(await restarted.registry.isRunning("tally"))
        let tables = PluginContext.forTests(
            Tally.descriptor, data: server.data.url, database: restarted.scanning.database
        ).tables
        let count = try await tables.read { sql in try sql.rows("SELECT count(*) AS n FROM tally_mark", []) }
        #expect(count.first?["n"].integer == 3)
    }
}
