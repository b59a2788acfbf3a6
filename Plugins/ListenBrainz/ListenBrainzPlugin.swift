import CantoCore
public import CantoPluginKit
import Foundation
import Logging

/// Scrobbles to ListenBrainz (or a self-hosted ListenBrainz server at `base_url`): each listener
/// pastes their user token in their profile (checked with `validate-token`); the host sends
/// their now playing as `playing_now`, each play that counts as `single`, and a backlog after an
/// outage as `import` batches, following the payload rules of ListenBrainz's JSON docs.
public struct ListenBrainzPlugin: ListenSinkPlugin, TokenLinking {
    public static let descriptor = PluginDescriptor(
        id: "listenbrainz", name: "ListenBrainz", version: "1.0.0", enabledByDefault: true,
        configurationKeys: ["base_url"],
        permissions: PluginPermissions(
            networkHosts: ["api.listenbrainz.org"], networkHostKeys: ["base_url"], linkedAccounts: true,
            listens: true),
        userSettings: [
            PluginUserSetting(
                key: "now_playing", label: "Show what I am playing",
                help: "Send each track as it starts to ListenBrainz's \"playing now\".", kind: .bool,
                defaultValue: "true")
        ])

    /// The API root (`https://api.listenbrainz.org`).
    let base: URL
    let http: any PluginHTTPClient
    let settings: any PluginUserSettings
    let logger: Logger

    /// ListenBrainz's limits: listens per request, and the oldest `listened_at` it takes.
    static let maxListensPerRequest = 1_000
    static let oldestListen: Int64 = 1_033_430_400
    static let userAgent = "Canto/1.0.0 ( https://github.com/canto-music/canto )"

    public init(configuration: PluginConfiguration, context: PluginContext) throws {
        let text = try configuration.string("base_url") ?? "https://api.listenbrainz.org"
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil
        else {
            throw PluginConfigurationError(
                pluginID: Self.descriptor.id, key: "base_url", message: "must be an http(s) address")
        }
        base = url
        http = context.http
        settings = context.userSettings
        logger = context.logger
    }

    public func link(token: String) async throws -> String? {
        let response = try await http.send(
            PluginHTTPRequest(url: endpoint("1/validate-token"), headers: headers(token: token)))
        if response.status == 401 { throw LinkedAccountRejected(reason: "ListenBrainz refused the token") }
        guard response.status == 200, let json = response.json else {
            throw ListenBrainzUnavailable(status: response.status)
        }
        guard json["valid"] as? Bool == true else {
            throw LinkedAccountRejected(reason: (json["message"] as? String) ?? "the token is not valid")
        }
        return json["user_name"] as? String
    }

    public func nowPlaying(_ listen: Listen, account: LinkedAccount) async throws {
        guard try await settings.bool("now_playing", for: account.userID) != false else { return }
        guard let item = Self.item(listen, listenedAt: false) else { return }
        try await post(type: "playing_now", [item], token: account.secret)
    }

    public func submit(_ listens: [Listen], account: LinkedAccount) async throws {
        let items = listens.compactMap { Self.item($0, listenedAt: true) }
        if items.count == 1 {
            try await post(type: "single", items, token: account.secret)
            return
        }
        var start = 0
        while start < items.count {
            let end = min(start + Self.maxListensPerRequest, items.count)
            try await post(type: "import", Array(items[start..<end]), token: account.secret)
            start = end
        }
    }

    private func endpoint(_ path: String) -> URL { base.appendingPathComponent(path) }

    private func headers(token: String) -> [String: String] {
        ["Authorization": "Token \(token)", "User-Agent": Self.userAgent]
    }

    private func post(type: String, _ payload: [[String: Any]], token: String) async throws {
        var headers = headers(token: token)
        headers["Content-Type"] = "application/json"
        let body = try JSONSerialization.data(withJSONObject: ["listen_type": type, "payload": payload])
        let response = try await http.send(
            PluginHTTPRequest(method: "POST", url: endpoint("1/submit-listens"), headers: headers, body: body))
        switch response.status {
        case 200..<300:
            return
        case 401:
            throw LinkedAccountRejected(reason: "ListenBrainz refused the token")
        case 400..<500:
            // ListenBrainz will never take this payload: sending it again would hold up every
            // later listen, so it is logged and dropped.
            logger.warning(
                "listenbrainz refused a listen",
                metadata: [
                    "listen.type": "\(type)", "http.status": "\(response.status)",
                    "error": "\(String((response.json?["error"] as? String ?? "").prefix(200)))",
                ])
        default:
            throw ListenBrainzUnavailable(status: response.status)
        }
    }

    /// One listen as ListenBrainz's JSON docs describe it, or nil when it cannot be one (no artist
    /// or title, or a start before ListenBrainz's oldest).
    static func item(_ listen: Listen, listenedAt: Bool) -> [String: Any]? {
        let artist = listen.artist.trimmingCharacters(in: .whitespaces)
        let title = listen.title.trimmingCharacters(in: .whitespaces)
        guard !artist.isEmpty, !title.isEmpty else { return nil }
        var info: [String: Any] = [
            "media_player": "Canto", "submission_client": "Canto", "submission_client_version": "1.0.0",
        ]
        if listen.durationSeconds > 0 { info["duration_ms"] = listen.durationSeconds * 1_000 }
        if let number = listen.trackNumber, number > 0 { info["tracknumber"] = number }
        if let id = listen.musicBrainzRecordingID, UUID(uuidString: id) != nil { info["recording_mbid"] = id }
        if let id = listen.musicBrainzReleaseID, UUID(uuidString: id) != nil { info["release_mbid"] = id }
        let artists = listen.musicBrainzArtistIDs.filter { UUID(uuidString: $0) != nil }
        if !artists.isEmpty { info["artist_mbids"] = artists }
        if let isrc = listen.isrc, !isrc.isEmpty { info["isrc"] = isrc }
        var metadata: [String: Any] = ["artist_name": artist, "track_name": title, "additional_info": info]
        if !listen.album.isEmpty { metadata["release_name"] = listen.album }
        var item: [String: Any] = ["track_metadata": metadata]
        if listenedAt {
            let seconds = Int64(listen.startedAt.timeIntervalSince1970.rounded(.down))
            guard seconds >= oldestListen else { return nil }
            item["listened_at"] = seconds
        }
        return item
    }
}

/// ListenBrainz answered with a server error: the listens wait and are sent again later.
public struct ListenBrainzUnavailable: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var description: String { "ListenBrainz answered HTTP \(status)" }
}
