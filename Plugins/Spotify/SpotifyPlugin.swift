public import CantoCore
public import CantoPluginKit
import Foundation
import Logging
import Synchronization

/// Spotify for a household: each listener links their own Spotify account (OAuth with PKCE
/// through the host, against the household's own Spotify app whose Client ID the admin enters);
/// their playlists (those they own or collaborate on, skipped when their `snapshot_id` has not
/// changed), liked songs (starred), recently played (into their history) and top tracks and
/// artists are brought in on a schedule and on demand, each Spotify track matched to the library
/// (``TrackMatcher``, with the listener's own corrections first); the unmatched entries are kept,
/// shown, and filled in when the music arrives. A listener can also upload Spotify's "extended
/// streaming history" export (idempotently). What the library lacks feeds the missing-music report.
///
/// A listener can push a Canto playlist to Spotify, and control their Spotify Connect devices
/// (a ``PlaybackTargetPlugin``).
///
/// Routes (signed in): `GET setup` (the redirect URI to register and whether Spotify accepts it),
/// `POST sync`, `GET status`, `GET playlists/{id}` (its entries, matched or not), `PUT
/// corrections` (`{"spotifyId", "trackId"}`, `trackId` null for "no match"), `POST export`
/// (`{"playlistId"}`), `GET player` and `player/…` commands (Connect), `POST history` (one
/// `Streaming_History_Audio_*.json`), `GET missing` (`scope=household`, `format=csv`).
public struct SpotifyPlugin: RoutedPlugin, OAuthLinking, ScheduledPlugin {
    public static let descriptor = PluginDescriptor(
        id: "spotify", name: "Spotify", version: "0.2.0", enabledByDefault: false,
        configurationKeys: ["client_id", "accounts_url", "api_url", "sync_minutes"],
        permissions: PluginPermissions(
            networkHosts: [
                "accounts.spotify.com", "api.spotify.com", "i.scdn.co", "mosaic.scdn.co", "image-cdn-ak.spotifycdn.com",
                "image-cdn-fa.spotifycdn.com",
            ], networkHostKeys: ["accounts_url", "api_url"],
            linkedAccounts: true, routes: true, listenerData: true, importsListening: true),
        migrations: [
            PluginMigration(
                "1-unmatched",
                [
                    """
                    CREATE TABLE spotify_unmatched (user_id TEXT NOT NULL, ended_at REAL NOT NULL, artist TEXT NOT NULL,
                        album TEXT NOT NULL, title TEXT NOT NULL, PRIMARY KEY (user_id, ended_at, artist, title))
                    """,
                    "CREATE INDEX spotify_unmatched_album ON spotify_unmatched(user_id, artist, album)",
                ]),
            PluginMigration("2-sync", SpotifySync.tables),
            PluginMigration("3-matched-with", ["ALTER TABLE spotify_state ADD COLUMN matched_with TEXT"]),
        ])

    /// The scopes asked for: reading playlists, likes, recently played and top items, writing
    /// playlists (export), and reading and controlling playback (Connect).
    public static let scopes = [
        "playlist-read-private", "playlist-read-collaborative", "playlist-modify-private", "playlist-modify-public",
        "user-library-read", "user-read-recently-played", "user-top-read", "user-read-private",
        "user-read-playback-state", "user-modify-playback-state",
    ]

    let catalog: any CatalogReader
    let listeners: any ListenerData
    let tables: any PluginTables
    let http: any PluginHTTPClient
    let accounts: any PluginLinkedAccounts
    let logger: Logger
    /// The household's Spotify app (nil until the admin enters it).
    let clientID: String?
    let accountsBase: URL
    let apiBase: URL
    let syncInterval: Duration
    let matchers = MatcherCache()

