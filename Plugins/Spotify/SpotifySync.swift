import CantoCore
import CantoPluginKit
import Foundation
import Logging

/// The plugin's own tables for what it brings from Spotify.
enum SpotifySync {
    static let tables = [
        """
        CREATE TABLE spotify_playlist (user_id TEXT NOT NULL, playlist_id TEXT NOT NULL, name TEXT NOT NULL,
            snapshot_id TEXT NOT NULL, readable INTEGER NOT NULL, tracks INTEGER NOT NULL DEFAULT 0,
            matched INTEGER NOT NULL DEFAULT 0, canto_id TEXT, synced_at REAL NOT NULL,
            PRIMARY KEY (user_id, playlist_id))
        """,
        """
        CREATE TABLE spotify_entry (user_id TEXT NOT NULL, playlist_id TEXT NOT NULL, position INTEGER NOT NULL,
            spotify_id TEXT NOT NULL, title TEXT NOT NULL, artist TEXT NOT NULL, album TEXT NOT NULL,
            isrc TEXT, duration_ms INTEGER, track_number INTEGER, track_id TEXT, method TEXT, confidence REAL,
            PRIMARY KEY (user_id, playlist_id, position))
        """,
        """
        CREATE TABLE spotify_liked (user_id TEXT NOT NULL, spotify_id TEXT NOT NULL, added_at REAL NOT NULL,
            title TEXT NOT NULL, artist TEXT NOT NULL, album TEXT NOT NULL, isrc TEXT, duration_ms INTEGER,
            track_number INTEGER, track_id TEXT, method TEXT, confidence REAL, PRIMARY KEY (user_id, spotify_id))
        """,
        """
        CREATE TABLE spotify_correction (user_id TEXT NOT NULL, spotify_id TEXT NOT NULL, track_id TEXT,
            PRIMARY KEY (user_id, spotify_id))
        """,
        """
        CREATE TABLE spotify_top (user_id TEXT NOT NULL, kind TEXT NOT NULL, time_range TEXT NOT NULL,
            rank INTEGER NOT NULL, spotify_id TEXT NOT NULL, name TEXT NOT NULL, artist TEXT NOT NULL,
            track_id TEXT, PRIMARY KEY (user_id, kind, time_range, rank))
        """,
        """
        CREATE TABLE spotify_state (user_id TEXT PRIMARY KEY NOT NULL, recent_after INTEGER NOT NULL DEFAULT 0,
            synced_at REAL, outcome TEXT, message TEXT)
        """,
    ]

    /// What one sync did.
    struct Summary: Sendable {
        var playlists = 0
        var unchanged = 0
        var unreadable = 0
        var entries = 0
        var matched = 0
        var liked = 0
        var starred = 0
        var recent = 0
        var imported = 0
        var top = 0

        var json: [String: Any] {
            [
                "playlists": playlists, "unchanged": unchanged, "unreadable": unreadable, "entries": entries,
                "matched": matched, "liked": liked, "starred": starred, "recent": recent, "imported": imported,
                "top": top,
            ]
        }
    }
}

extension SpotifyPlugin {
    /// The listener's corrections: a Spotify track to a local track, or to none.
    func corrections(of user: UserID) async throws -> [String: TrackID?] {
        let who = PluginSQLValue.text(user.rawValue)
        let rows = try await tables.read { sql in
            try sql.rows("SELECT spotify_id, track_id FROM spotify_correction WHERE user_id = ?", [who])
        }
        var found: [String: TrackID?] = [:]
        for row in rows {
            guard let id = row["spotify_id"].text else { continue }
            found[id] = row["track_id"].text.map { TrackID($0) }
        }
        return found
    }

    /// A Spotify track's local match: the listener's correction first, then the matcher.
    func match(_ track: SpotifyTrack, _ matcher: TrackMatcher, corrections: [String: TrackID?]) -> TrackMatcher.Match? {
        if let corrected = corrections[track.id] {
            guard let corrected, matcher.knows(corrected) else { return nil }
            return TrackMatcher.Match(track: corrected, method: .manual, confidence: 1)
        }
        return matcher.match(track.remote)
    }

