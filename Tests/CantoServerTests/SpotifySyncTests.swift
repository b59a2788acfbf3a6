import CantoCore
import CantoDomain
import CantoPluginKit
import CantoStore
import CantoTestSupport
import Foundation
import HTTPTypes
import ScrobblerFakes
import Testing

@testable import CantoServer

/// The Spotify plugin through a real server and the fake Spotify (accounts and Web API on
/// loopback): linking with PKCE (a forged state refused), a full import of an account (a playlist
/// of 230 entries read 50 a page, one followed playlist Spotify does not let apps read, 120 liked
/// songs, recently played by cursor), a second sync skipping the unchanged playlist by its
/// `snapshot_id`, a change on Spotify's side brought in, a correction that sticks, the
/// missing-music report, a 429 waited out, the refresh token rotating, and its expiry after six
/// months asking the listener to reconnect; a listener not on the app's allow-list told so.
@Suite("Spotify sync")
struct SpotifySyncTests {
    @Test func linksImportsSyncsCorrectsAndAsksToReconnect() async throws {
        try await FakeSpotify.run { fake, base in
            let clock = ManualClock(Date())
            let server = try await InProcessServer.start(
                environment: [
                    "CANTO_PLUGINS_SPOTIFY_ENABLED": "true", "CANTO_PLUGINS_SPOTIFY_CLIENT_ID": "household-app",
                    "CANTO_PLUGINS_SPOTIFY_ACCOUNTS_URL": base, "CANTO_PLUGINS_SPOTIFY_API_URL": base,
                ], clock: clock,
                // A whole sync is one plugin call; on a loaded CI machine one took 13 s (3 s alone).
                pluginDeadline: .seconds(60))
            await fake.registerApp(
                clientID: "household-app", redirectURIs: ["http://localhost/plugins/spotify/link-callback"])
            await fake.addUser("ola.s", displayName: "Ola on Spotify")
            await fake.addUser("bo.s", displayName: "Bo", allowListed: false)
            let ola = try await server.addUser("ola")
            let bo = try await server.addUser("bo")

            // Spotify's copies of the local tracks (same names and lengths, one by ISRC only), and
            // 226 tracks the library lacks, on two albums.
            var local: [String: (TrackID, Int)] = [:]
            for id in try await server.trackIDs() {
                let track = try #require(try await server.services.track(id))
                local[track.title] = (id, Int(track.audio.durationMs))
            }
            let bright = try #require(local["Bright Day"])
            let wide = try #require(local["Wide Field"])
            var tracks = [
                FakeSpotify.Track(
                    id: "4uLU6hMCjMI75M1A2tKUQC", name: "Bright Day", artists: ["Alpha Open"], album: "Open Skies",
                    durationMs: bright.1),
                FakeSpotify.Track(
                    id: "7ouMYWpwJ422jRcDASZB7P", name: "Wide Field - 2011 Remaster", artists: ["Alpha Open"],
                    album: "Open Skies", durationMs: wide.1 + 1_000),
            ]
            for index in 0..<226 {
                tracks.append(
                    FakeSpotify.Track(
                        id: "mi\(String(format: "%020d", index))", name: "Far Song \(index)",
                        artists: ["Nobody Here"], album: index < 150 ? "Distant Album" : "Other Album",
                        durationMs: index == 1 ? 2_000 : 200_000 + index))
            }
            await fake.addTracks(tracks)
            let catalog = tracks
            let mixIDs = [tracks[0].id] + tracks[2..<115].map(\.id) + [tracks[1].id] + tracks[115...].map(\.id)
            #expect(mixIDs.count == 228)
            let firstSnapshot = await fake.setPlaylist(
                id: "37i9dQZF1DXcBWIGoYBM5M", name: "Road trip", owner: "ola.s",
                trackIDs: mixIDs + ["mi00000000000000000000", "mi00000000000000000001"])
            await fake.setPlaylist(
                id: "1aBcDeFgHiJkLmNoPqRsTu", name: "Someone else's", owner: "dj", trackIDs: [tracks[0].id])
            await fake.follow(user: "ola.s", playlistID: "1aBcDeFgHiJkLmNoPqRsTu")
            await fake.like(user: "ola.s", trackIDs: [tracks[0].id] + tracks[2..<121].map(\.id), at: Date())
            await fake.played(user: "ola.s", trackID: tracks[1].id, at: Date().addingTimeInterval(-600))
            await fake.played(user: "ola.s", trackID: tracks[5].id, at: Date().addingTimeInterval(-300))
            await fake.setTop(user: "ola.s", tracks: [tracks[0].id], artists: ["Alpha Open"])

            try await server.withClient { client in
                // The admin sees what to register; a LAN address over HTTP would not do.
                let setup = try await client.send(.get, "/api/v1/plugins/spotify/setup", token: ola.token)
                #expect(setup.json["clientIdSet"] as? Bool == true, "\(setup.body)")
                #expect(setup.json["redirectUri"] as? String == "http://localhost/plugins/spotify/link-callback")
                #expect(setup.json["accepted"] as? Bool == false)
                #expect((setup.json["advice"] as? String)?.contains("does not accept localhost") == true)

                // Linking: PKCE through the host; a forged state is refused.
                let begun = try await client.send(
                    .post, "/api/v1/me/linked-accounts/spotify/authorize", token: ola.token)
                let page = try #require(URL(string: begun.json["url"] as? String ?? ""), "\(begun.body)")
                let asked = Redirects.parameters(of: page.absoluteString)
                #expect(
                    asked["code_challenge_method"] == "S256" && asked["scope"]?.contains("user-library-read") == true)
                await fake.signIn(as: "ola.s")
                let back = try #require(try await Redirects.location(of: page))
                let answer = Redirects.parameters(of: back)
                let code = try #require(answer["code"])
                let forged = try await client.send(.get, "/plugins/spotify/link-callback?code=\(code)&state=forged")
                #expect(forged.headers[.location] == "/#/profile?link-failed=spotify")
                let linked = try await client.send(
                    .get, "/plugins/spotify/link-callback?code=\(code)&state=\(answer["state"] ?? "")")
                #expect(linked.headers[.location] == "/#/profile?linked=spotify")
                let accounts = try await client.send(.get, "/api/v1/me/linked-accounts", token: ola.token)
                let spotify = (accounts.json["items"] as? [[String: Any]])?.first {
                    $0["plugin"] as? String == "spotify"
                }
                #expect(spotify?["account"] as? String == "Ola on Spotify", "\(accounts.body)")

                // The first sync: everything, the big playlist 50 entries a page.
                let first = try await client.send(.post, "/api/v1/plugins/spotify/sync", token: ola.token)
                #expect(first.status == .ok, "\(first.body)")
                #expect(first.json["playlists"] as? Int == 2 && first.json["unreadable"] as? Int == 1, "\(first.body)")
                #expect(first.json["entries"] as? Int == 230 && first.json["matched"] as? Int == 2, "\(first.body)")
                #expect(first.json["liked"] as? Int == 120 && first.json["starred"] as? Int == 1, "\(first.body)")
                #expect(first.json["recent"] as? Int == 2 && first.json["imported"] as? Int == 1, "\(first.body)")
                #expect(await fake.requestCount(path: "/v1/playlists/37i9dQZF1DXcBWIGoYBM5M/items") == 5)

                // A Canto playlist the Subsonic apps see: the matched tracks in Spotify's order.
                let lists = try await client.subsonic("getPlaylists", as: ola)
                let road = try #require(
                    ((lists.subsonic["playlists"] as? [String: Any])?["playlist"] as? [[String: Any]])?.first {
                        $0["name"] as? String == "Road trip"
                    }, "\(lists.body)")
                #expect(road["songCount"] as? Int == 2)
                let status = try await client.send(.get, "/api/v1/plugins/spotify/status", token: ola.token)
                let listed = status.json["playlists"] as? [[String: Any]] ?? []
                #expect(listed.first { $0["name"] as? String == "Someone else's" }?["readable"] as? Bool == false)
                let top = (status.json["top"] as? [String: Any])?["tracks"] as? [String: Any]
                #expect(
                    ((top?["medium_term"] as? [[String: Any]])?.first)?["trackId"] as? String == bright.0.rawValue,
                    "\(status.body)")
                let entries = try await client.send(
                    .get, "/api/v1/plugins/spotify/playlists/37i9dQZF1DXcBWIGoYBM5M", token: ola.token)
                let rows = entries.json["entries"] as? [[String: Any]] ?? []
                #expect(rows.count == 230)
                #expect(rows.first?["trackId"] as? String == bright.0.rawValue)
                #expect(rows[1]["trackId"] is NSNull && rows[1]["title"] as? String == "Far Song 0")

