import CantoCore
import CantoDomain
import CantoPluginKit
import CantoTestSupport
import Foundation
import HTTPTypes
import Synchronization
import Testing

@testable import CantoServer

/// OAuth 2 linking through the host against a local authorization server: the authorization code
/// flow with PKCE and state, the callback, tokens sealed, refresh before expiry with the rotated
/// refresh token stored at once, and a refused refresh asking the listener to reconnect.
@Suite("OAuth linking")
struct OAuthLinkingTests {
    /// A scrobbler that links with OAuth; it keeps the access tokens it was handed.
    struct OAuthSink: ListenSinkPlugin, OAuthLinking {
        static let descriptor = PluginDescriptor(
            id: "oauthsink", name: "OAuth sink", version: "1", enabledByDefault: true,
            configurationKeys: ["base_url"],
            permissions: PluginPermissions(networkHostKeys: ["base_url"], linkedAccounts: true, listens: true))
        static let tokensUsed = Mutex<[String]>([])
        let base: URL
        let http: any PluginHTTPClient

        init(configuration: PluginConfiguration, context: PluginContext) throws {
            guard let text = try configuration.string("base_url"), let url = URL(string: text) else {
                throw PluginConfigurationError(pluginID: "oauthsink", key: "base_url", message: "is required")
            }
            base = url
            http = context.http
        }

        var oauth: OAuthClient {
            OAuthClient(
                authorizeURL: base.appendingPathComponent("authorize"), tokenURL: base.appendingPathComponent("token"),
                clientID: "canto-test", clientSecret: "client-s3cret", scopes: ["listen", "profile"])
        }

        func accountName(accessToken: String) async throws -> String? {
            let answer = try await http.send(
                PluginHTTPRequest(
                    url: base.appendingPathComponent("me"), headers: ["Authorization": "Bearer \(accessToken)"]))
            return answer.json?["name"] as? String
        }

        func nowPlaying(_ listen: Listen, account: LinkedAccount) async throws {}
        func submit(_ listens: [Listen], account: LinkedAccount) async throws {
            Self.tokensUsed.withLock { $0.append(account.secret) }
        }
    }

    @Test func linksWithPKCERefreshesWithRotationAndAsksToReconnectWhenRefused() async throws {
        try await FakeOAuthServer.run { fake, base in
            let clock = ManualClock(Date())
            let server = try await InProcessServer.start(
                plugins: [OAuthSink.self], environment: ["CANTO_PLUGINS_OAUTHSINK_BASE_URL": base], clock: clock)
            let user = try await server.addUser("ola")
            let track = try #require(try await server.trackIDs().first)
            let dispatcher = server.services.dispatcher
            try await server.withClient { client in
                let begun = try await client.send(
                    .post, "/api/v1/me/linked-accounts/oauthsink/authorize", token: user.token)
                let page = try #require(URL(string: begun.json["url"] as? String ?? ""), "\(begun.body)")
                let query = URLComponents(url: page, resolvingAgainstBaseURL: false)?.queryItems ?? []
                #expect(query.first { $0.name == "scope" }?.value == "listen profile")
                let approved = try await fake.approve(page, user: "ola-at-service")
                #expect(approved.redirect == "http://localhost/plugins/oauthsink/link-callback")
                // A code with another state is refused; the right one links the account.
                let forged = try await client.send(
                    .get, "/plugins/oauthsink/link-callback?code=\(approved.code)&state=forged")
                #expect(forged.headers[.location] == "/#/profile?link-failed=oauthsink")
                let back = try await client.send(
                    .get, "/plugins/oauthsink/link-callback?code=\(approved.code)&state=\(approved.state)")
                #expect(back.headers[.location] == "/#/profile?linked=oauthsink")
                let listed = try await client.send(.get, "/api/v1/me/linked-accounts", token: user.token)
                let item = (listed.json["items"] as? [[String: Any]])?.first { $0["plugin"] as? String == "oauthsink" }
                #expect(item?["account"] as? String == "ola-at-service")
                #expect(item?["linkStyle"] as? String == "web")
            }
            func play() async throws {
                try await server.withClient { client in
                    _ = try await client.subsonic("scrobble", [("id", track.rawValue)], as: user)
                }
                try await dispatcher.deliverPending()
            }
            try await play()
            #expect(OAuthSink.tokensUsed.withLock { $0 } == ["at-1"])
            // An hour later the access token has expired: refreshed (the refresh token rotates).
            clock.advance(by: 3_600)
            try await play()
            #expect(OAuthSink.tokensUsed.withLock { $0 } == ["at-1", "at-2"])
            // The rotated refresh token was kept: the next refresh works with it.
            clock.advance(by: 3_600)
            try await play()
            #expect(OAuthSink.tokensUsed.withLock { $0 } == ["at-1", "at-2", "at-3"])
            #expect(await fake.refreshes == 2)
            // Tokens are sealed in the database.
            let bytes =
                try Data(contentsOf: server.data.url.appendingPathComponent("canto.db"))
                + ((try? Data(contentsOf: server.data.url.appendingPathComponent("canto.db-wal"))) ?? Data())
            #expect(bytes.range(of: Data("rt-3".utf8)) == nil)
            // Revoked at the service: the refresh is refused, the listener is asked to reconnect.
            await fake.revokeAll()
            clock.advance(by: 3_600)
            try await play()
            #expect(OAuthSink.tokensUsed.withLock { $0 }.count == 3)
            try await server.withClient { client in
                let listed = try await client.send(.get, "/api/v1/me/linked-accounts", token: user.token)
                let item = (listed.json["items"] as? [[String: Any]])?.first { $0["plugin"] as? String == "oauthsink" }
                #expect(item?["state"] as? String == "reconnect", "\(listed.body)")
            }
        }
    }
}
