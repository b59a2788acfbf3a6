import CantoCore
import CantoPluginKit
import Crypto
import Foundation
import HTTPTypes
import Testing

@testable import CantoServer

/// Plugins' own routes through a real server (in process): authenticated ones with the caller,
/// public ones with the raw body for signature checks, only what the plugin declares, under the
/// plugin deadline.
@Suite("Plugin routes")
struct PluginRoutesTests {
    /// Echoes what it is handed; its webhook checks an HMAC of the raw body.
    struct Echo: RoutedPlugin {
        static let descriptor = PluginDescriptor(
            id: "echo", name: "Echo", version: "1", enabledByDefault: true,
            permissions: PluginPermissions(routes: true, publicRoutes: true))
        static let webhookKey = SymmetricKey(data: Data("webhook-secret".utf8))
        init(configuration: PluginConfiguration, context: PluginContext) throws {}

        func handle(_ request: PluginRequest) async throws -> PluginResponse {
            var answer = PluginResponse.json([
                "method": request.method, "path": request.path, "query": request.query,
                "caller": request.caller?.username ?? "", "admin": request.caller?.isAdmin ?? false,
                "body": request.json ?? [:],
            ])
            answer.headers["Set-Cookie"] = "canto_session=stolen"
            answer.headers["X-Echo"] = "yes"
            return answer
        }

        func handlePublic(_ request: PluginRequest) async throws -> PluginResponse {
            guard request.path == "webhook", request.caller == nil else { return PluginResponse(status: 404) }
            let mac = HMAC<SHA256>.authenticationCode(for: request.body, using: Self.webhookKey)
            let expected = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
            guard request.headers["x-signature"] == expected else { return .text("bad signature", status: 400) }
            return .json(["received": request.body.count])
        }
    }

    /// Has routes but declares none.
    struct Undeclared: RoutedPlugin {
        static let descriptor = PluginDescriptor(
            id: "undeclared", name: "Undeclared", version: "1", enabledByDefault: true)
        init(configuration: PluginConfiguration, context: PluginContext) throws {}
        func handle(_ request: PluginRequest) async throws -> PluginResponse { .text("should not be reached") }
    }

    /// Never answers.
    struct Stuck: RoutedPlugin {
        static let descriptor = PluginDescriptor(
            id: "stuck", name: "Stuck", version: "1", enabledByDefault: true,
            permissions: PluginPermissions(routes: true))
        init(configuration: PluginConfiguration, context: PluginContext) throws {}
        func handle(_ request: PluginRequest) async throws -> PluginResponse {
            await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
            return PluginResponse()
        }
    }

    static func signature(_ body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(body.utf8), using: Echo.webhookKey)
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    @Test func routesReachThePluginOnlyAsDeclared() async throws {
        let server = try await InProcessServer.start(
            plugins: [Echo.self, Undeclared.self, Stuck.self], pluginDeadline: .milliseconds(300))
        let user = try await server.addUser("paula")
        let admin = try await server.addAdminSession()
        try await server.withClient { client in
            // Authenticated: the caller, the path after the prefix, the query and the JSON body.
            let got = try await client.send(.get, "/api/v1/plugins/echo/playlists/7?sort=new", token: user.token)
            #expect(got.status == .ok, "\(got.body)")
            #expect(got.json["path"] as? String == "playlists/7")
            #expect((got.json["query"] as? [String: String])?["sort"] == "new")
            #expect(got.json["caller"] as? String == "paula")
            #expect(got.json["admin"] as? Bool == false)
            #expect(got.headers[HTTPField.Name("X-Echo")!] == "yes")
            #expect(got.headers[.setCookie] == nil, "a plugin never sets the server's cookies")
            let posted = try await client.send(
                .post, "/api/v1/plugins/echo/items", token: user.token, json: ["name": "mix"])
            #expect((posted.json["body"] as? [String: String])?["name"] == "mix")
            #expect(try await client.send(.get, "/api/v1/plugins/echo/x").status == .unauthorized)
            // Public: no sign-in, the raw body and headers, the plugin checks the signature.
            let payload = #"{"type":"payment.succeeded","id":"evt_1"}"#
            let signed = try await client.send(
                .post, "/plugins/echo/webhook", body: payload, contentType: "application/json",
                headers: ["X-Signature": Self.signature(payload)])
            #expect(signed.status == .ok, "\(signed.body)")
            #expect(signed.json["received"] as? Int == payload.utf8.count)
            let forged = try await client.send(
                .post, "/plugins/echo/webhook", body: payload, contentType: "application/json",
                headers: ["X-Signature": "sha256=00"])
            #expect(forged.status == .badRequest)
            // Over the body cap: refused before the plugin sees it.
            let huge = try await client.send(
                .post, "/plugins/echo/webhook", body: String(repeating: "a", count: 100_000),
                contentType: "application/json")
            #expect(huge.status == .contentTooLarge)
            // Not declared, not there, or not a plugin: 404.
            for path in ["/api/v1/plugins/undeclared/x", "/api/v1/plugins/nothing/x", "/api/v1/plugins/local/x"] {
                #expect(try await client.send(.get, path, token: user.token).status == .notFound, "\(path)")
            }
            #expect(try await client.send(.post, "/plugins/undeclared/x", body: "{}").status == .notFound)
            #expect(try await client.send(.post, "/plugins/stuck/x", body: "{}").status == .notFound)
            // A plugin that never answers: 504 at its deadline, and it shows as failing.
            let stuck = try await client.send(.get, "/api/v1/plugins/stuck/anything", token: user.token)
            #expect(stuck.status == .gatewayTimeout)
            let plugins = try await client.send(.get, "/api/v1/admin/plugins", token: admin)
            let entry = (plugins.json["items"] as? [[String: Any]])?.first {
                ($0["descriptor"] as? [String: Any])?["id"] as? String == "stuck"
            }
            #expect(entry?["failures"] as? Int == 1)
        }
    }
}
