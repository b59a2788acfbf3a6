import CantoCore
import CantoDomain
import CantoStore
import CantoTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import CantoServer

/// Recommendations through a real server (in process) over a small hand-built library whose right
/// answers are known: three artists with three distinct sounds (fast clicks, sine melodies,
/// sawtooth melodies) and, in a second library, a track that sounds like the first artist's.
/// Sounding-alike answers come first, at most two of one artist, and a listener limited to the
/// first library never hears of the second's track.
@Suite("Recommendations")
struct RecommendationTests {
    static let melody = [60, 64, 67, 72, 67, 64].map(SynthClip.frequency(midi:))

    static func library() throws -> TemporaryDirectory {
        let root = try TemporaryDirectory(prefix: "canto-recommend")
        func write(_ clip: SynthClip, library: String, artist: String, title: String, number: Int) throws {
            let folder = root.url.appendingPathComponent("\(library)/\(artist)/Album")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try clip.encodeMP3(
                to: folder.appendingPathComponent("\(number) \(title).mp3"),
                metadata: [
                    "title": title, "artist": artist, "album_artist": artist, "album": "\(artist) Album",
                    "track": "\(number)",
                ])
        }
        for number in 1...4 {
            try write(
                .clicks(bpm: 150, seconds: 12, pitch: 1_000 + Double(number)), library: "open", artist: "Clicker",
                title: "Click \(number)", number: number)
            try write(
                .notes(melody.shuffled(), wave: .sine, noteSeconds: 0.5, seconds: 12), library: "open",
                artist: "Sine Band", title: "Sine \(number)", number: number)
            try write(
                .notes(melody.shuffled(), wave: .sawtooth, noteSeconds: 0.5, seconds: 12), library: "open",
                artist: "Saw Crew", title: "Saw \(number)", number: number)
        }
        try write(
            .clicks(bpm: 150, seconds: 12, pitch: 1_002), library: "hidden", artist: "Secret Clicker",
            title: "Hidden Click", number: 1)
        return root
    }

