import CantoCore
import CantoDomain
import CantoPluginKit
import CantoStore
import CantoTestSupport
import Foundation
import HTTPTypes
import Logging
import Testing

@testable import CantoServer
@testable import LastFMPlugin

/// Last.fm through the plugin host: a listener connects through Last.fm's page (the host's
/// one-time state, the callback, `auth.getSession`), then plays reach a local fake that checks
/// every `api_sig`, as now playing and as scrobbles.
@Suite("Last.fm")
struct LastFMTests {
    static func environment(_ base: String) -> [String: String] {
        [
            "CANTO_PLUGINS_LASTFM_ENABLED": "true", "CANTO_PLUGINS_LASTFM_API_KEY": "fake-api-key",
            "CANTO_PLUGINS_LASTFM_SHARED_SECRET": "fake-shared-secret", "CANTO_PLUGINS_LASTFM_BASE_URL": base + "/2.0",
            "CANTO_PLUGINS_LASTFM_AUTH_URL": base + "/api/auth/",
        ]
    }

    /// Two 35-second tracks: Last.fm takes only tracks longer than 30 s.
    static func library() throws -> TemporaryDirectory {
        let music = try TemporaryDirectory(prefix: "canto-lastfm")
        let folder = music.url.appendingPathComponent("Far Away/Long Songs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (index, title) in ["Long Road", "Long Night"].enumerated() {
            try AudioClip(seconds: 35, frequency: 300 + 100 * index).encode(
                .mp3, to: folder.appendingPathComponent("\(index + 1) \(title).mp3"),
                metadata: [
                    "title": title, "artist": "Far Away", "album_artist": "Far Away", "album": "Long Songs",
                    "track": "\(index + 1)",
                ])
        }
        return music
    }

