import CantoCore
import CantoPluginKit
import Foundation

extension SpotifyPlugin {
    /// Spotify's redirect URI rules (2025): HTTPS, or plain HTTP only to a loopback IP literal
    /// (`127.0.0.1`, `[::1]`; registered without a port); never `localhost`.
    static func redirectVerdict(_ uri: URL) -> (accepted: Bool, advice: String) {
        let host = (uri.host ?? "").lowercased()
        switch uri.scheme?.lowercased() {
        case "https":
            return (true, "Register this address as a Redirect URI of your Spotify app.")
        case "http" where host == "127.0.0.1" || host == "::1" || host == "[::1]":
            return (
                true,
                "Spotify accepts plain HTTP only on this machine's loopback address: register it without the port (http://\(host == "127.0.0.1" ? host : "[::1]")/plugins/spotify/link-callback) and link from a browser on the server machine."
            )
        case "http" where host == "localhost":
            return (
                false,
                "Spotify does not accept localhost: open Canto at http://127.0.0.1:PORT on the server machine to link, or give the server an HTTPS address."
            )
        default:
            return (
                false,
                "Spotify accepts only HTTPS addresses, or http://127.0.0.1 on the server machine: give the server an HTTPS address (a reverse proxy with a certificate), or link from a browser on the server machine at http://127.0.0.1:PORT."
            )
        }
    }

    /// What the admin registers at Spotify, for the address this request came to.
    func setup(_ request: PluginRequest) -> PluginResponse {
        // The callback the host gives Spotify when linking: this request's scheme and address.
        let host = request.headers["host"] ?? "127.0.0.1"
        let scheme = request.headers["x-canto-scheme"] ?? "http"
        let uri = URL(string: "\(scheme)://\(host)/plugins/spotify/link-callback")
        let verdict: (accepted: Bool, advice: String) =
            uri.map(Self.redirectVerdict) ?? (false, "The request does not name the server's address.")
        return .json([
            "clientIdSet": clientID != nil, "redirectUri": uri?.absoluteString ?? "", "accepted": verdict.accepted,
            "advice": verdict.advice, "scopes": Self.scopes,
        ])
    }