    @Test func similarSongsSoundAlikeSpreadOverArtistsAndStayInTheListenersLibraries() async throws {
        let music = try Self.library()
        let server = try await InProcessServer.start(
            music: [music.url.appendingPathComponent("open"), music.url.appendingPathComponent("hidden")])
        #expect(await server.services.sonic.runOnce() == 13)
        let libraries = try await server.services.catalog.libraries()
        let open = try #require(libraries.first { $0.path.hasSuffix("open") })
        let limited = try await server.addUser("lina", libraries: [open.id])
        let everything = try await server.addUser("max")
        let titles = try await server.trackIDs().asyncMap { id in (id, try await server.services.track(id)?.title ?? "")
        }
        let byTitle = Dictionary(uniqueKeysWithValues: titles.map { ($1, $0) })
        let click1 = try #require(byTitle["Click 1"])
        let sine1 = try #require(byTitle["Sine 1"])

        try await server.withClient { client in
            // The nearest sounds to a click track are clicks; the hidden one only for who sees it.
            func sonic(_ id: TrackID, _ count: Int, as caller: InProcessServer.Caller) async throws -> [(
                String, Double
            )] {
                let answer = try await client.subsonic(
                    "getSonicSimilarTracks", [("id", id.rawValue), ("count", "\(count)")], as: caller)
                #expect(answer.subsonicError == nil, "\(answer.body)")
                return (answer.subsonic["sonicMatch"] as? [[String: Any]] ?? []).map {
                    (($0["entry"] as? [String: Any])?["title"] as? String ?? "", $0["similarity"] as? Double ?? -2)
                }
            }
            let forMax = try await sonic(click1, 4, as: everything)
            #expect(Set(forMax.map(\.0)) == ["Click 2", "Click 3", "Click 4", "Hidden Click"], "\(forMax)")
            #expect(forMax.allSatisfy { $0.1 > 0 && $0.1 <= 1 })
            #expect(forMax.map(\.1) == forMax.map(\.1).sorted(by: >))
            let forLina = try await sonic(click1, 4, as: limited)
            #expect(!forLina.map(\.0).contains("Hidden Click"), "\(forLina)")
            #expect(Array(forLina.map(\.0).prefix(3)).sorted() == ["Click 2", "Click 3", "Click 4"], "\(forLina)")
            // A radio-style list: at most two of one artist, the seeds' own sound first.
            let similar = try await client.subsonic(
                "getSimilarSongs", [("id", sine1.rawValue), ("count", "6")], as: limited)
            let songs = ((similar.subsonic["similarSongs"] as? [String: Any])?["song"] as? [[String: Any]]) ?? []
            let artists = songs.compactMap { $0["artist"] as? String }
            #expect(songs.count == 6, "\(similar.body)")
            #expect(Dictionary(grouping: artists, by: { $0 }).values.allSatisfy { $0.count <= 2 }, "\(artists)")
            #expect(artists.prefix(2) == ["Sine Band", "Sine Band"], "\(artists)")
            // A path from a click to a sine melody: starts and ends there, every step a track of the library.
            let path = try await client.subsonic(
                "findSonicPath", [("startSongId", click1.rawValue), ("endSongId", sine1.rawValue), ("count", "5")],
                as: limited)
            let steps = (path.subsonic["sonicMatch"] as? [[String: Any]] ?? []).map {
                ($0["entry"] as? [String: Any])?["title"] as? String ?? ""
            }
            #expect(steps.count == 5, "\(path.body)")
            #expect(steps.first == "Click 1")
            #expect(steps.last == "Sine 1")
            #expect(!steps.contains("Hidden Click"))
            // A hidden track is not a seed for who cannot see it.
            let hidden = try #require(byTitle["Hidden Click"])
            let refused = try await client.subsonic("getSonicSimilarTracks", [("id", hidden.rawValue)], as: limited)
            #expect(refused.subsonicError == 70)
            // The native API: each pick with its likeness and why; a radio refills without repeating.
            let similarNative = try await client.send(
                .get, "/api/v1/tracks/\(click1.rawValue)/similar?limit=3", token: limited.token)
            let picks = similarNative.json["items"] as? [[String: Any]] ?? []
            #expect(picks.count == 3, "\(similarNative.body)")
            #expect(picks.allSatisfy { $0["reason"] as? String == "Sounds like “Click 1”" }, "\(picks)")
            #expect(picks.allSatisfy { ($0["similarity"] as? Double ?? 0) > 0 })
            var queued: [String] = [click1.rawValue]
            for _ in 0..<3 {
                let page = try await client.send(
                    .get,
                    "/api/v1/radio?seedType=track&seed=\(click1.rawValue)&limit=4&exclude=\(queued.joined(separator: ","))",
                    token: limited.token)
                #expect(page.status == .ok, "\(page.body)")
                let ids = (page.json["items"] as? [[String: Any]] ?? []).compactMap {
                    ($0["track"] as? [String: Any])?["id"] as? String
                }
                #expect(!ids.isEmpty)
                #expect(Set(ids).isDisjoint(with: queued), "a refill repeats nothing queued")
                #expect(!ids.contains(hidden.rawValue))
                queued += ids
            }
            // Ten of the eleven other open tracks, none twice (the last page keeps to two of an artist).
            #expect(Set(queued).count == queued.count)
            #expect(queued.count >= 10, "\(queued.count)")
            for bad in ["/api/v1/radio?seedType=mood&seed=x", "/api/v1/radio?seed=\(click1.rawValue)&limit=0"] {
                #expect(try await client.send(.get, bad, token: limited.token).status == .badRequest, "\(bad)")
            }
            #expect(
                try await client.send(.get, "/api/v1/radio?seed=\(hidden.rawValue)", token: limited.token).status
                    == .notFound)
            // The extension is advertised.
            let extensions = try await client.subsonic("getOpenSubsonicExtensions", [], as: limited)
            #expect(extensions.body.contains("sonicSimilarity"))
        }
    }
}
