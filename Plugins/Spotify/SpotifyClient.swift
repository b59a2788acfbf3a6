import CantoCore
import CantoPluginKit
import Foundation

/// Spotify's Web API as the plugin uses it (only what Development Mode apps still have): one
/// listener's calls with their access token, paging objects followed by their absolute `next`,
/// Spotify's error bodies turned into plain words, and a 429's `Retry-After` honoured (waited
/// out, up to `maxWait`, then tried again).
struct SpotifyClient: Sendable {
    let http: any PluginHTTPClient
    /// `https://api.spotify.com` or a stand-in's address.
    let apiBase: URL
    let token: String
    /// The longest a 429 is waited out before giving up with `SpotifyError.rateLimited`.
    var maxWait: Double = 30

    /// Why Spotify refused, in words a listener understands.
    enum SpotifyError: Error, Equatable, CustomStringConvertible {
        /// 401: the token is no longer good (the host refreshes it; a refused refresh means reconnect).
        case unauthorized(String)
        /// 403 for a user not on the app's allow-list in Development Mode, or a playlist not theirs.
        case forbidden(String)
        case rateLimited(seconds: Double)
        /// A player command Spotify refused (`PREMIUM_REQUIRED`, `NO_ACTIVE_DEVICE`, ...).
        case player(reason: String, message: String)
        case failed(status: Int, message: String)

        var description: String {
            switch self {
            case .unauthorized(let message): "Spotify did not accept the sign-in (\(message)); connect again."
            case .forbidden(let message) where message.contains("Developer Dashboard"):
                "Spotify refused: this Spotify account is not on the household's Spotify app's allow-list. The admin adds it under Users and access in the Spotify Developer Dashboard (at most 5 users in Development Mode)."
            case .forbidden(let message): "Spotify refused: \(message)."
            case .rateLimited(let seconds):
                "Spotify asks to slow down; try again in \(Int(seconds.rounded(.up))) seconds."
            case .player(let reason, let message): SpotifyClient.playerWords(reason) ?? "Spotify refused: \(message)."
            case .failed(let status, let message): "Spotify answered \(status): \(message)."
            }
        }
    }

    static func playerWords(_ reason: String) -> String? {
        switch reason {
        case "PREMIUM_REQUIRED": "Controlling playback needs Spotify Premium."
        case "NO_ACTIVE_DEVICE": "No Spotify device is active: open Spotify on a device or pick one first."
        case "DEVICE_NOT_CONTROLLABLE": "That device cannot be controlled remotely."
        case "VOLUME_CONTROL_DISALLOW": "That device does not let its volume be set."
        case "ALREADY_PAUSED": "Spotify is already paused."
        case "ALREADY_PLAYING": "Spotify is already playing."
        case "NO_NEXT_TRACK": "There is no next track."
        case "NO_PREV_TRACK": "There is no previous track."
        default: nil
        }
    }

    /// A search field's value in double quotes (its own quotes dropped), so it is one phrase.
    static func quoted(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\"", with: " ") + "\""
    }

    func url(_ path: String, _ query: [String: String] = [:]) -> URL {
        var components = URLComponents(
            url: apiBase.appendingPathComponent("v1").appendingPathComponent(path), resolvingAgainstBaseURL: false)
        if !query.isEmpty {
            components?.queryItems = query.keys.sorted().map { URLQueryItem(name: $0, value: query[$0]) }
        }
        return components?.url ?? apiBase
    }

    /// One call; the JSON answer (nil for 204). Waits out a 429 and tries again.
    @discardableResult
    func call(_ method: String, _ url: URL, body: [String: Any]? = nil) async throws -> [String: Any]? {
        var waited = 0.0
        while true {
            var headers = ["Authorization": "Bearer \(token)", "Accept": "application/json"]
            var data: Data?
            if let body {
                headers["Content-Type"] = "application/json"
                data = try JSONSerialization.data(withJSONObject: body)
            }
            let answer: PluginHTTPResponse
            do {
                answer = try await http.send(PluginHTTPRequest(method: method, url: url, headers: headers, body: data))
            } catch let later as PluginRetryLater {
                // Rate limited: wait as asked (within reason), then again.
                let seconds = max(0, later.seconds)
                guard waited + seconds <= maxWait else { throw SpotifyError.rateLimited(seconds: seconds) }
                waited += seconds
                try await Task.sleep(for: .milliseconds(Int(seconds * 1_000)))
                continue
            }
            if (200..<300).contains(answer.status) {
                return answer.body.isEmpty ? nil : answer.json ?? [:]
            }
            let error = answer.json?["error"] as? [String: Any]
            let message = error?["message"] as? String ?? "no message"
            if let reason = error?["reason"] as? String, url.path.contains("/me/player") {
                throw SpotifyError.player(reason: reason, message: message)
            }
            switch answer.status {
            case 401: throw SpotifyError.unauthorized(message)
            case 403: throw SpotifyError.forbidden(message)
            case 429: throw SpotifyError.rateLimited(seconds: Double(answer.headers["retry-after"] ?? "") ?? 1)
            default: throw SpotifyError.failed(status: answer.status, message: message)
            }
        }
    }

    func get(_ path: String, _ query: [String: String] = [:]) async throws -> [String: Any] {
        try await call("GET", url(path, query)) ?? [:]
    }

    /// Every item of a paging object, following `next` (an absolute URL) verbatim, at most `limit`.
    func all(_ path: String, _ query: [String: String] = [:], key: String? = nil, limit: Int = 20_000)
        async throws -> [[String: Any]]
    {
        try await all(url(path, query), key: key, limit: limit)
    }

    /// Every item from the page at `start` on.
    func all(_ start: URL, key: String? = nil, limit: Int = 20_000) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var next: URL? = start
        while let page = next, items.count < limit {
            var object = try await call("GET", page) ?? [:]
            if let key { object = object[key] as? [String: Any] ?? [:] }
            items += object["items"] as? [[String: Any]] ?? []
            next = (object["next"] as? String).flatMap(URL.init(string:))
        }
        return Array(items.prefix(limit))
    }
}

/// A track as Spotify describes it (a TrackObject), as the matcher and the reports need it.
struct SpotifyTrack: Sendable, Equatable {
    var id: String
    var name: String
    var artists: [String]
    var album: String
    var albumID: String?
    var durationMs: Int?
    var trackNumber: Int?
    var isrc: String?
    var imageURL: String?

    init?(_ object: [String: Any]?) {
        guard let object, let id = object["id"] as? String, let name = object["name"] as? String else { return nil }
        self.id = id
        self.name = name
        artists = (object["artists"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        let album = object["album"] as? [String: Any]
        self.album = album?["name"] as? String ?? ""
        albumID = album?["id"] as? String
        durationMs = object["duration_ms"] as? Int
        trackNumber = object["track_number"] as? Int
        isrc = (object["external_ids"] as? [String: Any])?["isrc"] as? String
        imageURL = ((album?["images"] as? [[String: Any]])?.first)?["url"] as? String
    }

    var remote: TrackMatcher.Remote {
        TrackMatcher.Remote(
            id: id, title: name, artists: artists, album: album, trackNumber: trackNumber, durationMs: durationMs,
            isrc: isrc)
    }
}
