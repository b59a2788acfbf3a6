public import CantoCore
public import CantoPluginKit
public import Foundation
import Logging

/// Scrobbles to Last.fm (Scrobbling 2.0). The admin enters the application's API key and shared
/// secret; each listener connects through Last.fm's web authentication page (the host sends them
/// there and back), which gives a session key (`auth.getSession`). Now playing goes out as
/// `track.updateNowPlaying`, plays as `track.scrobble` in batches of up to 50, every call signed
/// with `api_sig` as Last.fm documents. An invalid session (error 9) asks the listener to
/// reconnect; the rate limit (29) and "try again later" (11, 16) wait and retry.
public struct LastFMPlugin: ListenSinkPlugin, WebLinking {
    public static let descriptor = PluginDescriptor(
        id: "lastfm", name: "Last.fm", version: "1.0.0", enabledByDefault: false,
        configurationKeys: ["api_key", "shared_secret", "base_url", "auth_url"], secretKeys: ["shared_secret"],
        permissions: PluginPermissions(
            networkHosts: ["ws.audioscrobbler.com"], networkHostKeys: ["base_url"], linkedAccounts: true,
            listens: true))

    let apiKey: String
    let secret: String
    /// The API endpoint (`https://ws.audioscrobbler.com/2.0/`).
    let endpoint: URL
    /// The page listeners authorise Canto on (`https://www.last.fm/api/auth/`).
    let authPage: URL
    let http: any PluginHTTPClient
    let logger: Logger

    /// Last.fm takes at most this many scrobbles a request, and only tracks longer than 30 s.
    static let batchSize = 50
    static let shortestTrack = 30