    /// Of the matches, those the listener may see; the others are no match for them (a track in a
    /// library they cannot see is not theirs to be shown or given).
    func visible(_ matches: [TrackMatcher.Match?], for user: UserID) async throws -> [TrackMatcher.Match?] {
        let found = matches.compactMap { $0?.track }
        guard !found.isEmpty else { return matches }
        let seen = Set(try await listeners.visibleTracks(Array(Set(found)), to: user))
        return matches.map { $0.flatMap { seen.contains($0.track) ? $0 : nil } }
    }

    /// Syncs every linked listener (the scheduled job); one listener's failure does not stop the others.
    func syncEveryone() async throws {
        for user in try await accounts.linkedUsers() {
            do {
                _ = try await sync(user)
            } catch {
                logger.notice("Spotify sync failed", metadata: ["user": "\(user.rawValue)", "error": "\(error)"])
            }
        }
    }

    func syncNow(_ user: UserID) async throws -> PluginResponse {
        do {
            return .json(try await sync(user).json)
        } catch let error as SpotifyClient.SpotifyError {
            return .json(["error": error.description], status: 502)
        } catch is LinkedAccountRejected {
            return .json(
                ["error": "Spotify no longer accepts the link: reconnect Spotify on your profile."], status: 409)
        } catch is NotLinked {
            return .json(["error": "Link your Spotify account on your profile first."], status: 409)
        }
    }

    struct NotLinked: Error {}

    /// Brings the listener's playlists, liked songs, recently played and top items in.
    func sync(_ user: UserID) async throws -> SpotifySync.Summary {
        let who = PluginSQLValue.text(user.rawValue)
        do {
            let summary = try await syncing(user)
            try await noteOutcome(who, "ok", message: nil)
            return summary
        } catch {
            let message = (error as? SpotifyClient.SpotifyError)?.description ?? "\(error)"
            try? await noteOutcome(who, "failed", message: message)
            throw error
        }
    }

    private func noteOutcome(_ who: PluginSQLValue, _ outcome: String, message: String?) async throws {
        let now = Date().timeIntervalSince1970
        try await tables.write { sql in
            try sql.execute(
                """
                INSERT INTO spotify_state (user_id, synced_at, outcome, message) VALUES (?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET synced_at = excluded.synced_at, outcome = excluded.outcome,
                    message = excluded.message
                """, [who, .real(now), .text(outcome), message.map { .text($0) } ?? .null])
        }
    }

    private func syncing(_ user: UserID) async throws -> SpotifySync.Summary {
        guard let account = try await accounts.account(of: user) else { throw NotLinked() }
        let client = SpotifyClient(http: http, apiBase: apiBase, token: account.secret)
        let me = try await client.get("me")
        let myID = me["id"] as? String ?? ""
        let (matcher, _) = try await matcher()
        let corrections = try await corrections(of: user)
        var summary = SpotifySync.Summary()
        try await syncPlaylists(user, client, myID: myID, matcher, corrections, &summary)
        try await syncLiked(user, client, matcher, corrections, &summary)
        try await syncRecent(user, client, matcher, corrections, &summary)
        try await syncTop(user, client, matcher, corrections, &summary)
        // Music added to the library since the last match: unchanged playlists and likes fill in.
        let who = PluginSQLValue.text(user.rawValue)
        let fingerprint = try await catalog.tracksFingerprint()
        let matchedWith = try await tables.read { sql in
            try sql.rows("SELECT matched_with FROM spotify_state WHERE user_id = ?", [who]).first?["matched_with"].text
        }
        if let matchedWith, matchedWith != fingerprint {
            let again = try await rematch(user)
            summary.starred += again.starred
        }
        try await tables.write { sql in
            try sql.execute(
                """
                INSERT INTO spotify_state (user_id, matched_with) VALUES (?, ?)
                ON CONFLICT (user_id) DO UPDATE SET matched_with = excluded.matched_with
                """, [who, .text(fingerprint)])
        }
        return summary
    }

