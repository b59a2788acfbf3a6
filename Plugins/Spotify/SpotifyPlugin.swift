public import CantoCore
public import CantoPluginKit
import Foundation
import Synchronization

/// Spotify, as far as it goes today: a listener uploads Spotify's "extended streaming history"
/// export, each play is matched to a track of the library (``TrackMatcher``) and added to their
/// history (idempotently: the same file twice adds nothing), and what the library lacks is kept for
/// the missing-music report. Linking accounts, playlist sync, Connect and metadata are not built
/// yet (see the README).
///
/// Routes (signed in): `POST history` (the body is one `Streaming_History_Audio_*.json`), `GET
/// missing` (the caller's most wanted albums and tracks; `scope=household` for every listener who
/// shares their listening; `format=csv`).
public struct SpotifyPlugin: RoutedPlugin {
    public static let descriptor = PluginDescriptor(
        id: "spotify", name: "Spotify", version: "0.1.0", enabledByDefault: false,
        permissions: PluginPermissions(routes: true, importsListening: true),
        migrations: [
            PluginMigration(
                "1-unmatched",
                [
                    """
                    CREATE TABLE spotify_unmatched (user_id TEXT NOT NULL, ended_at REAL NOT NULL, artist TEXT NOT NULL,
                        album TEXT NOT NULL, title TEXT NOT NULL, PRIMARY KEY (user_id, ended_at, artist, title))
                    """,
                    "CREATE INDEX spotify_unmatched_album ON spotify_unmatched(user_id, artist, album)",
                ])
        ])

    let catalog: any CatalogReader
    let listeners: any ListenerData
    let tables: any PluginTables
    let matchers = MatcherCache()

    public init(configuration: PluginConfiguration, context: PluginContext) throws {
        catalog = context.catalog
        listeners = context.listenerData
        tables = context.tables
    }

    /// The matcher over the library, built again when the catalog changes.
    final class MatcherCache: Sendable {
        let state = Mutex<(version: Int, matcher: TrackMatcher, durations: [TrackID: Int])?>(nil)
    }

    func matcher() async throws -> (TrackMatcher, [TrackID: Int]) {
        let version = try await catalog.catalogVersion()
        if let cached = matchers.state.withLock({ $0 }), cached.version == version {
            return (cached.matcher, cached.durations)
        }
        var locals: [TrackMatcher.Local] = []
        var durations: [TrackID: Int] = [:]
        var offset = 0
        while true {
            let albums = try await catalog.albums(offset: offset, limit: 500)
            for album in albums {
                for track in try await catalog.tracks(inAlbum: album.id) {
                    let duration = Int(track.audio.durationMs)
                    locals.append(
                        TrackMatcher.Local(
                            id: track.id, title: track.title, artist: track.artistName, album: track.album,
                            trackNumber: track.trackNumber, durationMs: duration > 0 ? duration : nil, isrc: track.isrc)
                    )
                    durations[track.id] = duration
                }
            }
            if albums.count < 500 { break }
            offset += 500
        }
        let matcher = TrackMatcher(library: locals)
        matchers.state.withLock { $0 = (version, matcher, durations) }
        return (matcher, durations)
    }

    public func handle(_ request: PluginRequest) async throws -> PluginResponse {
        guard let caller = request.caller else { return .json(["error": "Sign in first."], status: 401) }
        switch (request.method, request.path) {
        case ("POST", "history"): return try await importHistory(request.body, for: caller.userID)
        case ("GET", "missing"): return try await missing(request, for: caller.userID)
        default: return .json(["error": "No such route."], status: 404)
        }
    }