    public init(configuration: PluginConfiguration, context: PluginContext) throws {
        catalog = context.catalog
        listeners = context.listenerData
        tables = context.tables
        http = context.http
        accounts = context.linkedAccounts
        logger = context.logger
        let id = try configuration.string("client_id")?.trimmingCharacters(in: .whitespaces)
        clientID = id?.isEmpty == false ? id : nil
        func base(_ key: String, _ fallback: String) throws -> URL {
            let text = try configuration.string(key) ?? fallback
            guard let url = URL(string: text), url.scheme == "https" || url.scheme == "http", url.host != nil else {
                throw PluginConfigurationError(pluginID: "spotify", key: key, message: "must be an http(s) address")
            }
            return url
        }
        accountsBase = try base("accounts_url", "https://accounts.spotify.com")
        apiBase = try base("api_url", "https://api.spotify.com")
        let minutes = try configuration.integer("sync_minutes") ?? 360
        guard (5...10_080).contains(minutes) else {
            throw PluginConfigurationError(pluginID: "spotify", key: "sync_minutes", message: "must be 5 to 10080")
        }
        syncInterval = .seconds(minutes * 60)
    }

    public var oauth: OAuthClient {
        OAuthClient(
            authorizeURL: accountsBase.appendingPathComponent("authorize"),
            tokenURL: accountsBase.appendingPathComponent("api").appendingPathComponent("token"),
            clientID: clientID ?? "", scopes: Self.scopes)
    }

    public func accountName(accessToken: String) async throws -> String? {
        let me = try await SpotifyClient(http: http, apiBase: apiBase, token: accessToken).get("me")
        return me["display_name"] as? String ?? me["id"] as? String
    }

    public var jobs: [PluginJob] {
        [PluginJob(name: "sync", every: syncInterval) { try await syncEveryone() }]
    }

    /// The matcher over the library, built again when the catalog changes.
    final class MatcherCache: Sendable {
        let state = Mutex<(version: String, matcher: TrackMatcher, durations: [TrackID: Int])?>(nil)
    }

    func matcher() async throws -> (TrackMatcher, [TrackID: Int]) {
        let version = try await catalog.tracksFingerprint()
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
        case ("GET", "setup"): return setup(request)
        case ("POST", "sync"): return try await syncNow(caller.userID)
        case ("GET", "status"): return try await status(of: caller.userID)
        case ("PUT", "corrections"): return try await correct(request, for: caller.userID)
        case ("GET", let path) where path.hasPrefix("playlists/"):
            return try await entries(of: String(path.dropFirst("playlists/".count)), for: caller.userID)
        case ("POST", "export"): return try await export(request, for: caller.userID)
        case (_, let path) where path == "player" || path.hasPrefix("player/"):
            return try await player(request, for: caller.userID)
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

    /// Everything from Spotify the library lacks: unmatched plays of an uploaded history, entries
    /// of playlists and liked songs.
    static let wanted = """
        SELECT user_id, artist, album, title FROM spotify_unmatched
        UNION ALL SELECT user_id, artist, album, title FROM spotify_entry WHERE track_id IS NULL
        UNION ALL SELECT user_id, artist, album, title FROM spotify_liked WHERE track_id IS NULL
        """

    /// The most wanted albums and tracks: those the most unmatched plays, playlist entries and
    /// liked songs point at.
    func missing(_ request: PluginRequest, for user: UserID) async throws -> PluginResponse {
        var users = [user]
        if request.query["scope"] == "household" {
            // Every listener who shares their listening (the caller always sees their own).
            let everyone = try await tables.read { sql in
                try sql.rows("SELECT DISTINCT user_id FROM (\(Self.wanted))", []).compactMap { $0["user_id"].text }
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
                SELECT artist, album, count(*) AS plays, count(DISTINCT title) AS tracks FROM (\(Self.wanted))
                WHERE user_id IN (\(marks)) GROUP BY artist, album ORDER BY plays DESC, artist, album LIMIT 100
                """, who)
            let tracks = try sql.rows(
                """
                SELECT artist, album, title, count(*) AS plays FROM (\(Self.wanted))
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