    /// The listener's playlists: those they own or collaborate on are read (Spotify lets an app
    /// read no others) unless their `snapshot_id` is the one already brought in.
    private func syncPlaylists(
        _ user: UserID, _ client: SpotifyClient, myID: String, _ matcher: TrackMatcher,
        _ corrections: [String: TrackID?], _ summary: inout SpotifySync.Summary
    ) async throws {
        let who = PluginSQLValue.text(user.rawValue)
        let known = try await tables.read { sql in
            try sql.rows("SELECT playlist_id, snapshot_id, canto_id FROM spotify_playlist WHERE user_id = ?", [who])
        }
        var snapshots: [String: String] = [:]
        for row in known where row["canto_id"].text != nil {
            if let id = row["playlist_id"].text, let snapshot = row["snapshot_id"].text { snapshots[id] = snapshot }
        }
        let lists = try await client.all("me/playlists", ["limit": "50"])
        var seen: [PluginSQLValue] = []
        for list in lists {
            guard let id = list["id"] as? String, let name = list["name"] as? String else { continue }
            let snapshot = list["snapshot_id"] as? String ?? ""
            let owner = (list["owner"] as? [String: Any])?["id"] as? String
            let readable = owner == myID || (list["collaborative"] as? Bool ?? false)
            seen.append(.text(id))
            summary.playlists += 1
            guard readable else {
                summary.unreadable += 1
                try await tables.write { sql in
                    try sql.execute(
                        """
                        INSERT INTO spotify_playlist (user_id, playlist_id, name, snapshot_id, readable, synced_at)
                        VALUES (?, ?, ?, ?, 0, ?)
                        ON CONFLICT (user_id, playlist_id) DO UPDATE SET name = excluded.name,
                            snapshot_id = excluded.snapshot_id, readable = 0, synced_at = excluded.synced_at
                        """, [who, .text(id), .text(name), .text(snapshot), .real(Date().timeIntervalSince1970)])
                }
                continue
            }
            if snapshots[id] == snapshot {
                summary.unchanged += 1
                continue
            }
            let items = try await client.all("playlists/\(id)/items", ["limit": "50"])
            let tracks = items.compactMap {
                SpotifyTrack($0["item"] as? [String: Any] ?? $0["track"] as? [String: Any])
            }
            try await keep(
                playlist: id, name: name, snapshot: snapshot, tracks: tracks, for: user, matcher, corrections, &summary)
        }
        // Playlists no longer on the listener's Spotify: their Canto copies stay theirs.
        let listed = seen
        try await tables.write { sql in
            let rows = try sql.rows("SELECT playlist_id FROM spotify_playlist WHERE user_id = ?", [who])
            for row in rows {
                let id = row["playlist_id"]
                guard !listed.contains(id) else { continue }
                try sql.execute("DELETE FROM spotify_playlist WHERE user_id = ? AND playlist_id = ?", [who, id])
                try sql.execute("DELETE FROM spotify_entry WHERE user_id = ? AND playlist_id = ?", [who, id])
            }
        }
    }