    /// The listener's last sync and their playlists (matched and unmatched counts).
    func status(of user: UserID) async throws -> PluginResponse {
        let who = PluginSQLValue.text(user.rawValue)
        let (state, lists, liked, top) = try await tables.read { sql in
            (
                try sql.rows("SELECT synced_at, outcome, message FROM spotify_state WHERE user_id = ?", [who]).first,
                try sql.rows(
                    """
                    SELECT playlist_id, name, readable, tracks, matched, canto_id FROM spotify_playlist
                    WHERE user_id = ? ORDER BY name
                    """, [who]),
                try sql.rows(
                    "SELECT count(*) AS liked, count(track_id) AS matched FROM spotify_liked WHERE user_id = ?", [who]
                ).first,
                try sql.rows(
                    """
                    SELECT kind, time_range, name, artist, track_id FROM spotify_top WHERE user_id = ?
                    ORDER BY kind, time_range, rank
                    """, [who])
            )
        }
        // Spotify's top tracks and artists for each of its periods (about four weeks, six months, a year).
        var tops: [String: [String: [[String: Any]]]] = [:]
        for row in top {
            guard let kind = row["kind"].text, let range = row["time_range"].text else { continue }
            var item: [String: Any] = ["name": row["name"].text ?? ""]
            if kind == "tracks" {
                item["artist"] = row["artist"].text ?? ""
                item["trackId"] = row["track_id"].text ?? NSNull()
            }
            tops[kind, default: [:]][range, default: []].append(item)
        }
        return .json([
            "linked": try await accounts.linkedUsers().contains(user),
            "syncedAt": state?["synced_at"].real.map {
                ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: $0))
            }
                ?? NSNull(),
            "outcome": state?["outcome"].text ?? NSNull(), "message": state?["message"].text ?? NSNull(),
            "liked": liked?["liked"].integer ?? 0, "likedMatched": liked?["matched"].integer ?? 0,
            "top": tops,
            "playlists": lists.map { row -> [String: Any] in
                [
                    "id": row["playlist_id"].text ?? "", "name": row["name"].text ?? "",
                    "readable": row["readable"].integer == 1, "tracks": row["tracks"].integer ?? 0,
                    "matched": row["matched"].integer ?? 0, "playlistId": row["canto_id"].text ?? NSNull(),
                ]
            },
        ])
    }

    /// A playlist's entries in order, each with its match (method and confidence) or none.
    func entries(of playlist: String, for user: UserID) async throws -> PluginResponse {
        let who = PluginSQLValue.text(user.rawValue)
        let rows = try await tables.read { sql in
            try sql.rows(
                """
                SELECT position, spotify_id, title, artist, album, track_id, method, confidence FROM spotify_entry
                WHERE user_id = ? AND playlist_id = ? ORDER BY position
                """, [who, .text(playlist)])
        }
        guard !rows.isEmpty else { return .json(["error": "No such playlist brought from Spotify."], status: 404) }
        return .json([
            "entries": rows.map { row -> [String: Any] in
                [
                    "position": row["position"].integer ?? 0, "spotifyId": row["spotify_id"].text ?? "",
                    "title": row["title"].text ?? "", "artist": row["artist"].text ?? "",
                    "album": row["album"].text ?? "", "trackId": row["track_id"].text ?? NSNull(),
                    "method": row["method"].text ?? NSNull(), "confidence": row["confidence"].real ?? NSNull(),
                ]
            }
        ])
    }

    /// The listener says which local track a Spotify track is (or that none is): kept, and
    /// applied at once to their playlists and likes, and at every sync after.
    func correct(_ request: PluginRequest, for user: UserID) async throws -> PluginResponse {
        guard let body = request.json, let spotifyID = body["spotifyId"] as? String, !spotifyID.isEmpty,
            spotifyID.count <= 64
        else { return .json(["error": "Send {\"spotifyId\": …, \"trackId\": … or null}."], status: 400) }
        let target = body["trackId"] as? String
        if let target {
            // Only a track the listener may see (another library's is no track of theirs).
            guard try await listeners.visibleTracks([TrackID(target)], to: user).isEmpty == false else {
                return .json(["error": "No such track in the library."], status: 400)
            }
        }
        let who = PluginSQLValue.text(user.rawValue)
        try await tables.write { sql in
            try sql.execute(
                "INSERT OR REPLACE INTO spotify_correction (user_id, spotify_id, track_id) VALUES (?, ?, ?)",
                [who, .text(spotifyID), target.map { .text($0) } ?? .null])
        }
        let summary = try await rematch(user)
        return .json([
            "corrected": spotifyID, "trackId": target.map { $0 as Any } ?? NSNull(), "playlists": summary.playlists,
        ])
    }

    /// Matches the listener's remembered playlists and likes again without asking Spotify (after
    /// a correction, or when the library has grown): the playlists and stars follow.
    @discardableResult
    func rematch(_ user: UserID) async throws -> SpotifySync.Summary {
        let who = PluginSQLValue.text(user.rawValue)
        let (matcher, _) = try await matcher()
        let corrections = try await corrections(of: user)
        let (lists, entries, liked) = try await tables.read { sql in
            (
                try sql.rows(
                    "SELECT playlist_id, name, snapshot_id FROM spotify_playlist WHERE user_id = ? AND readable = 1",
                    [who]),
                try sql.rows("SELECT * FROM spotify_entry WHERE user_id = ? ORDER BY playlist_id, position", [who]),
                try sql.rows("SELECT * FROM spotify_liked WHERE user_id = ?", [who])
            )
        }
        func track(_ row: PluginRow) -> SpotifyTrack? {
            SpotifyTrack([
                "id": row["spotify_id"].text as Any, "name": row["title"].text as Any,
                "artists": [["name": row["artist"].text ?? ""]], "album": ["name": row["album"].text ?? ""],
                "duration_ms": row["duration_ms"].integer.map(Int.init) as Any,
                "track_number": row["track_number"].integer.map(Int.init) as Any,
                "external_ids": ["isrc": row["isrc"].text as Any],
            ])
        }
        var summary = SpotifySync.Summary()
        for list in lists {
            guard let id = list["playlist_id"].text else { continue }
            let tracks = entries.filter { $0["playlist_id"].text == id }.compactMap(track)
            summary.playlists += 1
            try await keep(
                playlist: id, name: list["name"].text ?? id, snapshot: list["snapshot_id"].text ?? "", tracks: tracks,
                for: user, matcher, corrections, &summary)
        }
        var starred: [TrackID] = []
        var updates: [(String, TrackMatcher.Match?)] = []
        let likedTracks = liked.compactMap { row in track(row).map { (row, $0) } }
        let matches = try await visible(
            likedTracks.map { match($0.1, matcher, corrections: corrections) }, for: user)
        for ((row, spotifyTrack), found) in zip(likedTracks, matches) {
            if found?.track.rawValue != row["track_id"].text { updates.append((spotifyTrack.id, found)) }
            if let found { starred.append(found.track) }
        }
        summary.starred = try await listeners.star(starred, for: user, at: Date())
        let changes = updates
        try await tables.write { sql in
            for (id, found) in changes {
                try sql.execute(
                    "UPDATE spotify_liked SET track_id = ?, method = ?, confidence = ? WHERE user_id = ? AND spotify_id = ?",
                    Self.columns(found) + [who, .text(id)])
            }
        }
        return summary
    }
}