                // The missing music: the album most wanted first, as CSV too.
                let missing = try await client.send(.get, "/api/v1/plugins/spotify/missing", token: ola.token)
                let albums = missing.json["albums"] as? [[String: Any]] ?? []
                #expect(albums.first?["album"] as? String == "Distant Album", "\(missing.body)")

                // Unchanged: skipped by its snapshot_id. Changed on Spotify: brought in again.
                let second = try await client.send(.post, "/api/v1/plugins/spotify/sync", token: ola.token)
                #expect(second.json["unchanged"] as? Int == 1, "\(second.body)")
                // Recently played goes on from the last sync's cursor: nothing new.
                #expect(second.json["recent"] as? Int == 0, "\(second.body)")
                // Liked songs unchanged (the same count, the first page known): one page read, not three.
                #expect(await fake.requestCount(path: "/v1/me/tracks") == 4)
                #expect(await fake.requestCount(path: "/v1/playlists/37i9dQZF1DXcBWIGoYBM5M/items") == 5)
                let changed = await fake.setPlaylist(
                    id: "37i9dQZF1DXcBWIGoYBM5M", name: "Road trip", owner: "ola.s", trackIDs: [catalog[1].id])
                #expect(changed != firstSnapshot)
                let third = try await client.send(.post, "/api/v1/plugins/spotify/sync", token: ola.token)
                #expect(third.json["unchanged"] as? Int == 0 && third.json["entries"] as? Int == 1, "\(third.body)")

