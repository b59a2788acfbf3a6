import CantoCore
import CantoTestSupport
import Foundation
import HTTPTypes
import ScrobblerFakes
import Testing

@testable import CantoServer

/// Playback sessions through a real server on loopback, the players' event streams read as a
/// browser's EventSource would: sessions appear and go, one player commands another and hands
/// its queue over, commands for someone else's players are refused (an admin may stop them),
/// Subsonic apps show up from their calls, and `jukeboxControl` drives the player marked as the
/// jukebox.
@Suite("Playback sessions")
struct SessionTests {
    @Test func playersSeeCommandAndHandOverToEachOther() async throws {
        let server = try await InProcessServer.start()
        let ola = try await server.addUser("ola")
        let bo = try await server.addUser("bo")
        let admin = try await server.addAdminSession()
        let tracks = try await server.trackIDs().map(\.rawValue)
        try await server.withLiveClient { client, port in
            let base = "http://127.0.0.1:\(port)/api/v1/sessions"
            let auth = ["Authorization": "Bearer \(ola.token)"]
            let living = await EventStreamReader.open("\(base)/events?name=Living%20room&device=Desktop", headers: auth)
            let phone = await EventStreamReader.open("\(base)/events?name=Phone", headers: auth)
            let livingID = try #require(await living.next("session")?.object["id"] as? String)
            let phoneID = try #require(await phone.next("session")?.object["id"] as? String)
            // Each sees both.
            let both = await phone.next("sessions") { $0.list.count == 2 }
            #expect(Set(both?.list.compactMap { $0["name"] as? String } ?? []) == ["Living room", "Phone"])
            let listed = try await client.send(.get, "/api/v1/sessions", token: ola.token)
            #expect((listed.json["items"] as? [[String: Any]])?.count == 2, "\(listed.body)")

            // The phone plays an album on the living-room player.
            let play = try await client.send(
                .post, "/api/v1/sessions/\(livingID)/commands", token: ola.token,
                json: ["action": "load", "trackIds": Array(tracks.prefix(2)), "index": 0, "play": true])
            #expect(play.status == .accepted, "\(play.body)")
            let command = await living.next("command")
            #expect((command?.object["command"] as? [String: Any])?["trackIds"] as? [String] == Array(tracks.prefix(2)))
            // The living room says what it plays; the phone sees it.
            let report = try await client.send(
                .post, "/api/v1/sessions/\(livingID)/state", token: ola.token,
                json: [
                    "trackId": tracks[1], "positionMs": 30_000, "state": "playing", "queue": Array(tracks.prefix(2)),
                    "queueIndex": 1,
                ])
            #expect(report.status == .noContent, "\(report.body)")
            let seen = await phone.next("sessions") { event in
                event.list.contains { $0["id"] as? String == livingID && $0["state"] as? String == "playing" }
            }
            #expect(seen != nil, "the phone sees the living room playing")
            // Subsonic's getNowPlaying answers from the sessions.
            let now = try await client.subsonic("getNowPlaying", as: ola)
            let playing = (now.subsonic["nowPlaying"] as? [String: Any])?["entry"] as? [[String: Any]] ?? []
            #expect(
                playing.contains { $0["playerName"] as? String == "Living room" && $0["id"] as? String == tracks[1] },
                "\(now.body)")

            // Transfer: the phone carries on where the living room was; the living room stops.
            let handed = try await client.send(
                .post, "/api/v1/sessions/\(phoneID)/commands", token: ola.token,
                json: ["action": "transfer", "from": livingID])
            #expect(handed.status == .accepted, "\(handed.body)")
            let load = (await phone.next("command"))?.object["command"] as? [String: Any]
            #expect(load?["action"] as? String == "load" && load?["index"] as? Int == 1)
            #expect(load?["positionMs"] as? Int == 30_000 && load?["trackIds"] as? [String] == Array(tracks.prefix(2)))
            let stop = await living.next("command") {
                ($0.object["command"] as? [String: Any])?["action"] as? String == "stop"
            }
            #expect(stop != nil)

            // Someone else's players: not Bo's to command; an admin may stop them, not play them.
            let foreign = try await client.send(
                .post, "/api/v1/sessions/\(livingID)/commands", token: bo.token, json: ["action": "pause"])
            #expect(foreign.status == .notFound)
            let stopped = try await client.send(
                .post, "/api/v1/sessions/\(livingID)/commands", token: admin, json: ["action": "stop"])
            #expect(stopped.status == .accepted)
            let played = try await client.send(
                .post, "/api/v1/sessions/\(livingID)/commands", token: admin, json: ["action": "play"])
            #expect(played.status == .forbidden)
            let everyone = try await client.send(.get, "/api/v1/sessions?all=true", token: admin)
            #expect((everyone.json["items"] as? [[String: Any]])?.count == 2)
            let notAdmin = try await client.send(.get, "/api/v1/sessions?all=true", token: bo.token)
            #expect(notAdmin.status == .forbidden)
            // The household: Bo sees what Ola plays (she shows it), not her queue.
            let household = try await client.send(.get, "/api/v1/sessions?household=true", token: bo.token)
            let hers = (household.json["items"] as? [[String: Any]] ?? []).filter {
                $0["userId"] as? String == ola.user.id.rawValue
            }
            #expect(
                hers.count == 2 && hers.allSatisfy { ($0["queue"] as? [String])?.isEmpty == true }, "\(household.body)")
            let hidden = try await client.send(
                .put, "/api/v1/me/preferences", token: ola.token,
                json: [
                    "streamFormat": "raw", "maxBitrate": 0, "theme": "auto", "language": "en", "scrobbling": true,
                    "listeningVisible": false,
                ])
            #expect(hidden.status.code < 300, "\(hidden.body)")
            let private_ = try await client.send(.get, "/api/v1/sessions?household=true", token: bo.token)
            #expect(
                (private_.json["items"] as? [[String: Any]] ?? []).allSatisfy {
                    $0["userId"] as? String != ola.user.id.rawValue
                }, "\(private_.body)")
            let bad = try await client.send(
                .post, "/api/v1/sessions/\(livingID)/commands", token: ola.token, json: ["action": "explode"])
            #expect(bad.status == .badRequest)

            // A Subsonic app appears from its calls.
            let nowPlaying = try await client.subsonic(
                "scrobble", [("id", tracks[0]), ("submission", "false")], as: ola)
            #expect(nowPlaying.subsonicError == nil, "\(nowPlaying.body)")
            let apps = try await client.send(.get, "/api/v1/sessions", token: ola.token)
            let app = (apps.json["items"] as? [[String: Any]])?.first { $0["kind"] as? String == "subsonic" }
            #expect(app?["client"] as? String == "tests" && app?["trackId"] as? String == tracks[0], "\(apps.body)")

            // The living room closes: it is gone within seconds.
            await living.close()
            let gone = await phone.next("sessions") { event in !event.list.contains { $0["id"] as? String == livingID }
            }
            #expect(gone != nil, "the closed player left the list")
            await phone.close()
        }
    }

    @Test func jukeboxControlDrivesTheMarkedPlayer() async throws {
        let server = try await InProcessServer.start()
        let ola = try await server.addUser("ola")
        let tracks = try await server.trackIDs().map(\.rawValue)
        try await server.withLiveClient { client, port in
            let none = try await client.subsonic("jukeboxControl", [("action", "status")], as: ola)
            #expect(none.body.contains("No jukebox"), "\(none.body)")
            let speakers = await EventStreamReader.open(
                "http://127.0.0.1:\(port)/api/v1/sessions/events?name=Speakers",
                headers: ["Authorization": "Bearer \(ola.token)"])
            let id = try #require(await speakers.next("session")?.object["id"] as? String)
            let marked = try await client.send(
                .patch, "/api/v1/sessions/\(id)", token: ola.token, json: ["jukebox": true])
            #expect(marked.json["jukebox"] as? Bool == true, "\(marked.body)")

            let set = try await client.subsonic(
                "jukeboxControl", [("action", "set"), ("id", tracks[0]), ("id", tracks[1])], as: ola)
            #expect((set.subsonic["jukeboxStatus"] as? [String: Any])?["currentIndex"] as? Int == 0, "\(set.body)")
            let load = (await speakers.next("command"))?.object["command"] as? [String: Any]
            #expect(load?["action"] as? String == "load" && (load?["trackIds"] as? [String])?.count == 2)
            let start = try await client.subsonic("jukeboxControl", [("action", "start")], as: ola)
            #expect((start.subsonic["jukeboxStatus"] as? [String: Any])?["playing"] as? Bool == true)
            let gain = try await client.subsonic("jukeboxControl", [("action", "setGain"), ("gain", "0.5")], as: ola)
            #expect((gain.subsonic["jukeboxStatus"] as? [String: Any])?["gain"] as? Double == 0.5)
            let volume = await speakers.next("command") {
                ($0.object["command"] as? [String: Any])?["volume"] as? Int == 50
            }
            #expect(volume != nil)
            let skip = try await client.subsonic("jukeboxControl", [("action", "skip"), ("index", "1")], as: ola)
            #expect((skip.subsonic["jukeboxStatus"] as? [String: Any])?["currentIndex"] as? Int == 1)
            let list = try await client.subsonic("jukeboxControl", [("action", "get")], as: ola)
            let entries = (list.subsonic["jukeboxPlaylist"] as? [String: Any])?["entry"] as? [[String: Any]]
            #expect(entries?.count == 2, "\(list.body)")
            let badOffset = try await client.subsonic(
                "jukeboxControl", [("action", "skip"), ("index", "0"), ("offset", "9223372036854775807")], as: ola)
            #expect(badOffset.subsonicError == 0, "\(badOffset.body)")
            let badGain = try await client.subsonic("jukeboxControl", [("action", "setGain"), ("gain", "7")], as: ola)
            #expect(badGain.subsonicError == 0)
            await speakers.close()
        }
    }
}

