import CantoCore
import CantoPluginKit
import CantoPluginKitTesting
import Foundation
import Testing

/// The plugin testing kit as a plugin author uses it: the guide's walk-through plugin against a
/// stub upstream, and a plugin with events, a job, a route and tables of its own driven by event
/// injection, the manual clock and in-process requests.
@Suite("Plugin testing kit")
struct PluginTestHostTests {
    /// Counts stars in its own table; a job writes a tick every hour; a route reads both.
    struct Tally: EventsPlugin, ScheduledPlugin, RoutedPlugin {
        static let descriptor = PluginDescriptor(
            id: "tally", name: "Tally", version: "1", enabledByDefault: true,
            permissions: PluginPermissions(routes: true, events: true),
            migrations: [
                PluginMigration(
                    "1",
                    [
                        "CREATE TABLE tally_star (user_id TEXT NOT NULL, item TEXT NOT NULL)",
                        "CREATE TABLE tally_tick (at REAL)",
                    ])
            ])
        let tables: any PluginTables
        init(configuration: PluginConfiguration, context: PluginContext) throws { tables = context.tables }

        func handle(_ stored: StoredEvent) async throws {
            guard case .starred(let user, let item, _, true) = stored.event else { return }
            try await tables.write { sql in
                try sql.execute(
                    "INSERT INTO tally_star (user_id, item) VALUES (?, ?)", [.text(user.rawValue), .text(item)])
            }
        }

        var jobs: [PluginJob] {
            [
                PluginJob(name: "tick", every: .seconds(3600)) { [tables] in
                    try await tables.write { sql in
                        try sql.execute("INSERT INTO tally_tick (at) VALUES (?)", [.real(Date().timeIntervalSince1970)])
                    }
                }
            ]
        }

        func handle(_ request: PluginRequest) async throws -> PluginResponse {
            let counts = try await tables.read { sql in
                (
                    try sql.rows("SELECT count(*) AS n FROM tally_star", [])[0]["n"].integer ?? 0,
                    try sql.rows("SELECT count(*) AS n FROM tally_tick", [])[0]["n"].integer ?? 0
                )
            }
            return .json(["stars": counts.0, "ticks": counts.1, "caller": request.caller?.username ?? ""])
        }
    }

    @Test func eventsJobsRoutesAndTablesThroughTheHost() async throws {
        try await PluginTestHost.run([Tally.self]) { host in
            let rita = try await host.addListener("rita")
            #expect(await host.status(of: "tally")?.state == "running")
            // Event injection: a star reaches the plugin through the outbox.
            try await host.publish(
                .starred(user: rita.user.id, item: host.tracks[0].id.rawValue, kind: .track, starred: true))
            try await host.deliverEvents {
                try await host.request("GET", "/api/v1/plugins/tally/count", as: rita).json["stars"] as? Int == 1
            }
            // The job is due at start; then only when the clock has moved an hour on.
            // (Only the tally's jobs: the built-in recommender reindexes on its own schedule.)
            #expect(await host.advanceClock(by: 0).filter { $0.hasPrefix("tally/") } == ["tally/tick"])
            #expect(await host.advanceClock(by: 1_800).filter { $0.hasPrefix("tally/") }.isEmpty)
            #expect(await host.advanceClock(by: 1_800).filter { $0.hasPrefix("tally/") } == ["tally/tick"])
            let answer = try await host.request("GET", "/api/v1/plugins/tally/count", as: rita)
            #expect(answer.json["ticks"] as? Int == 2)
            #expect(answer.json["caller"] as? String == "rita")
            // Without signing in, the route is closed.
            #expect(try await host.request("GET", "/api/v1/plugins/tally/count").status == 401)
        }
    }

    @Test func theGuidesWalkThroughPluginScrobblesToItsWebhook() async throws {
        try await StubUpstream.run({ request in
            guard request.headers["authorization"] == "Bearer dash-token" else { return .text("who?", status: 401) }
            return request.path == "/canto/whoami" ? .json(["name": "kitchen"]) : .json([:])
        }) { upstream, base in
            try await PluginTestHost.run(
                [WebhookScrobbler.self], configuration: ["webhook": ["enabled": "true", "url": base + "/canto"]]
            ) { host in
                let rita = try await host.addListener("rita")
                await #expect(throws: PluginTestHost.HostError.self) {
                    try await host.linkToken("webhook", "wrong", for: rita)
                }
                let linked = try await host.linkToken("webhook", "dash-token", for: rita)
                #expect(linked.json["account"] as? String == "kitchen")
                try await host.startPlaying(host.tracks[1], by: rita)
                try await host.play(host.tracks[1], by: rita)
                try await host.deliverEvents { await upstream.requests(to: "/canto/plays").count == 1 }
                let play = try #require(await upstream.requests(to: "/canto/plays").first)
                let sent = try JSONSerialization.jsonObject(with: play.body) as? [[String: Any]]
                #expect(sent?.first?["title"] as? String == "Second Song")
                #expect(sent?.first?["seconds"] as? Int == 200)
                #expect(await upstream.requests(to: "/canto/now-playing").count == 1)
            }
        }
    }

    @Test func theWalkThroughIsTheGuidesCodeWordForWord() throws {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let root = tests.deletingLastPathComponent().deletingLastPathComponent()
        let guide = try String(contentsOf: root.appendingPathComponent("docs/plugins.md"), encoding: .utf8)
        let source = try String(contentsOf: tests.appendingPathComponent("WebhookScrobbler.swift"), encoding: .utf8)
        let code = source.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)[1]
        #expect(guide.contains("```swift\n" + code + "```"))
        #expect(code.split(separator: "\n").count < 150)
    }
}