                // A correction: this Spotify track is the local Wide Field after all, and it sticks.
                let corrected = try await client.send(
                    .put, "/api/v1/plugins/spotify/corrections", token: ola.token,
                    json: ["spotifyId": catalog[2].id, "trackId": wide.0.rawValue])
                #expect(corrected.status == .ok, "\(corrected.body)")
                let starred = try await client.subsonic("getStarred2", as: ola)
                let songs = ((starred.subsonic["starred2"] as? [String: Any])?["song"] as? [[String: Any]] ?? [])
                    .compactMap {
                        $0["id"] as? String
                    }
                #expect(Set(songs) == [bright.0.rawValue, wide.0.rawValue], "\(starred.body)")

                // Spotify asks to slow down: the sync waits as told and goes on.
                await fake.failNext(1, status: 429, retryAfter: 1)
                let slowed = try await client.send(.post, "/api/v1/plugins/spotify/sync", token: ola.token)
                #expect(slowed.status == .ok, "\(slowed.body)")

                // A listener not on the app's allow-list is told exactly that.
                let boBegun = try await client.send(
                    .post, "/api/v1/me/linked-accounts/spotify/authorize", token: bo.token)
                let boPage = try #require(URL(string: boBegun.json["url"] as? String ?? ""))
                await fake.signIn(as: "bo.s")
                let boAnswer = try await Redirects.answer(of: boPage)
                _ = try await client.send(
                    .get,
                    "/plugins/spotify/link-callback?code=\(boAnswer["code"] ?? "")&state=\(boAnswer["state"] ?? "")")
                let refused = try await client.send(.post, "/api/v1/plugins/spotify/sync", token: bo.token)
                #expect((refused.json["error"] as? String)?.contains("allow-list") == true, "\(refused.body)")
            }

            // Music the library lacked arrives: the liked song it is fills in at the next sync
            // (nothing changed on Spotify's side).
            let arrived = server.data.url.appendingPathComponent("open/Nobody Here/Distant Album")
            try FileManager.default.createDirectory(at: arrived, withIntermediateDirectories: true)
            try AudioClip(seconds: 2, frequency: 500).encode(
                .mp3, to: arrived.appendingPathComponent("2 Far Song 1.mp3"),
                metadata: ["title": "Far Song 1", "artist": "Nobody Here", "album": "Distant Album", "track": "2"])
            _ = try await server.services.scans.scanNow()
            var newcomer: TrackID?
            for id in try await server.trackIDs() where try await server.services.track(id)?.title == "Far Song 1" {
                newcomer = id
            }
            let filled = try #require(newcomer)
            try await server.withClient { client in
                let again = try await client.send(.post, "/api/v1/plugins/spotify/sync", token: ola.token)
                #expect(again.json["starred"] as? Int == 1, "\(again.body)")
                let starred = try await client.subsonic("getStarred2", as: ola)
                #expect(starred.body.contains(filled.rawValue), "\(starred.body)")
            }

            // An hour on, the access token is refreshed and the refresh token rotates; six
            // months after linking (Spotify's clock) the refresh token has expired: reconnect.
            clock.advance(by: 3_700)
            await fake.advance(by: 3_700)
            try await server.withClient { client in
                let later = try await client.send(.post, "/api/v1/plugins/spotify/sync", token: ola.token)
                #expect(later.status == .ok, "\(later.body)")
            }
            clock.advance(by: 3_700)
            await fake.advance(by: 184 * 86_400)
            try await server.withClient { client in
                let expired = try await client.send(.post, "/api/v1/plugins/spotify/sync", token: ola.token)
                #expect(expired.status == .conflict, "\(expired.body)")
                let accounts = try await client.send(.get, "/api/v1/me/linked-accounts", token: ola.token)
                let spotify = (accounts.json["items"] as? [[String: Any]])?.first {
                    $0["plugin"] as? String == "spotify"
                }
                #expect(spotify?["state"] as? String == "reconnect", "\(accounts.body)")
            }
        }
    }

    /// Links `caller` to the fake's `spotifyUser` through the server, as the browser would.
    static func link(
        _ client: InProcessServer.Client, _ caller: InProcessServer.Caller, as spotifyUser: String, _ fake: FakeSpotify
    ) async throws {
        let begun = try await client.send(.post, "/api/v1/me/linked-accounts/spotify/authorize", token: caller.token)
        let page = try #require(URL(string: begun.json["url"] as? String ?? ""), "\(begun.body)")
        await fake.signIn(as: spotifyUser)
        let answer = try await Redirects.answer(of: page)
        let back = try await client.send(
            .get, "/plugins/spotify/link-callback?code=\(answer["code"] ?? "")&state=\(answer["state"] ?? "")")
        #expect(back.headers[.location] == "/#/profile?linked=spotify")
    }

    /// Spotify Connect through the server: devices, a transfer and commands carried out, Spotify's
    /// refusals in words (no active device, Premium required, a bad volume); and a Canto playlist
    /// pushed to Spotify, each track found by title and artist, the one Spotify lacks reported.
    @Test func controlsConnectDevicesAndExportsAPlaylist() async throws {
        try await FakeSpotify.run { fake, base in
            let server = try await InProcessServer.start(
                environment: [
                    "CANTO_PLUGINS_SPOTIFY_ENABLED": "true", "CANTO_PLUGINS_SPOTIFY_CLIENT_ID": "household-app",
                    "CANTO_PLUGINS_SPOTIFY_ACCOUNTS_URL": base, "CANTO_PLUGINS_SPOTIFY_API_URL": base,
                ])
            await fake.registerApp(
                clientID: "household-app", redirectURIs: ["http://localhost/plugins/spotify/link-callback"])
            await fake.addUser("ola.s", displayName: "Ola")
            await fake.addUser("free.s", displayName: "Free", premium: false)
            await fake.setDevices(
                user: "ola.s",
                [("kitchen", "Kitchen", "Speaker", false, 50), ("phone", "Phone", "Smartphone", false, 80)])
            await fake.setDevices(user: "free.s", [("laptop", "Laptop", "Computer", true, 30)])
            let ola = try await server.addUser("ola")
            let free = try await server.addUser("free")
            var local: [String: (TrackID, Int)] = [:]
            var albums: [String: AlbumID] = [:]
            for id in try await server.trackIDs() {
                let track = try #require(try await server.services.track(id))
                local[track.title] = (id, Int(track.audio.durationMs))
                albums[track.title] = track.albumID
            }
            let bright = (try #require(local["Bright Day"]), album: try #require(albums["Bright Day"]))
            let wide = try #require(local["Wide Field"])
            let quiet = (try #require(local["Quiet Door"]), album: try #require(albums["Quiet Door"]))
            await fake.addTracks([
                FakeSpotify.Track(
                    id: "5hVghJ4KaYES3BFUATCYn0", name: "Low Hall", artists: ["Beta Secret"], album: "Hidden Rooms",
                    durationMs: 2_000),
                FakeSpotify.Track(
                    id: "4uLU6hMCjMI75M1A2tKUQC", name: "Bright Day", artists: ["Alpha Open"], album: "Open Skies",
                    durationMs: bright.0.1),
                FakeSpotify.Track(
                    id: "7ouMYWpwJ422jRcDASZB7P", name: "Wide Field", artists: ["Alpha Open"], album: "Open Skies",
                    durationMs: wide.1 + 2_000),
                // Same title, another artist: not the same recording.
                FakeSpotify.Track(
                    id: "0eGsygTp906u18L0Oimnem", name: "Quiet Door", artists: ["Someone Else"], album: "Elsewhere",
                    durationMs: quiet.0.1),
            ])
            // A listener limited to the open library likes a song Spotify has that only the hidden
            // library holds.
            let open = try #require(try await server.services.catalog.libraries().first { $0.path.hasSuffix("open") })
            let limited = try await server.addUser("lim", libraries: [open.id])
            let lowHall = try #require(local["Low Hall"]).0
            await fake.addUser("lim.s", displayName: "Lim")
            await fake.like(user: "lim.s", trackIDs: ["5hVghJ4KaYES3BFUATCYn0"], at: Date())
            // An album whose cover is gone from its folder (for the pictures from Spotify below).
            try FileManager.default.removeItem(
                at: server.data.url.appendingPathComponent("hidden/Beta Secret/Hidden Rooms/cover.jpg"))
            _ = try await server.services.scans.scanNow()
            try await server.withClient { client in
                try await Self.link(client, ola, as: "ola.s", fake)
                try await Self.link(client, free, as: "free.s", fake)
                let player = try await client.send(.get, "/api/v1/plugins/spotify/player", token: ola.token)
                let devices = player.json["devices"] as? [[String: Any]] ?? []
                #expect(devices.compactMap { $0["name"] as? String } == ["Kitchen", "Phone"], "\(player.body)")
                #expect(player.json["playback"] is NSNull)
                // Nothing active: Spotify's NO_ACTIVE_DEVICE, in words.
                let nowhere = try await client.send(
                    .put, "/api/v1/plugins/spotify/player/play", token: ola.token,
                    json: ["contextUri": "spotify:album:1DFixLWuPkv3KT3TnV35m3"])
                #expect(nowhere.status == .conflict)
                #expect((nowhere.json["error"] as? String)?.contains("No Spotify device is active") == true)
                for (method, path, body) in [
                    (
                        HTTPRequest.Method.put, "player/transfer",
                        ["deviceId": "kitchen", "play": true] as [String: Any]
                    ),
                    (.put, "player/pause", [:]), (.post, "player/next", [:]),
                    (.put, "player/seek", ["positionMs": 30_000]),
                    (.put, "player/volume", ["percent": 40]),
                ] {
                    let done = try await client.send(
                        method, "/api/v1/plugins/spotify/\(path)", token: ola.token, json: body)
                    #expect(done.status == .noContent, "\(path): \(done.body)")
                }
                #expect(
                    await fake.playerCommands(of: "ola.s") == [
                        "transfer kitchen play=true", "pause", "next", "seek 30000", "volume 40",
                    ])
                let loud = try await client.send(
                    .put, "/api/v1/plugins/spotify/player/volume", token: ola.token, json: ["percent": 140])
                #expect(loud.status == .badRequest)
                // A free account: Premium required, in words.
                let notPremium = try await client.send(.put, "/api/v1/plugins/spotify/player/pause", token: free.token)
                #expect(notPremium.status == .forbidden)
                #expect((notPremium.json["error"] as? String)?.contains("Premium") == true, "\(notPremium.body)")

                // Export: a playlist of three, two found on Spotify, one it lacks.
                let made = try await client.subsonic(
                    "createPlaylist",
                    [
                        ("name", "For the car"), ("songId", bright.0.0.rawValue), ("songId", wide.0.rawValue),
                        ("songId", quiet.0.0.rawValue),
                    ], as: ola)
                let playlistID = try #require(
                    (made.subsonic["playlist"] as? [String: Any])?["id"] as? String, "\(made.body)")
                let exported = try await client.send(
                    .post, "/api/v1/plugins/spotify/export", token: ola.token, json: ["playlistId": playlistID])
                #expect(exported.json["added"] as? Int == 2, "\(exported.body)")
                #expect(
                    (exported.json["notFound"] as? [[String: Any]])?.compactMap { $0["title"] as? String } == [
                        "Quiet Door"
                    ])
                let pushed = await fake.playlists(of: "ola.s").first { $0.name == "For the car" }
                #expect(pushed?.trackIDs == ["4uLU6hMCjMI75M1A2tKUQC", "7ouMYWpwJ422jRcDASZB7P"])
                // Pictures from Spotify where the library has none: the artist's own picture, and
                // the cover of an album whose cover.jpg is gone; each fetched once, then from the
                // disk cache. An album with its own cover keeps it (Spotify is not asked).
                let artist = CatalogIDs.artist(name: "Alpha Open")
                let artistPath = "/image/\(FakeSpotify.derivedID("artist:Alpha Open"))/640"
                let ownCover = "/image/\(FakeSpotify.derivedID("album:Alpha Open/Open Skies"))/640"
                let hiddenCover = "/image/\(FakeSpotify.derivedID("album:Beta Secret/Hidden Rooms"))/640"
                for _ in 0..<2 {
                    let picture = try await client.subsonic("getCoverArt", [("id", artist.rawValue)], as: ola)
                    #expect(picture.headers[.contentType] == "image/jpeg", "\(picture.headers)")
                    let cover = try await client.subsonic("getCoverArt", [("id", quiet.album.rawValue)], as: ola)
                    #expect(cover.headers[.contentType] == "image/jpeg", "\(cover.headers)")
                    let own = try await client.subsonic("getCoverArt", [("id", bright.album.rawValue)], as: ola)
                    #expect(own.headers[.contentType] == "image/jpeg")
                }
                // getArtistInfo2 names the picture at an address apps load without credentials,
                // signed by the server: a changed signature or another size opens nothing.
                let info = try await client.subsonic("getArtistInfo2", [("id", artist.rawValue)], as: ola)
                let large = try #require(
                    (info.subsonic["artistInfo2"] as? [String: Any])?["largeImageUrl"] as? String, "\(info.body)")
                #expect(large.hasPrefix("http://localhost/images/artists/\(artist.rawValue)?size=300&s="), "\(large)")
                let path = String(large.dropFirst("http://localhost".count))
                let loaded = try await client.send(.get, path)
                #expect(loaded.status == .ok && loaded.headers[.contentType] == "image/jpeg")
                let tampered = try await client.send(.get, String(path.dropLast()) + (path.hasSuffix("0") ? "1" : "0"))
                #expect(tampered.status == .notFound)
                let otherSize = try await client.send(
                    .get, path.replacingOccurrences(of: "size=300", with: "size=2048"))
                #expect(otherSize.status == .notFound)
                #expect(await fake.requestCount(path: artistPath) == 1)
                #expect(await fake.requestCount(path: hiddenCover) == 1)
                #expect(await fake.requestCount(path: ownCover) == 0)

                // A track in a library the listener cannot see is no match of theirs, and cannot be
                // given as a correction either.
                try await Self.link(client, limited, as: "lim.s", fake)
                let limitedSync = try await client.send(.post, "/api/v1/plugins/spotify/sync", token: limited.token)
                #expect(limitedSync.json["liked"] as? Int == 1 && limitedSync.json["starred"] as? Int == 0)
                let limitedStatus = try await client.send(.get, "/api/v1/plugins/spotify/status", token: limited.token)
                #expect(limitedStatus.json["likedMatched"] as? Int == 0, "\(limitedStatus.body)")
                #expect(!limitedStatus.body.contains(lowHall.rawValue))
                let hiddenFix = try await client.send(
                    .put, "/api/v1/plugins/spotify/corrections", token: limited.token,
                    json: ["spotifyId": "5hVghJ4KaYES3BFUATCYn0", "trackId": lowHall.rawValue])
                #expect(hiddenFix.status == .badRequest)

                // Someone else's playlist is not theirs to export.
                let notTheirs = try await client.send(
                    .post, "/api/v1/plugins/spotify/export", token: free.token, json: ["playlistId": playlistID])
                #expect(notTheirs.status == .notFound)
            }
        }
    }
}
