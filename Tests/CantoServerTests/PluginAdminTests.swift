import CantoCore
import CantoPluginKit
import CantoTestSupport
import Foundation
import HTTPTypes
import Logging
import Testing

@testable import CantoServer

/// Admins enable, disable and configure plugins at run time from the admin API; the change is kept
/// in the database (secrets sealed) and the configuration file still wins where it sets a key.
@Suite("Plugin administration")
struct PluginAdminTests {
    static func plugin(_ answer: InProcessServer.Answer, _ id: String) -> [String: Any]? {
        (answer.json["items"] as? [[String: Any]])?.first {
            ($0["descriptor"] as? [String: Any])?["id"] as? String == id
        }
    }

    static func setting(_ plugin: [String: Any]?, _ key: String) -> [String: Any]? {
        (plugin?["settings"] as? [[String: Any]])?.first { $0["key"] as? String == key }
    }

    @Test func anAdminEnablesConfiguresAndDisablesAPluginNow() async throws {
        let server = try await InProcessServer.start(
            environment: ["CANTO_PLUGINS_LISTENBRAINZ_BASE_URL": "http://127.0.0.1:9/"])
        let admin = try await server.addAdminSession()
        let user = try await server.addUser("nina")
        let sinks = try await server.withClient { client in
            // Last.fm is off until configured; without its key it refuses to start, and nothing changes.
            let before = try await client.send(.get, "/api/v1/admin/plugins", token: admin)
            #expect(Self.plugin(before, "lastfm")?["state"] as? String == "disabled")
            #expect(Self.setting(Self.plugin(before, "lastfm"), "api_key")?["locked"] as? Bool == false)
            let refused = try await client.send(
                .put, "/api/v1/admin/plugins/lastfm", token: admin, json: ["enabled": true])
            #expect(refused.status == .badRequest, "\(refused.body)")
            #expect(refused.body.contains("api_key"))
            // With its key and secret it runs at once, and listeners can connect it.
            let enabled = try await client.send(
                .put, "/api/v1/admin/plugins/lastfm", token: admin,
                json: ["enabled": true, "values": ["api_key": "key-123", "shared_secret": "very-secret-value"]])
            #expect(enabled.status == .ok, "\(enabled.body)")
            #expect(enabled.json["state"] as? String == "running")
            #expect(Self.setting(enabled.json, "shared_secret")?["value"] as? String == "********")
            #expect(Self.setting(enabled.json, "api_key")?["value"] as? String == "key-123")
            let linkable = try await client.send(.get, "/api/v1/me/linked-accounts", token: user.token)
            let ids = (linkable.json["items"] as? [[String: Any]])?.compactMap { $0["plugin"] as? String } ?? []
            // What the file sets cannot be changed here; unknown keys are refused.
            let locked = try await client.send(
                .put, "/api/v1/admin/plugins/listenbrainz", token: admin,
                json: ["values": ["base_url": "http://elsewhere.example/"]])
            #expect(locked.status == .conflict)
            let unknown = try await client.send(
                .put, "/api/v1/admin/plugins/lastfm", token: admin, json: ["values": ["volume": "11"]])
            #expect(unknown.status == .badRequest)
            #expect(
                try await client.send(.put, "/api/v1/admin/plugins/nothing", token: admin, json: ["enabled": true])
                    .status == .notFound)
            return ids
        }
        #expect(sinks.contains("lastfm"))
        // Kept in the database, the secret sealed: a restarted server runs it configured.
        let bytes =
            try Data(contentsOf: server.data.url.appendingPathComponent("canto.db"))
            + ((try? Data(contentsOf: server.data.url.appendingPathComponent("canto.db-wal"))) ?? Data())
        #expect(bytes.range(of: Data("very-secret-value".utf8)) == nil)
        let restarted = try await CantoServices(
            configuration: server.configuration, logger: Logger(label: "restarted"), plugins: BuiltinPlugins.all)
        await restarted.registry.startAll()
        let again = await restarted.registry.status().first { $0.descriptor.id == "lastfm" }
        #expect(again?.state == .running)
        #expect(restarted.registry.configuration(of: "lastfm").values["shared_secret"] == .string("very-secret-value"))
        // `canto plugins` and `canto config check` see it too, the secret masked, the origin named.
        let effective = try await server.configuration.includingAdminPluginSettings()
        #expect(try effective.describePlugins().first { $0.descriptor.id == "lastfm" }?.enabled == true)
        let rendered = effective.rendered(secretPluginKeys: BuiltinPlugins.secretKeys)
        #expect(rendered.contains("api_key = \"key-123\"  # admin page"), "\(rendered)")
        #expect(rendered.contains("shared_secret = \"********\"  # admin page"))
        #expect(!rendered.contains("very-secret-value"))
        #expect(try server.configuration.describePlugins().first { $0.descriptor.id == "lastfm" }?.enabled == false)
        // Disabled, it stops and leaves the profile.
        try await server.withClient { client in
            let disabled = try await client.send(
                .put, "/api/v1/admin/plugins/lastfm", token: admin, json: ["enabled": false])
            #expect(disabled.json["state"] as? String == "disabled")
            let linkable = try await client.send(.get, "/api/v1/me/linked-accounts", token: user.token)
            let ids = (linkable.json["items"] as? [[String: Any]])?.compactMap { $0["plugin"] as? String } ?? []
            #expect(!ids.contains("lastfm"))
        }
    }
}
