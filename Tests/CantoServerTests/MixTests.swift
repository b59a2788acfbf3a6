import CantoCore
import CantoDomain
import CantoStore
import CantoTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import CantoServer

/// Daily mixes, Rediscover and thumbs up or down, through a real server (in process) with a
/// clock the test moves. A listener who plays rock most and jazz next gets a rock mix, then a jazz
/// one, kept as their own playlists (Subsonic apps list them), never holding a track they gave a
/// thumbs down or one of a library they cannot see; a favourite not played for months comes back
/// in Rediscover; a day later the mixes follow what they play now.
@Suite("Daily mixes and feedback")
struct MixTests {
    static func library() throws -> TemporaryDirectory {
        let root = try TemporaryDirectory(prefix: "canto-mixes")
        func album(_ library: String, _ artist: String, _ genre: String, count: Int) throws {
            let folder = root.url.appendingPathComponent("\(library)/\(artist)/\(artist) Album")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for number in 1...count {
                try AudioClip(seconds: 2, frequency: 220 + 55 * number).encode(
                    .mp3, to: folder.appendingPathComponent("\(number).mp3"),
                    metadata: [
                        "title": "\(genre) \(number)", "artist": artist, "album_artist": artist,
                        "album": "\(artist) Album", "track": "\(number)", "genre": genre,
                    ])
            }
        }
        try album("open", "Rocker", "Rock", count: 6)
        try album("open", "Jazzer", "Jazz", count: 5)
        try album("open", "Folkie", "Folk", count: 3)
        try album("hidden", "Secret", "Rock", count: 3)
        return root
    }