/// Spotify Connect devices are sessions too: listed beside the web players, commanded through the
/// plugin (what Spotify refuses comes back in its words).
@Suite("Playback sessions of a service's devices")
struct TargetSessionTests {
    @Test func connectDevicesAreListedAndCommanded() async throws {
        try await FakeSpotify.run { fake, base in
            let server = try await InProcessServer.start(
                environment: [
                    "CANTO_PLUGINS_SPOTIFY_ENABLED": "true", "CANTO_PLUGINS_SPOTIFY_CLIENT_ID": "household-app",
                    "CANTO_PLUGINS_SPOTIFY_ACCOUNTS_URL": base, "CANTO_PLUGINS_SPOTIFY_API_URL": base,
                ])
            await fake.registerApp(
                clientID: "household-app", redirectURIs: ["http://localhost/plugins/spotify/link-callback"])
            await fake.addUser("ola.s", displayName: "Ola")
            await fake.setDevices(
                user: "ola.s",
                [("kitchen", "Kitchen", "Speaker", false, 50), ("phone", "Phone", "Smartphone", false, 80)])
            let ola = try await server.addUser("ola")
            let bo = try await server.addUser("bo")
            try await server.withClient { client in
                try await SpotifySyncTests.link(client, ola, as: "ola.s", fake)
                let listed = try await client.send(.get, "/api/v1/sessions", token: ola.token)
                let devices = (listed.json["items"] as? [[String: Any]] ?? []).filter {
                    $0["kind"] as? String == "target"
                }
                #expect(Set(devices.compactMap { $0["name"] as? String }) == ["Kitchen", "Phone"], "\(listed.body)")
                #expect(devices.allSatisfy { $0["client"] as? String == "Spotify" })
                for (action, extra) in [("play", [:]), ("pause", [:]), ("volume", ["volume": 40])]
                    as [(String, [String: Any])]
                {
                    let sent = try await client.send(
                        .post, "/api/v1/sessions/spotify:kitchen/commands", token: ola.token,
                        json: ["action": action].merging(extra) { a, _ in a })
                    #expect(sent.status == .accepted, "\(action): \(sent.body)")
                }
                #expect(await fake.playerCommands(of: "ola.s") == ["transfer kitchen play=true", "pause", "volume 40"])
                let load = try await client.send(
                    .post, "/api/v1/sessions/spotify:kitchen/commands", token: ola.token, json: ["action": "load"])
                #expect(load.status == .badRequest, "\(load.body)")
                // Bo has no Spotify linked: no devices, and commands to Ola's are not his to send.
                let his = try await client.send(.get, "/api/v1/sessions", token: bo.token)
                #expect((his.json["items"] as? [[String: Any]])?.isEmpty == true, "\(his.body)")
                let foreign = try await client.send(
                    .post, "/api/v1/sessions/spotify:kitchen/commands", token: bo.token, json: ["action": "pause"])
                #expect(foreign.status.code >= 400, "\(foreign.body)")
                #expect(await fake.playerCommands(of: "ola.s").count == 3)
            }
        }
    }
}

/// The binary stops on SIGTERM while a web player's stream is open (the stream ends first).
@Suite("Playback sessions at shutdown")
struct SessionShutdownTests {
    @Test func anOpenPlayerDoesNotHoldTheServerUp() async throws {
        let server = try await TestServer.start(scan: false)
        let admin = try await server.setUpAdmin()
        let player = await EventStreamReader.open(
            server.url("/api/v1/sessions/events?name=Tab"), headers: ["Authorization": "Bearer \(admin.token)"])
        #expect(await player.next("session") != nil)
        let stopping = ContinuousClock.now
        server.process.signal(SIGTERM)
        try await server.process.waitForExit(timeout: .seconds(20))
        #expect(server.process.process.terminationStatus == 0)
        #expect(ContinuousClock.now - stopping < .seconds(10), "stopped in \(ContinuousClock.now - stopping)")
        await player.close()
    }
}
