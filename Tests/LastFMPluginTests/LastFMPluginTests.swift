import CantoCore
import CantoPluginKit
import CantoPluginKitTesting
import Foundation
import ScrobblerFakes
import Testing

@testable import LastFMPlugin

/// The Last.fm plugin as its author tests it: in the plugin testing kit's host, against the local
/// fake of Last.fm's API that checks every `api_sig`. A listener connects through Last.fm's page
/// (the host's one-time state, the callback, `auth.getSession`); plays go out as now playing and
/// as signed scrobbles in batches of up to 50.
@Suite("Last.fm plugin")
struct LastFMPluginTests {
    static func configuration(_ base: String) -> [String: String] {
        [
            "enabled": "true", "api_key": "fake-api-key", "shared_secret": "fake-shared-secret",
            "base_url": base + "/2.0", "auth_url": base + "/api/auth/",
        ]
    }

    /// Two 35-second tracks: Last.fm takes only tracks longer than 30 s.
    static let tracks = [
        TestTrack("Long Road", artist: "Far Away", album: "Long Songs", seconds: 35),
        TestTrack("Long Night", artist: "Far Away", album: "Long Songs", seconds: 35),
    ]

    @Test func aListenerConnectsThroughLastFMsPageAndScrobbles() async throws {
        try await FakeLastFM.run { fake, base in
            try await PluginTestHost.run(
                [], configuration: ["lastfm": Self.configuration(base)], tracks: Self.tracks
            ) { host in
                let rita = try await host.addListener("rita")
                // Connecting starts on the profile: the host sends the listener to Last.fm's page…
                let begun = try await host.request("POST", "/api/v1/me/linked-accounts/lastfm/authorize", as: rita)
                #expect(begun.status == 200, "\(begun.text)")
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
                let landed = try await host.request("GET", back)
                #expect(landed.status == 303)
                #expect(landed.headers["location"] == "/#/profile?linked=lastfm")
                // The state works once, and a forged one never reaches Last.fm.
                #expect(try await host.request("GET", back).headers["location"] == "/#/profile?link-failed=lastfm")
                let forged = try await host.request("GET", "/plugins/lastfm/link-callback?state=forged&token=\(token)")
                #expect(forged.headers["location"] == "/#/profile?link-failed=lastfm")
                let account = try await host.linkedAccount("lastfm", of: rita)
                #expect(account["linked"] as? Bool == true)
                #expect(account["account"] as? String == "rita-fm")
                #expect(account["linkStyle"] as? String == "web")
                // A pasted token is not how Last.fm connects.
                await #expect(throws: PluginTestHost.HostError.self) {
                    try await host.linkToken("lastfm", "x", for: rita)
                }

                // Now playing, then both tracks played in the web player.
                let now = Date()
                try await host.startPlaying(host.tracks[0], by: rita)
                for (offset, track) in host.tracks.enumerated() {
                    try await host.play(track, by: rita, at: now.addingTimeInterval(Double(offset * 60 - 300)))
                }
                try await host.deliverEvents { await fake.scrobbles.count == 2 }
                #expect(await fake.errors.isEmpty)
                #expect(await fake.nowPlaying == ["rita-fm: Far Away - Long Road"])
                let scrobbles = await fake.scrobbles
                #expect(scrobbles.map(\.track) == ["Long Road", "Long Night"])
                #expect(scrobbles.allSatisfy { $0.user == "rita-fm" && $0.album == "Long Songs" && $0.duration == 35 })
                let start = Int(now.timeIntervalSince1970)
                #expect(scrobbles.map(\.timestamp) == [start - 300, start - 240])
            }
        }
    }

    @Test func scrobblesGoInSignedBatchesOfFifty() async throws {
        try await FakeLastFM.run { fake, base in
            try await PluginTestHost.run([], configuration: ["lastfm": Self.configuration(base)]) { host in
                let plugin = try #require(host.plugin(LastFMPlugin.self))
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
