import CantoCore
import CantoDomain
import CantoPluginKit
import CantoServer
import CantoStore
import Foundation
import GRDB
import Logging
import ScrobblerFakes

/// `canto-bench spotify [--likes 10000] [--playlists 50] [--tracks 20000]`: a library of T tracks
/// written straight into SQLite, a fake Spotify account with L liked songs and P playlists of 100
/// (four in five of them the library's tracks under Spotify's spelling — "Remastered" suffixes,
/// a second or two of difference, every other one with its ISRC — the rest music the library
/// lacks), linked through the server's OAuth flow; then the first sync (every page fetched, every
/// track matched, playlists kept, likes starred) and a second (nothing changed), each timed.
enum SpotifyBench {
    static func run(likes: Int, playlists: Int, tracks: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("canto-bench-spotify-\(UUID())")
        let music = directory.appendingPathComponent("music")
        try FileManager.default.createDirectory(at: music, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Date()
        do {
            let database = try CantoDatabase(dataDirectory: directory)
            try await database.pool.write { db in try BenchCatalog.write(db, tracks: tracks, now: now) }
        }
        try await FakeSpotify.run { fake, base in
            await fake.registerApp(
                clientID: "bench-app", redirectURIs: ["http://127.0.0.1/plugins/spotify/link-callback"])
            await fake.addUser("bench.s", displayName: "Bench")
            // Spotify's side: the library's tracks as Spotify spells them, and music it lacks.
            var random = SplitMix64(seed: 7)
            var catalog: [FakeSpotify.Track] = []
            func spotifyTrack(_ index: Int) -> FakeSpotify.Track {
                let local = Int.random(in: 0..<5, using: &random) > 0
                let number = Int.random(in: 0..<tracks, using: &random)
                if local {
                    let album = number % max(1, tracks / 10)
                    let artist = album % max(1, tracks / 50)
                    let suffix = number % 7 == 0 ? " - 2011 Remaster" : ""
                    return FakeSpotify.Track(
                        id: String(format: "bch%019d", index), name: "Track \(number)\(suffix)",
                        artists: ["Artist \(artist)"], album: "Album \(album)",
                        durationMs: 240_000 + (number % 3) * 1_000, isrc: BenchCatalog.isrc(number))
                }
                return FakeSpotify.Track(
                    id: String(format: "bch%019d", index), name: "Elsewhere \(number)",
                    artists: ["Nobody \(number % 300)"],
                    album: "Missing \(number % 500)", durationMs: 200_000)
            }
            for index in 0..<(likes + playlists * 100) { catalog.append(spotifyTrack(index)) }
            await fake.addTracks(catalog)
            await fake.like(user: "bench.s", trackIDs: catalog.prefix(likes).map(\.id), at: now)
            for list in 0..<playlists {
                let start = likes + list * 100
                await fake.setPlaylist(
                    id: String(format: "bchlist%015d", list), name: "Playlist \(list)", owner: "bench.s",
                    trackIDs: catalog[start..<(start + 100)].map(\.id))
            }

            var logger = Logger(label: "bench")
            logger.logLevel = .error
            let configuration = try CantoConfiguration.load(
                environment: [
                    "CANTO_PLUGINS_SPOTIFY_ENABLED": "true", "CANTO_PLUGINS_SPOTIFY_CLIENT_ID": "bench-app",
                    "CANTO_PLUGINS_SPOTIFY_ACCOUNTS_URL": base, "CANTO_PLUGINS_SPOTIFY_API_URL": base,
                ],
                flags: ["library.music_folders": music.path, "data.dir": directory.path],
                workingDirectory: directory.path)
            let services = try await CantoServices(configuration: configuration, logger: logger)
            await services.registry.startAll()
            defer { Task { await services.registry.stopAll() } }
            guard let plugin = services.registry.instances["spotify"] as? any RoutedPlugin & OAuthLinking,
                let oauth = services.linkedAccounts.oauth("spotify")
            else {
                print("the Spotify plugin did not start")
                return
            }
            let user = try await services.accounts.createUser(
                username: "bench", password: "bench-password-1", role: .user, actor: nil, address: nil
            ).user
            // Linking as a browser would: the authorization page, its redirect, the callback.
            guard let callback = URL(string: "http://127.0.0.1:4533/plugins/spotify/link-callback") else { return }
            let page = try await services.linkedAccounts.beginOAuthLink(
                pluginID: "spotify", client: plugin.oauth, for: user, redirectURI: callback)
            await fake.signIn(as: "bench.s")
            _ = try await services.linkedAccounts.completeOAuthLink(
                plugin, pluginID: "spotify", oauth: oauth, parameters: try await Redirects.answer(of: page))
            let caller = PluginCaller(userID: user.id, username: user.username, isAdmin: false)
            let sync = PluginRequest(
                method: "POST", path: "sync", query: [:], headers: [:], body: Data(), caller: caller)
            for run in ["first sync: ", "second sync:"] {
                let started = ContinuousClock.now
                let answer = try await plugin.handle(sync)
                let seconds = (ContinuousClock.now - started) / .seconds(1)
                let summary = (try? JSONSerialization.jsonObject(with: answer.body)) as? [String: Any] ?? [:]
                func figure(_ key: String) -> Int { summary[key] as? Int ?? 0 }
                print(
                    String(
                        format:
                            "%@ %.2f s: %d liked songs (%d starred now), %d playlists (%d unchanged), %d playlist entries read (%d matched), status %d",
                        run, seconds, figure("liked"), figure("starred"), figure("playlists"), figure("unchanged"),
                        figure("entries"), figure("matched"), answer.status))
            }
            print("requests to the fake: \(await fake.requestCount(path: "/v1/me/tracks")) pages of liked songs")
        }
    }
}
