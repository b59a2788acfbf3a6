import CantoCore
import CantoPluginKit
import Foundation

extension SpotifyPlugin {
    /// Pushes one of the listener's Canto playlists to their Spotify account as a new private
    /// playlist: each track found by its ISRC, else by title and artist (a result the matcher
    /// agrees is the same recording); what Spotify does not have is reported.
    func export(_ request: PluginRequest, for user: UserID) async throws -> PluginResponse {
        guard let id = request.json?["playlistId"] as? String, !id.isEmpty else {
            return .json(["error": "Send {\"playlistId\": …} (one of your playlists)."], status: 400)
        }
        guard let playlist = try await listeners.playlists(of: user).first(where: { $0.id.rawValue == id }) else {
            return .json(["error": "No such playlist of yours."], status: 404)
        }
        let client: SpotifyClient
        do {
            client = try await self.client(for: user)
        } catch let refused as PlaybackRefused {
            return .json(["error": refused.message], status: 409)
        }
        do {
            let tracks = try await catalog.tracks(playlist.trackIDs)
            let byID = Dictionary(tracks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            var uris: [String] = []
            var notFound: [[String: Any]] = []
            for trackID in playlist.trackIDs {
                guard let track = byID[trackID] else { continue }
                if let uri = try await find(track, client) {
                    uris.append(uri)
                } else {
                    notFound.append(["title": track.title, "artist": track.artistName])
                }
            }
            let created =
                try await client.call(
                    "POST", client.url("me/playlists"),
                    body: ["name": playlist.name, "public": false, "description": "From Canto"]) ?? [:]
            guard let spotifyID = created["id"] as? String else {
                return .json(["error": "Spotify did not create the playlist."], status: 502)
            }
            var start = 0
            while start < uris.count {
                let chunk = Array(uris[start..<min(uris.count, start + 100)])
                try await client.call("POST", client.url("playlists/\(spotifyID)/items"), body: ["uris": chunk])
                start += 100
            }
            return .json(["spotifyPlaylistId": spotifyID, "added": uris.count, "notFound": notFound])
        } catch let error as SpotifyClient.SpotifyError {
            return .json(["error": error.description], status: 502)
        }
    }

    /// The Spotify URI of a local track: by ISRC first, then a search by title and artist whose
    /// result the matcher takes for the same recording.
    func find(_ track: Track, _ client: SpotifyClient) async throws -> String? {
        let local = TrackMatcher.Local(
            id: track.id, title: track.title, artist: track.artistName, album: track.album,
            trackNumber: track.trackNumber, durationMs: track.audio.durationMs > 0 ? Int(track.audio.durationMs) : nil,
            isrc: track.isrc)
        let matcher = TrackMatcher(library: [local])
        var queries: [String] = []
        if let isrc = track.isrc, !isrc.isEmpty { queries.append("isrc:\(isrc)") }
        queries.append("track:\(SpotifyClient.quoted(track.title)) artist:\(SpotifyClient.quoted(track.artistName))")
        for query in queries {
            let found = try await client.get("search", ["q": query, "type": "track", "limit": "10"])
            let items = (found["tracks"] as? [String: Any])?["items"] as? [[String: Any]] ?? []
            for item in items {
                guard let candidate = SpotifyTrack(item), matcher.match(candidate.remote) != nil else { continue }
                return "spotify:track:\(candidate.id)"
            }
        }
        return nil
    }
}