    @Test func aListenerConnectsThroughLastFMsPageAndScrobbles() async throws {
        try await FakeLastFM.run { fake, base in
            let music = try Self.library()
            let server = try await InProcessServer.start(environment: Self.environment(base), music: [music.url])
            let rita = try await server.addUser("rita")
            let tracks = try await server.trackIDs()
            #expect(tracks.count == 2)
            let now = Int64(Date().timeIntervalSince1970)
            let dispatcher = server.services.dispatcher
            try await server.withClient { client in
                // Connecting starts on the profile: the host sends the listener to Last.fm's page…
                let begun = try await client.send(
                    .post, "/api/v1/me/linked-accounts/lastfm/authorize", token: rita.token)
                #expect(begun.status == .ok, "\(begun.body)")
                let page = try #require(URLComponents(string: begun.json["url"] as? String ?? ""))
                #expect(page.path == "/api/auth/")
                #expect(page.queryItems?.first { $0.name == "api_key" }?.value == "fake-api-key")
                let callback = try #require(
                    URLComponents(string: page.queryItems?.first { $0.name == "cb" }?.value ?? ""))
                #expect(callback.path == "/plugins/lastfm/link-callback")
                #expect(callback.queryItems?.first { $0.name == "state" }?.value?.isEmpty == false)
                // …where they allow Canto, and Last.fm sends them back with a token.
                let token = await fake.approve(user: "rita-fm")
                let back = "\(callback.path)?\(callback.percentEncodedQuery ?? "")&token=\(token)"
                let landed = try await client.send(.get, back)
                #expect(landed.status == .seeOther)
                #expect(landed.headers[.location] == "/#/profile?linked=lastfm")
                // The state works once.
                let again = try await client.send(.get, back)
                #expect(again.headers[.location] == "/#/profile?link-failed=lastfm")
                let forged = try await client.send(.get, "/plugins/lastfm/link-callback?state=forged&token=\(token)")
                #expect(forged.headers[.location] == "/#/profile?link-failed=lastfm")
                let listed = try await client.send(.get, "/api/v1/me/linked-accounts", token: rita.token)
                let item = (listed.json["items"] as? [[String: Any]])?.first { $0["plugin"] as? String == "lastfm" }
                #expect(item?["linked"] as? Bool == true)
                #expect(item?["account"] as? String == "rita-fm")
                #expect(item?["linkStyle"] as? String == "web")
                // A token is not how Last.fm connects.
                #expect(
                    try await client.send(
                        .put, "/api/v1/me/linked-accounts/lastfm", token: rita.token, json: ["token": "x"]
                    ).status == .badRequest)

                // Now playing and two plays from a Subsonic app.
                _ = try await client.subsonic(
                    "scrobble", [("id", tracks[0].rawValue), ("submission", "false")], as: rita)
                for (offset, track) in tracks.enumerated() {
                    let played = try await client.subsonic(
                        "scrobble", [("id", track.rawValue), ("time", "\((now - 300 + Int64(offset) * 60) * 1000)")],
                        as: rita)
                    #expect(played.subsonicError == nil)
                }
            }
            let deadline = ContinuousClock.now + .seconds(20)
            while await fake.scrobbles.count < 2, ContinuousClock.now < deadline {
                try await dispatcher.deliverPending()
                try await Task.sleep(for: .milliseconds(20))
            }
            let errors = await fake.errors
            // The replayed and forged callbacks never reached Last.fm: the host refused their state.
            #expect(errors.isEmpty, "\(errors)")
            #expect(await fake.nowPlaying == ["rita-fm: Far Away - Long Road"])
            let scrobbles = await fake.scrobbles
            #expect(scrobbles.map(\.track) == ["Long Road", "Long Night"])
            #expect(scrobbles.allSatisfy { $0.user == "rita-fm" && $0.album == "Long Songs" && $0.duration == 35 })
            #expect(scrobbles.map(\.timestamp) == [Int(now - 300), Int(now - 240)])
        }
    }

    @Test func scrobblesGoInSignedBatchesOfFifty() async throws {
        try await FakeLastFM.run { fake, base in
            var values: [String: PluginConfigValue] = [:]
            for (name, value) in Self.environment(base) {
                values[String(name.dropFirst("CANTO_PLUGINS_LASTFM_".count)).lowercased()] = .string(value)
            }
            let data = try TemporaryDirectory(prefix: "canto-lastfm-plugin")
            let database = try CantoDatabase(dataDirectory: data.url)
            let plugin = try LastFMPlugin(
                configuration: PluginConfiguration(pluginID: "lastfm", values: values),
                context: PluginContext.forTests(
                    LastFMPlugin.descriptor, data: data.url, database: database,
                    configuration: PluginConfiguration(pluginID: "lastfm", values: values)))
            let (key, name) = try await plugin.completeLink(parameters: ["token": await fake.approve(user: "many")])
            #expect(name == "many")
            let start = Date().addingTimeInterval(-86_400)
            // 120 plays, names with characters a form must encode; one short track Last.fm would refuse.
            var listens: [Listen] = []
            for index in 0..<121 {
                let short = index == 120
                let title = short ? "Short" : "Song \(index) & Ünïcode/+?"
                let started = start.addingTimeInterval(Double(index) * 300)
                listens.append(
                    Listen(
                        trackID: TrackID("t\(index)"), title: title, artist: "Årtist #\(index % 7)", album: "Album",
                        albumArtist: "Årtist", trackNumber: index % 12 + 1, durationSeconds: short ? 20 : 200,
                        startedAt: started, secondsPlayed: 200))
            }
            try await plugin.submit(listens, account: LinkedAccount(userID: UserID("u1"), secret: key, name: name))
            #expect(await fake.errors.isEmpty)
            #expect(await fake.batches == [50, 50, 20])
            let scrobbles = await fake.scrobbles
            #expect(scrobbles.map(\.track) == listens.prefix(120).map(\.title))
            #expect(scrobbles.map(\.artist) == listens.prefix(120).map(\.artist))
            // A revoked session asks the listener to reconnect.
            await fake.revokeSessions()
            await #expect(throws: LinkedAccountRejected.self) {
                try await plugin.submit(
                    [listens[0]], account: LinkedAccount(userID: UserID("u1"), secret: key, name: name))
            }
        }
    }

    @Test func theSignatureIsLastFMsMD5() {
        // RFC 1321's test vectors, then a signature as Last.fm's docs build it.
        #expect(MD5.hex("") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(MD5.hex("abc") == "900150983cd24fb0d6963f7d28e17f72")
        #expect(
            MD5.hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890")
                == "57edf4a22be3c955ac49da2e2107b67a")
        let parameters = ["method": "auth.getSession", "api_key": "k", "token": "t", "format": "json"]
        #expect(
            LastFMPlugin.signature(parameters, secret: "s")
                == FakeLastFM.signature(parameters, secret: "s"))
        #expect(LastFMPlugin.signature(parameters, secret: "s") == MD5.hex("api_keykmethodauth.getSessiontokents"))
    }
}
