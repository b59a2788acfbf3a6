import CantoCore
import CantoPluginKit
import CantoPluginKitTesting
import Foundation
import SpotifyPlugin
import Testing

/// The streaming-history upload through a real server (the testing kit's host): a listener's
/// Spotify export with plays of the library's songs (one under a different spelling, one skipped
/// after 8 s), a podcast, and songs the library lacks. The plays join the history and the
/// statistics as "Spotify"; a second upload of the same file adds nothing; the missing music is
/// reported per listener and for the household, as JSON and CSV.
@Suite struct StreamingHistoryImportTests {
    static let tracks = [
        TestTrack("Jóga", artist: "Björk", album: "Homogenic", seconds: 300),
        TestTrack("Hunter", artist: "Björk", album: "Homogenic", seconds: 250),
        TestTrack("Teardrop", artist: "Massive Attack", album: "Mezzanine", seconds: 330),
    ]

    static func entry(_ ts: String, _ ms: Int, _ track: String?, _ artist: String?, _ album: String?) -> [String: Any] {
        var entry: [String: Any] = [
            "ts": ts, "ms_played": ms, "platform": "android", "reason_start": "trackdone", "reason_end": "trackdone",
            "skipped": ms < 30_000,
        ]
        entry["master_metadata_track_name"] = track ?? NSNull()
        entry["master_metadata_album_artist_name"] = artist ?? NSNull()
        entry["master_metadata_album_album_name"] = album ?? NSNull()
        entry["spotify_track_uri"] = track.map { "spotify:track:\($0.count)abcdefghijklmnopqrs" } ?? NSNull()
        return entry
    }

    /// The export file's bytes.
    static func exportFile() throws -> Data {
        try JSONSerialization.data(withJSONObject: export())
    }

    static func export() -> [[String: Any]] {
        [
            entry("2024-03-01T08:05:00Z", 300_000, "Joga", "Bjork", "Homogenic"),
            entry("2024-03-01T08:10:00Z", 250_000, "Hunter", "Björk", "Homogenic"),
            entry("2024-03-01T08:10:08Z", 8_000, "Teardrop", "Massive Attack", "Mezzanine"),
            entry("2024-03-02T20:00:00Z", 330_000, "Teardrop", "Massive Attack", "Mezzanine"),
            entry("2024-03-02T21:00:00Z", 1_800_000, nil, nil, nil),  // a podcast episode
            entry("2024-03-03T10:00:00Z", 200_000, "Windowlicker", "Aphex Twin", "Windowlicker"),
            entry("2024-03-03T10:04:00Z", 200_000, "Windowlicker", "Aphex Twin", "Windowlicker"),
            entry("2024-03-03T10:10:00Z", 300_000, "Nude", "Radiohead", "In Rainbows"),
        ]
    }

    @Test func anExportJoinsTheHistoryOnceAndReportsWhatIsMissing() async throws {
        try await PluginTestHost.run([], configuration: ["spotify": ["enabled": "true"]], tracks: Self.tracks) { host in
            let ada = try await host.addListener("ada")
            let bo = try await host.addListener("bo")
            let file = try Self.exportFile()
            let first = try await host.request("POST", "/api/v1/plugins/spotify/history", as: ada, body: file)
            #expect(first.status == 200, "\(first.text)")
            #expect(first.json["entries"] as? Int == 7 && first.json["others"] as? Int == 1)
            #expect(first.json["matched"] as? Int == 4 && first.json["imported"] as? Int == 4)
            #expect(first.json["unmatched"] as? Int == 3)
            // The same file again: nothing new.
            let again = try await host.request("POST", "/api/v1/plugins/spotify/history", as: ada, body: file)
            #expect(again.json["imported"] as? Int == 0 && again.json["duplicates"] as? Int == 4, "\(again.text)")

            // In the history, from Spotify, started when the play ended less its length; the 8 s play a skip.
            let history = try await host.request("GET", "/api/v1/me/history?limit=10", as: ada)
            let plays = history.json["items"] as? [[String: Any]] ?? []
            #expect(plays.count == 4, "\(history.text)")
            #expect(plays.allSatisfy { $0["client"] as? String == "Spotify" })
            let joga = plays.first { $0["title"] as? String == "Jóga" }
            #expect(joga?["startedAt"] as? String == "2024-03-01T08:00:00Z", "\(String(describing: joga))")
            #expect(plays.filter { $0["scrobble"] as? Bool == false }.count == 1)
            // And in the statistics: three counted plays in March 2024.
            let stats = try await host.request(
                "GET", "/api/v1/me/stats/listening?period=custom&from=2024-03-01&to=2024-03-31", as: ada)
            #expect((stats.json["totals"] as? [String: Any])?["plays"] as? Int == 3, "\(stats.text)")
            #expect((stats.json["totals"] as? [String: Any])?["skips"] as? Int == 1)

            // What the library lacks: Windowlicker most wanted.
            let missing = try await host.request("GET", "/api/v1/plugins/spotify/missing", as: ada)
            let albums = missing.json["albums"] as? [[String: Any]] ?? []
            #expect(albums.map { $0["album"] as? String ?? "" } == ["Windowlicker", "In Rainbows"], "\(missing.text)")
            #expect(albums.first?["plays"] as? Int == 2)
            let csv = try await host.request("GET", "/api/v1/plugins/spotify/missing?format=csv", as: ada)
            #expect(csv.text.hasPrefix("artist,album,unmatched_plays,tracks\r\nAphex Twin,Windowlicker,2,1\r\n"))
            // Bo's own report is empty; the household's holds ada's (she shares her listening).
            let mine = try await host.request("GET", "/api/v1/plugins/spotify/missing", as: bo)
            #expect((mine.json["albums"] as? [[String: Any]])?.isEmpty == true)
            let household = try await host.request("GET", "/api/v1/plugins/spotify/missing?scope=household", as: bo)
            #expect((household.json["albums"] as? [[String: Any]])?.count == 2, "\(household.text)")

            // A play before 1970 cannot be kept: refused, the rest of the file imported.
            let early = try JSONSerialization.data(withJSONObject: [
                Self.entry("1969-12-31T23:00:00Z", 250_000, "Hunter", "Björk", "Homogenic"),
                Self.entry("2024-04-01T08:00:00Z", 250_000, "Hunter", "Björk", "Homogenic"),
            ])
            let old = try await host.request("POST", "/api/v1/plugins/spotify/history", as: ada, body: early)
            #expect(old.status == 200, "\(old.text)")
            #expect(old.json["refused"] as? Int == 1 && old.json["imported"] as? Int == 1, "\(old.text)")

            // Not an export: refused with a message; nobody signed in: refused.
            let bad = try await host.request("POST", "/api/v1/plugins/spotify/history", as: ada, body: Data("{}".utf8))
            #expect(bad.status == 400 && bad.text.contains("streaming history"))
            let anonymous = try await host.request("POST", "/api/v1/plugins/spotify/history", body: file)
            #expect(anonymous.status == 401)
        }
    }
}