    @Test func mixesFollowTheListenersTastesStayInTheirLibrariesAndRefreshDaily() async throws {
        let music = try Self.library()
        let clock = ManualClock()
        let server = try await InProcessServer.start(
            clock: clock, music: [music.url.appendingPathComponent("open"), music.url.appendingPathComponent("hidden")]
        )
        let libraries = try await server.services.catalog.libraries()
        let open = try #require(libraries.first { $0.path.hasSuffix("open") })
        let lina = try await server.addUser("lina", libraries: [open.id])
        let max = try await server.addUser("max")
        var titles: [String: TrackID] = [:]
        var secrets: Set<String> = []
        for id in try await server.trackIDs() {
            let track = try #require(try await server.services.track(id))
            if track.artistName == "Secret" {
                secrets.insert(id.rawValue)
            } else {
                titles[track.title] = id
            }
        }
        let byTitle = titles
        let hidden = secrets
        func play(_ title: String, _ times: Int, as caller: InProcessServer.Caller, daysAgo: Double = 1) async throws {
            let view = server.services.catalogs.view(for: caller.user)
            let id = try #require(byTitle[title] ?? (caller.user.username == "max" ? TrackID(title) : nil))
            for time in 0..<times {
                _ = try await server.services.playback.played(
                    id, in: view, startedAt: clock.now.addingTimeInterval(-daysAgo * 86_400 + Double(time) * 60),
                    secondsPlayed: 2, client: "tests")
            }
        }
        // Lina: rock most, jazz next, one rock song loved long ago and not since, one folk song
        // starred long ago and never played.
        try await play("Rock 6", 4, as: lina, daysAgo: 200)
        for title in ["Rock 1", "Rock 2", "Rock 3"] { try await play(title, 5, as: lina) }
        for title in ["Jazz 1", "Jazz 2"] { try await play(title, 3, as: lina) }
        try await server.services.state.setStarred(
            true, item: try #require(byTitle["Folk 1"]).rawValue, kind: .track, user: lina.user.id,
            at: clock.now.addingTimeInterval(-150 * 86_400))
        // Max plays the hidden rock next to lina's favourites: co-listening would love to suggest it.
        for secret in hidden.sorted() {
            try await play(secret, 3, as: max)
            try await play("Rock 1", 1, as: max)
        }

        @Sendable func mixes(_ client: InProcessServer.Client, _ caller: InProcessServer.Caller, refresh: Bool = false)
            async throws -> [(name: String, id: String, tracks: [String])]
        {
            let answer = try await client.send(
                refresh ? .post : .get, refresh ? "/api/v1/mixes/refresh" : "/api/v1/mixes", token: caller.token)
            #expect(answer.status == .ok, "\(answer.body)")
            var found: [(name: String, id: String, tracks: [String])] = []
            for item in answer.json["items"] as? [[String: Any]] ?? [] {
                let id = item["id"] as? String ?? ""
                let page = try await client.send(.get, "/api/v1/playlists/\(id)", token: caller.token)
                let tracks = (page.json["tracks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                found.append((item["name"] as? String ?? "", id, tracks))
            }
            return found
        }
        let first = try await server.withClient { client in
            let first = try await mixes(client, lina)
            #expect(first.map(\.name) == ["Daily Mix 1 · Rock", "Daily Mix 2 · Jazz", "Rediscover"], "\(first)")
            let rockMix = try #require(first.first).tracks
            #expect(rockMix.count >= 5 && rockMix.count <= 30, "\(rockMix)")
            for title in ["Rock 1", "Rock 2", "Rock 3"] {
                #expect(rockMix.contains(try #require(byTitle[title]).rawValue), "\(title) missing from \(rockMix)")
            }
            #expect(first.allSatisfy { Set($0.tracks).isDisjoint(with: hidden) }, "\(first)")
            let rediscover = try #require(first.last).tracks
            #expect(
                Set(rediscover) == [
                    try #require(byTitle["Rock 6"]).rawValue, try #require(byTitle["Folk 1"]).rawValue,
                ],
                "\(rediscover)")

            // Subsonic apps list the mixes among lina's playlists; max does not see them.
            let listed = try await client.subsonic("getPlaylists", as: lina)
            let names = ((listed.subsonic["playlists"] as? [String: Any])?["playlist"] as? [[String: Any]] ?? [])
                .compactMap { $0["name"] as? String }
            #expect(names.contains("Daily Mix 1 · Rock"), "\(listed.body)")
            let forMax = try await client.send(.get, "/api/v1/playlists", token: max.token)
            #expect(!forMax.body.contains("Daily Mix"), "\(forMax.body)")

            // A thumbs down: out of the mixes and out of the radio; a thumbs up is a star.
            let rock4 = try #require(byTitle["Rock 4"]).rawValue
            let down = try await client.send(
                .put, "/api/v1/tracks/\(rock4)/feedback", token: lina.token, json: ["value": "down"])
            #expect(down.status == .ok, "\(down.body)")
            let read = try await client.send(.get, "/api/v1/tracks/\(rock4)/feedback", token: lina.token)
            #expect(read.json["value"] as? String == "down")
            let again = try await mixes(client, lina, refresh: true)
            #expect(again.allSatisfy { !$0.tracks.contains(rock4) }, "\(again)")
            let radio = try await client.send(
                .get, "/api/v1/radio?seedType=track&seed=\(try #require(byTitle["Rock 1"]).rawValue)&limit=20",
                token: lina.token)
            #expect(radio.status == .ok)
            #expect(!radio.body.contains(rock4), "\(radio.body)")
            let jazz5 = try #require(byTitle["Jazz 5"]).rawValue
            let up = try await client.send(
                .put, "/api/v1/tracks/\(jazz5)/feedback", token: lina.token, json: ["value": "up"])
            #expect(up.status == .ok)
            let starred = try await client.send(.get, "/api/v1/me/starred", token: lina.token)
            #expect(starred.body.contains(jazz5), "\(starred.body)")
            let bad = try await client.send(
                .put, "/api/v1/tracks/\(jazz5)/feedback", token: lina.token, json: ["value": "meh"])
            #expect(bad.status == .badRequest)
            let unseen = try await client.send(
                .put, "/api/v1/tracks/\(try #require(hidden.first))/feedback", token: lina.token,
                json: ["value": "up"])
            #expect(unseen.status == .notFound)
            return first.map(\.id)
        }

        // Within the day nothing is made again; a day on, the mixes follow what lina plays now.
        for title in ["Jazz 1", "Jazz 2", "Jazz 3"] { try await play(title, 12, as: lina, daysAgo: 0) }
        await server.services.mixes.refreshDue()
        #expect(try await server.withClient { try await mixes($0, lina) }.first?.name == "Daily Mix 1 · Rock")
        clock.advance(by: 25 * 3_600)
        await server.services.mixes.refreshDue()
        let tomorrow = try await server.withClient { try await mixes($0, lina) }
        #expect(tomorrow.first?.name == "Daily Mix 1 · Jazz", "\(tomorrow)")
        #expect(tomorrow.first?.id == first.first, "a mix keeps its playlist ID")
    }
}