    /// Matches a playlist's tracks, keeps it as the listener's Canto playlist and remembers
    /// every entry (the unmatched too, so they can fill in later).
    func keep(
        playlist id: String, name: String, snapshot: String, tracks: [SpotifyTrack], for user: UserID,
        _ matcher: TrackMatcher, _ corrections: [String: TrackID?], _ summary: inout SpotifySync.Summary
    ) async throws {
        let who = PluginSQLValue.text(user.rawValue)
        let matches = try await visible(tracks.map { match($0, matcher, corrections: corrections) }, for: user)
        let cantoID = try await listeners.keepPlaylist(
            key: id, name: name, comment: "From Spotify", tracks: matches.compactMap { $0?.track }, for: user)
        let matchedCount = matches.compactMap { $0 }.count
        summary.entries += tracks.count
        summary.matched += matchedCount
        try await tables.write { sql in
            try sql.execute("DELETE FROM spotify_entry WHERE user_id = ? AND playlist_id = ?", [who, .text(id)])
            for (position, track) in tracks.enumerated() {
                let found = matches[position]
                try sql.execute(
                    """
                    INSERT INTO spotify_entry (user_id, playlist_id, position, spotify_id, title, artist, album, isrc,
                        duration_ms, track_number, track_id, method, confidence)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [who, .text(id), .integer(Int64(position))] + Self.columns(track)
                        + Self.columns(found))
            }
            try sql.execute(
                """
                INSERT INTO spotify_playlist (user_id, playlist_id, name, snapshot_id, readable, tracks, matched,
                    canto_id, synced_at)
                VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)
                ON CONFLICT (user_id, playlist_id) DO UPDATE SET name = excluded.name,
                    snapshot_id = excluded.snapshot_id, readable = 1, tracks = excluded.tracks,
                    matched = excluded.matched, canto_id = excluded.canto_id, synced_at = excluded.synced_at
                """,
                [
                    who, .text(id), .text(name), .text(snapshot), .integer(Int64(tracks.count)),
                    .integer(Int64(matchedCount)), .text(cantoID.rawValue), .real(Date().timeIntervalSince1970),
                ])
        }
    }

    static func columns(_ track: SpotifyTrack) -> [PluginSQLValue] {
        [
            .text(track.id), .text(track.name), .text(track.artists.first ?? ""), .text(track.album),
            track.isrc.map { .text($0) } ?? .null, track.durationMs.map { .integer(Int64($0)) } ?? .null,
            track.trackNumber.map { .integer(Int64($0)) } ?? .null,
        ]
    }

    static func columns(_ match: TrackMatcher.Match?) -> [PluginSQLValue] {
        guard let match else { return [.null, .null, .null] }
        return [.text(match.track.rawValue), .text(match.method.rawValue), .real(match.confidence)]
    }

    /// Liked songs: the matched are starred; every one is remembered.
    private func syncLiked(
        _ user: UserID, _ client: SpotifyClient, _ matcher: TrackMatcher, _ corrections: [String: TrackID?],
        _ summary: inout SpotifySync.Summary
    ) async throws {
        let who = PluginSQLValue.text(user.rawValue)
        // Spotify keeps no snapshot of liked songs, but a like goes on top and an unlike changes
        // the count: the same count with the first page already known is nothing new.
        let first = try await client.get("me/tracks", ["limit": "50"])
        let firstIDs = (first["items"] as? [[String: Any]] ?? []).compactMap {
            ($0["track"] as? [String: Any])?["id"] as? String
        }
        let total = first["total"] as? Int ?? -1
        let known = try await tables.read { sql in
            let count =
                try sql.rows("SELECT count(*) AS n FROM spotify_liked WHERE user_id = ?", [who]).first?["n"]
                .integer ?? 0
            let marks = Array(repeating: "?", count: max(1, firstIDs.count)).joined(separator: ", ")
            let seen =
                try sql.rows(
                    "SELECT count(*) AS n FROM spotify_liked WHERE user_id = ? AND spotify_id IN (\(marks))",
                    [who] + (firstIDs.isEmpty ? [.text("")] : firstIDs.map { .text($0) })
                ).first?["n"].integer ?? 0
            return (count: Int(count), seen: Int(seen))
        }
        if total >= 0, known.count == total, known.seen == firstIDs.count {
            summary.liked = total
            return
        }
        var saved = first["items"] as? [[String: Any]] ?? []
        if let next = (first["next"] as? String).flatMap(URL.init(string:)) {
            saved += try await client.all(next)
        }
        var rows: [(SpotifyTrack, Date, TrackMatcher.Match?)] = []
        for item in saved {
            guard let track = SpotifyTrack(item["track"] as? [String: Any]) else { continue }
            let added = (item["added_at"] as? String).flatMap(Self.instant) ?? Date()
            rows.append((track, added, match(track, matcher, corrections: corrections)))
        }
        let seen = try await visible(rows.map(\.2), for: user)
        for index in rows.indices { rows[index].2 = seen[index] }
        summary.liked = rows.count
        summary.starred = try await listeners.star(rows.compactMap { $0.2?.track }, for: user, at: Date())
        let liked = rows
        try await tables.write { sql in
            try sql.execute("DELETE FROM spotify_liked WHERE user_id = ?", [who])
            for (track, added, found) in liked {
                try sql.execute(
                    """
                    INSERT OR REPLACE INTO spotify_liked (user_id, added_at, spotify_id, title, artist, album, isrc,
                        duration_ms, track_number, track_id, method, confidence)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, [who, .real(added.timeIntervalSince1970)] + Self.columns(track) + Self.columns(found))
            }
        }
    }

    /// Recently played (Spotify keeps the last 50): newer than the last sync's cursor, into the
    /// listener's history as plays from Spotify (each kept once).
    private func syncRecent(
        _ user: UserID, _ client: SpotifyClient, _ matcher: TrackMatcher, _ corrections: [String: TrackID?],
        _ summary: inout SpotifySync.Summary
    ) async throws {
        let who = PluginSQLValue.text(user.rawValue)
        let after = try await tables.read { sql in
            try sql.rows("SELECT recent_after FROM spotify_state WHERE user_id = ?", [who]).first?["recent_after"]
                .integer ?? 0
        }
        var query = ["limit": "50"]
        if after > 0 { query["after"] = String(after) }
        let page = try await client.get("me/player/recently-played", query)
        var plays: [ImportedPlay] = []
        var newest = after
        for item in page["items"] as? [[String: Any]] ?? [] {
            guard let track = SpotifyTrack(item["track"] as? [String: Any]),
                let playedAt = (item["played_at"] as? String).flatMap(Self.instant)
            else { continue }
            summary.recent += 1
            newest = max(newest, Int64((playedAt.timeIntervalSince1970 * 1_000).rounded()))
            guard let found = match(track, matcher, corrections: corrections) else { continue }
            let seconds = (track.durationMs ?? 0) / 1_000
            // Spotify gives when a play ended; the history keeps when it began.
            plays.append(
                ImportedPlay(
                    track: found.track, startedAt: playedAt.addingTimeInterval(-Double(seconds)),
                    secondsPlayed: seconds, counted: true, client: "Spotify"))
        }
        summary.imported = try await listeners.importPlays(plays, for: user).imported
        let cursor = newest
        try await tables.write { sql in
            try sql.execute(
                """
                INSERT INTO spotify_state (user_id, recent_after) VALUES (?, ?)
                ON CONFLICT (user_id) DO UPDATE SET recent_after = excluded.recent_after
                """, [who, .integer(cursor)])
        }
    }

    /// Top tracks and artists for each of Spotify's periods (about four weeks, six months, a year).
    private func syncTop(
        _ user: UserID, _ client: SpotifyClient, _ matcher: TrackMatcher, _ corrections: [String: TrackID?],
        _ summary: inout SpotifySync.Summary
    ) async throws {
        let who = PluginSQLValue.text(user.rawValue)
        var rows: [[PluginSQLValue]] = []
        var matches: [TrackMatcher.Match?] = []
        for kind in ["tracks", "artists"] {
            for range in ["short_term", "medium_term", "long_term"] {
                let page = try await client.get("me/top/\(kind)", ["time_range": range, "limit": "50"])
                for (rank, item) in (page["items"] as? [[String: Any]] ?? []).enumerated() {
                    guard let id = item["id"] as? String, let name = item["name"] as? String else { continue }
                    var artist = ""
                    var found: TrackMatcher.Match?
                    if kind == "tracks", let track = SpotifyTrack(item) {
                        artist = track.artists.first ?? ""
                        found = match(track, matcher, corrections: corrections)
                    }
                    matches.append(found)
                    rows.append([
                        who, .text(kind), .text(range), .integer(Int64(rank + 1)), .text(id), .text(name),
                        .text(artist),
                    ])
                }
            }
        }
        for (index, found) in try await visible(matches, for: user).enumerated() {
            rows[index].append(found.map { .text($0.track.rawValue) } ?? .null)
        }
        summary.top = rows.count
        let kept = rows
        try await tables.write { sql in
            try sql.execute("DELETE FROM spotify_top WHERE user_id = ?", [who])
            for row in kept {
                try sql.execute(
                    """
                    INSERT INTO spotify_top (user_id, kind, time_range, rank, spotify_id, name, artist, track_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, row)
            }
        }
    }

    static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    static let withoutFraction = Date.ISO8601FormatStyle()

    /// Spotify's times ("2026-12-05T15:00:00Z", with or without milliseconds).
    static func instant(_ text: String) -> Date? {
        (try? withoutFraction.parse(text)) ?? (try? withFraction.parse(text))
    }
}