    public init(configuration: PluginConfiguration, context: PluginContext) throws {
        func required(_ key: String) throws -> String {
            guard let value = try configuration.string(key)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                throw PluginConfigurationError(
                    pluginID: Self.descriptor.id, key: key, message: "is required (from last.fm/api/account/create)")
            }
            return value
        }
        func address(_ key: String, _ fallback: String) throws -> URL {
            let text = try configuration.string(key) ?? fallback
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                url.host != nil
            else {
                throw PluginConfigurationError(
                    pluginID: Self.descriptor.id, key: key, message: "must be an http(s) address")
            }
            return url
        }
        apiKey = try required("api_key")
        secret = try required("shared_secret")
        endpoint = try address("base_url", "https://ws.audioscrobbler.com/2.0/")
        authPage = try address("auth_url", "https://www.last.fm/api/auth/")
        http = context.http
        logger = context.logger
    }

    // MARK: Linking

    public func authorizationURL(callback: URL) throws -> URL {
        guard var components = URLComponents(url: authPage, resolvingAgainstBaseURL: false) else {
            throw PluginConfigurationError(pluginID: Self.descriptor.id, key: "auth_url", message: "is not an address")
        }
        components.queryItems =
            (components.queryItems ?? []) + [
                URLQueryItem(name: "api_key", value: apiKey), URLQueryItem(name: "cb", value: callback.absoluteString),
            ]
        guard let url = components.url else {
            throw PluginConfigurationError(pluginID: Self.descriptor.id, key: "auth_url", message: "is not an address")
        }
        return url
    }

    public func completeLink(parameters: [String: String]) async throws -> (secret: String, name: String?) {
        guard let token = parameters["token"], !token.isEmpty else {
            throw LinkedAccountRejected(reason: "Last.fm sent no token back")
        }
        let answer = try await call("auth.getSession", ["token": token])
        guard let session = answer["session"] as? [String: Any], let key = session["key"] as? String, !key.isEmpty
        else { throw LastFMError(code: 0, message: "auth.getSession answered without a session") }
        return (key, session["name"] as? String)
    }

    // MARK: Listens

    public func nowPlaying(_ listen: Listen, account: LinkedAccount) async throws {
        var parameters = ["sk": account.secret]
        for (name, value) in Self.fields(listen, index: nil) { parameters[name] = value }
        _ = try await call("track.updateNowPlaying", parameters)
    }

    public func submit(_ listens: [Listen], account: LinkedAccount) async throws {
        let scrobbles = listens.filter { $0.durationSeconds > Self.shortestTrack }
        var start = 0
        while start < scrobbles.count {
            let batch = scrobbles[start..<min(start + Self.batchSize, scrobbles.count)]
            var parameters = ["sk": account.secret]
            for (index, listen) in batch.enumerated() {
                for (name, value) in Self.fields(listen, index: index) { parameters[name] = value }
                parameters["timestamp[\(index)]"] = String(Int64(listen.startedAt.timeIntervalSince1970))
            }
            let answer = try await call("track.scrobble", parameters)
            let ignored = ((answer["scrobbles"] as? [String: Any])?["@attr"] as? [String: Any])?["ignored"]
            if let ignored = (ignored as? Int) ?? (ignored as? String).flatMap(Int.init), ignored > 0 {
                logger.notice("last.fm ignored scrobbles", metadata: ["scrobbles.ignored": "\(ignored)"])
            }
            start += batch.count
        }
    }

    /// A listen's parameters: `artist`, `track`… or, in a batch, `artist[i]`, `track[i]`….
    static func fields(_ listen: Listen, index: Int?) -> [String: String] {
        let suffix = index.map { "[\($0)]" } ?? ""
        var fields = ["artist": listen.artist, "track": listen.title]
        if !listen.album.isEmpty { fields["album"] = listen.album }
        if !listen.albumArtist.isEmpty, listen.albumArtist != listen.artist {
            fields["albumArtist"] = listen.albumArtist
        }
        if let number = listen.trackNumber, number > 0 { fields["trackNumber"] = String(number) }
        if listen.durationSeconds > 0 { fields["duration"] = String(listen.durationSeconds) }
        if let id = listen.musicBrainzRecordingID, UUID(uuidString: id) != nil { fields["mbid"] = id }
        return Dictionary(uniqueKeysWithValues: fields.map { ($0.key + suffix, $0.value) })
    }

    // MARK: Calls

    /// `api_sig`: every parameter but `format` and `callback`, sorted by name (byte order), names
    /// and values run together, the shared secret after them, MD5 in lowercase hex.
    static func signature(_ parameters: [String: String], secret: String) -> String {
        let signed = parameters.filter { $0.key != "format" && $0.key != "callback" && $0.key != "api_sig" }
        let text = signed.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { $0 + (signed[$0] ?? "") }.joined()
        return MD5.hex(text + secret)
    }

    private func call(_ method: String, _ parameters: [String: String]) async throws -> [String: Any] {
        var parameters = parameters
        parameters["method"] = method
        parameters["api_key"] = apiKey
        parameters["api_sig"] = Self.signature(parameters, secret: secret)
        parameters["format"] = "json"
        let response = try await http.send(
            PluginHTTPRequest(
                method: "POST", url: endpoint,
                headers: ["Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Canto/1.0.0"],
                body: PluginHTTPRequest.formBody(parameters)))
        guard let json = response.json else { throw LastFMError(code: 0, message: "HTTP \(response.status), not JSON") }
        guard let code = (json["error"] as? Int) ?? (json["error"] as? String).flatMap(Int.init) else {
            guard (200..<300).contains(response.status) else {
                throw LastFMError(code: 0, message: "HTTP \(response.status)")
            }
            return json
        }
        let message = String((json["message"] as? String ?? "").prefix(200))
        switch code {
        case 9: throw LinkedAccountRejected(reason: "Last.fm says the session is invalid: \(message)")
        case 4, 14, 15: throw LinkedAccountRejected(reason: "Last.fm did not authorise the token: \(message)")
        case 29: throw PluginRetryLater(seconds: 60, reason: "Last.fm rate limit")
        case 11, 16: throw PluginRetryLater(seconds: 30, reason: "Last.fm is temporarily unavailable")
        default: throw LastFMError(code: code, message: message)
        }
    }
}

/// Last.fm answered with an error the listener cannot fix (a wrong API key or secret, a
/// suspended key, a bad request): the scrobbles wait, and the admin page shows the plugin failing.
public struct LastFMError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var description: String { "Last.fm error \(code): \(message)" }
}