    /// Imports one export file into the caller's history.
    func importHistory(_ body: Data, for user: UserID) async throws -> PluginResponse {
        let parsed: (entries: [StreamingHistory.Entry], others: Int)
        do {
            parsed = try StreamingHistory.parse(body)
        } catch let error as StreamingHistory.Unreadable {
            return .json(["error": error.reason], status: 400)
        }
        let (matcher, durations) = try await matcher()
        var plays: [ImportedPlay] = []
        var unmatched: [StreamingHistory.Entry] = []
        var matchedKeys: [StreamingHistory.Entry] = []
        for entry in parsed.entries {
            let remote = TrackMatcher.Remote(
                id: entry.uri ?? "\(entry.artist)|\(entry.track)", title: entry.track, artists: [entry.artist],
                album: entry.album)
            guard let match = matcher.match(remote) else {
                unmatched.append(entry)
                continue
            }
            matchedKeys.append(entry)
            let seconds = entry.msPlayed / 1_000
            let trackSeconds = (durations[match.track] ?? 0) / 1_000
            plays.append(
                ImportedPlay(
                    track: match.track, startedAt: entry.startedAt, secondsPlayed: seconds,
                    counted: trackSeconds > 0
                        ? Play.countsAsScrobble(secondsPlayed: seconds, trackSeconds: trackSeconds) : seconds >= 30,
                    client: "Spotify"))
        }
        let outcome = try await listeners.importPlays(plays, for: user)
        let userText = PluginSQLValue.text(user.rawValue)
        let pending = unmatched
        let found = matchedKeys
        try await tables.write { sql in
            for entry in pending {
                try sql.execute(
                    """
                    INSERT OR IGNORE INTO spotify_unmatched (user_id, ended_at, artist, album, title)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                    [
                        userText, .real(entry.endedAt.timeIntervalSince1970), .text(entry.artist), .text(entry.album),
                        .text(entry.track),
                    ])
            }
            // Music added since an earlier upload: no longer missing.
            for entry in found {
                try sql.execute(
                    "DELETE FROM spotify_unmatched WHERE user_id = ? AND ended_at = ? AND artist = ? AND title = ?",
                    [userText, .real(entry.endedAt.timeIntervalSince1970), .text(entry.artist), .text(entry.track)])
            }
        }
        return .json([
            "entries": parsed.entries.count, "others": parsed.others, "matched": plays.count,
            "imported": outcome.imported, "duplicates": outcome.duplicates, "refused": outcome.refused,
            "unmatched": unmatched.count,
        ])
    }

    /// The most wanted albums and tracks: those the most unmatched plays point at.
    func missing(_ request: PluginRequest, for user: UserID) async throws -> PluginResponse {
        var users = [user]
        if request.query["scope"] == "household" {
            // Every listener who shares their listening (the caller always sees their own).
            let everyone = try await tables.read { sql in
                try sql.rows("SELECT DISTINCT user_id FROM spotify_unmatched", []).compactMap { $0["user_id"].text }
            }
            for other in everyone.map({ UserID($0) }) where other != user {
                if try await listeners.sharesListening(other) { users.append(other) }
            }
        }
        let who = users.map { PluginSQLValue.text($0.rawValue) }
        let marks = Array(repeating: "?", count: who.count).joined(separator: ", ")
        let (albums, tracks) = try await tables.read { sql in
            let albums = try sql.rows(
                """
                SELECT artist, album, count(*) AS plays, count(DISTINCT title) AS tracks FROM spotify_unmatched
                WHERE user_id IN (\(marks)) GROUP BY artist, album ORDER BY plays DESC, artist, album LIMIT 100
                """, who)
            let tracks = try sql.rows(
                """
                SELECT artist, album, title, count(*) AS plays FROM spotify_unmatched
                WHERE user_id IN (\(marks)) GROUP BY artist, title ORDER BY plays DESC, artist, title LIMIT 100
                """, who)
            return (albums, tracks)
        }
        if request.query["format"] == "csv" {
            let rows = albums.map { row in
                [
                    row["artist"].text ?? "", row["album"].text ?? "", "\(row["plays"].integer ?? 0)",
                    "\(row["tracks"].integer ?? 0)",
                ]
            }
            let text = CSV.text([["artist", "album", "unmatched_plays", "tracks"]] + rows)
            return PluginResponse(
                status: 200,
                headers: [
                    "Content-Type": "text/csv; charset=utf-8",
                    "Content-Disposition": "attachment; filename=\"missing-music.csv\"",
                ], body: Data(text.utf8))
        }
        return .json([
            "listeners": users.count,
            "albums": albums.map {
                [
                    "artist": $0["artist"].text ?? "", "album": $0["album"].text ?? "",
                    "plays": $0["plays"].integer ?? 0, "tracks": $0["tracks"].integer ?? 0,
                ] as [String: Any]
            },
            "tracks": tracks.map {
                [
                    "artist": $0["artist"].text ?? "", "album": $0["album"].text ?? "", "title": $0["title"].text ?? "",
                    "plays": $0["plays"].integer ?? 0,
                ] as [String: Any]
            },
        ])
    }
}
