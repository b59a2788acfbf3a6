import CantoCore
import CantoPluginKit
import CantoPluginKitTesting
import CoListeningPlugin
import Foundation
import Testing

/// The co-listening recommender in the plugin testing kit's host, on a hand-built history whose
/// answer is known: what is played right after a track most often comes first, a skip weakens a
/// pair, sessions end at a 30-minute gap, and a listener who keeps their listening to themselves
/// teaches it nothing.
@Suite("Co-listening plugin")
struct CoListeningPluginTests {
    static let tracks = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"].map {
        TestTrack($0, artist: "Artist \($0)", album: "Album \($0)", seconds: 180)
    }

    @Test func whatIsPlayedTogetherComesFirst() async throws {
        try await PluginTestHost.run([], tracks: Self.tracks) { host in
            let (a, b, c, d, e, f) = (
                host.tracks[0], host.tracks[1], host.tracks[2], host.tracks[3], host.tracks[4], host.tracks[5]
            )
            let rita = try await host.addListener("rita")
            let tom = try await host.addListener("tom")
            let hidden = try await host.addListener("hidden")
            // Asks with no history of her own, so the blend's taste does not reorder the plugin's answer.
            let quinn = try await host.addListener("quinn")
            var preferences = try await host.request("GET", "/api/v1/me/preferences", as: hidden).json
            preferences["listeningVisible"] = false
            let saved = try await host.request(
                "PUT", "/api/v1/me/preferences", as: hidden,
                body: try JSONSerialization.data(withJSONObject: preferences),
                headers: ["Content-Type": "application/json"])
            #expect(saved.status == 200, "\(saved.text)")
            let start = Date().addingTimeInterval(-86_400)
            func session(_ tracks: [Track], by listener: PluginTestHost.Listener, at minutes: Double) async throws {
                for (offset, track) in tracks.enumerated() {
                    try await host.play(
                        track, by: listener, at: start.addingTimeInterval((minutes + Double(offset) * 4) * 60))
                }
            }
            // Rita: A B C, then (an hour later, another session) A B. Tom: A C. A→B 2, A→C 1.5.
            try await session([a, b, c], by: rita, at: 0)
            try await session([a, b], by: rita, at: 60)
            try await session([a, c], by: tom, at: 0)
            // An hour's gap is another session: E after the last play of Rita's is no neighbour of B.
            try await session([e], by: rita, at: 200)
            // The hidden listener plays A D ten times: none of it counts.
            for round in 0..<10 { try await session([a, d], by: hidden, at: Double(round) * 60) }

            @Sendable func similar(_ track: Track) async throws -> [(String, String)] {
                let answer = try await host.request(
                    "GET", "/api/v1/tracks/\(track.id.rawValue)/similar?limit=5", as: quinn)
                return (answer.json["items"] as? [[String: Any]] ?? []).map {
                    (($0["track"] as? [String: Any])?["title"] as? String ?? "", $0["reason"] as? String ?? "")
                }
            }
            try await host.deliverEvents { try await similar(a).count == 2 }
            let answer = try await similar(a)
            #expect(answer.map(\.0) == ["Bravo", "Charlie"], "\(answer)")
            #expect(answer.allSatisfy { $0.1 == "Played with “Alpha”" })
            #expect(!(try await similar(b)).map(\.0).contains("Echo"))
            // Asked by Tom, who played Charlie himself, the blend puts his favourite first.
            let forTom = try await host.request("GET", "/api/v1/tracks/\(a.id.rawValue)/similar?limit=5", as: tom)
            let first = (forTom.json["items"] as? [[String: Any]])?.first
            #expect((first?["track"] as? [String: Any])?["title"] as? String == "Charlie", "\(forTom.text)")
            #expect(first?["reason"] as? String == "One of your favourites")
            #expect(!(try await similar(a)).map(\.0).contains("Delta"))

            // Tom skips Bravo right after Alpha, three times: Charlie comes first now.
            for round in 0..<3 {
                try await host.play(a, by: tom, at: start.addingTimeInterval(Double(300 + round * 60) * 60))
                try await host.play(
                    b, by: tom, secondsPlayed: 5, at: start.addingTimeInterval(Double(302 + round * 60) * 60))
            }
            try await host.deliverEvents { try await similar(a).first?.0 == "Charlie" }
            #expect(try await similar(a).map(\.0) == ["Charlie", "Bravo"])
            _ = f
        }
    }
}
