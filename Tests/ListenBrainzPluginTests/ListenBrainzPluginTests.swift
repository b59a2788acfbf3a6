import CantoCore
import CantoPluginKit
import CantoPluginKitTesting
import Foundation
import ListenBrainzPlugin
import ScrobblerFakes
import Testing

/// The ListenBrainz plugin as its author tests it: in the plugin testing kit's host (a whole
/// server in process over a temporary database), against the local fake of ListenBrainz's API.
@Suite("ListenBrainz plugin")
struct ListenBrainzPluginTests {
    static let tracks = [
        TestTrack(
            "Known Song", artist: "Known Artist", album: "Known Album", seconds: 240,
            musicBrainzID: "5b11f4ce-a62d-471e-81fc-a69a8278c7da"),
        TestTrack("Other Song", artist: "Other Artist", album: "Other Album", seconds: 180),
    ]

    @Test func playsGoOutWithTheirMetadataAndNowPlayingObeysTheListener() async throws {
        try await FakeListenBrainz.run { fake, base in
            await fake.addToken("tok-rita", user: "rita-lb")
            try await PluginTestHost.run(
                [], configuration: ["listenbrainz": ["base_url": base]], tracks: Self.tracks
            ) { host in
                let rita = try await host.addListener("rita")
                // A wrong token is refused by the service; the right one names the account.
                await #expect(throws: PluginTestHost.HostError.self) {
                    try await host.linkToken("listenbrainz", "nope", for: rita)
                }
                let linked = try await host.linkToken("listenbrainz", "tok-rita", for: rita)
                #expect(linked.json["account"] as? String == "rita-lb")

                let started = Date().addingTimeInterval(-600)
                try await host.startPlaying(host.tracks[0], by: rita)
                try await host.play(host.tracks[0], by: rita, at: started)
                try await host.deliverEvents { await fake.count("single") == 1 }
                #expect(await fake.count("playing_now") == 1)
                let listen = try #require(await fake.submissions.first { $0.type == "single" }?.listens.first)
                #expect(listen["listened_at"] as? Int == Int(started.timeIntervalSince1970))
                let metadata = try #require(listen["track_metadata"] as? [String: any Sendable])
                #expect(metadata["track_name"] as? String == "Known Song")
                #expect(metadata["artist_name"] as? String == "Known Artist")
                #expect(metadata["release_name"] as? String == "Known Album")
                let info = try #require(metadata["additional_info"] as? [String: any Sendable])
                #expect(info["recording_mbid"] as? String == "5b11f4ce-a62d-471e-81fc-a69a8278c7da")
                #expect(info["duration_ms"] as? Int == 240_000)
                #expect(await fake.refusals.isEmpty)

                // The listener turns "now playing" off on their profile: plays still go, starts do not.
                let saved = try await host.request(
                    "PUT", "/api/v1/me/plugin-settings/listenbrainz", as: rita,
                    json: ["values": ["now_playing": "false"]])
                #expect(saved.status == 200, "\(saved.text)")
                try await host.startPlaying(host.tracks[1], by: rita)
                try await host.play(host.tracks[1], by: rita)
                try await host.deliverEvents { await fake.count("single") == 2 }
                #expect(await fake.count("playing_now") == 1)
                let account = try await host.linkedAccount("listenbrainz", of: rita)
                #expect(account["sent"] as? Int == 2)
                #expect(account["waiting"] as? Int == 0)
            }
        }
    }

    @Test func aPlayTooShortToCountIsNotSent() async throws {
        try await FakeListenBrainz.run { fake, base in
            await fake.addToken("tok", user: "skipper")
            try await PluginTestHost.run(
                [], configuration: ["listenbrainz": ["base_url": base]], tracks: Self.tracks
            ) { host in
                let listener = try await host.addListener("skipper")
                try await host.linkToken("listenbrainz", "tok", for: listener)
                // 10 s of a 4-minute track is a skip; the whole of the other one counts.
                try await host.play(host.tracks[0], by: listener, secondsPlayed: 10)
                try await host.play(host.tracks[1], by: listener)
                try await host.deliverEvents { await fake.count("single") >= 1 }
                #expect(await fake.trackNames("single") == ["Other Song"])
            }
        }
    }

    @Test func aRevokedTokenAsksTheListenerToReconnectAndSendsNothing() async throws {
        try await FakeListenBrainz.run { fake, base in
            await fake.addToken("tok", user: "gone")
            try await PluginTestHost.run(
                [], configuration: ["listenbrainz": ["base_url": base]], tracks: Self.tracks
            ) { host in
                let listener = try await host.addListener("gone")
                try await host.linkToken("listenbrainz", "tok", for: listener)
                await fake.revoke("tok")
                try await host.play(host.tracks[0], by: listener)
                try await host.deliverEvents {
                    try await host.linkedAccount("listenbrainz", of: listener)["state"] as? String == "reconnect"
                }
                #expect(try await host.linkedAccount("listenbrainz", of: listener)["sent"] as? Int == 0)
                let unlinked = try await host.request("DELETE", "/api/v1/me/linked-accounts/listenbrainz", as: listener)
                #expect(unlinked.status == 204)
                #expect(await fake.submissions.isEmpty)
            }
        }
    }

    @Test func rateLimitsAreWaitedOutAndNothingIsLost() async throws {
        try await FakeListenBrainz.run { fake, base in
            await fake.addToken("tok", user: "patient")
            try await PluginTestHost.run(
                [], configuration: ["listenbrainz": ["base_url": base]], tracks: Self.tracks
            ) { host in
                let listener = try await host.addListener("patient")
                try await host.linkToken("listenbrainz", "tok", for: listener)
                // Two 429s (Retry-After: 0), then the service takes the listens again.
                await fake.failNext(2, status: 429, retryAfter: 0)
                let start = Date().addingTimeInterval(-3_600)
                for index in 0..<2 {
                    try await host.play(
                        host.tracks[index], by: listener, at: start.addingTimeInterval(Double(index) * 300))
                }
                try await host.deliverEvents { await fake.listened().count == 2 }
                #expect(
                    await fake.listened() == [0, 1].map { Int(start.timeIntervalSince1970) + $0 * 300 })
                #expect(await fake.refusals.isEmpty)
                #expect(await host.status(of: "listenbrainz")?.state == "running")
            }
        }
    }
}
