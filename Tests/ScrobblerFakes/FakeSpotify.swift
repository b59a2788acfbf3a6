import CantoPluginKitTesting
import Crypto
public import Foundation

/// A local stand-in for Spotify's accounts service and Web API as they stand in 2026, both on one
/// base URL. It follows the rules documented for that year:
///
/// - **Accounts** (`GET /authorize`, `POST /api/token`): Authorization Code with PKCE. The fake
///   checks `S256`, and `base64url(SHA-256(verifier))` against the challenge. Redirect URIs must
///   match exactly; a loopback IP literal registered without a port matches any port. A bad client
///   or redirect gets a 400 page, not a redirect. Codes are single-use and live 600 s. Refresh
///   tokens rotate and die 183 days after the original authorisation: a refresh does not extend
///   that. Token errors come as `{"error","error_description"}`.
/// - **API** (`/v1/...`): Bearer tokens live 3600 s. Errors come as
///   `{"error":{"status","message"}}`, and the player adds a `reason`.
/// - **Development Mode** (on by default): users off the allow-list get 403, and so do the removed
///   endpoints. The deprecated fields are left out, and a search page holds at most 10 items.
/// - **Playlists** carry `items` with `item` entries, and only their owner and collaborators may
///   read the entries.
/// - **Paging**: paging objects carry absolute `next`/`previous` built from the fake's base URL.
///   Recently played is cursor-paged over the 50 most recent plays.
/// - **Scopes** are checked where Spotify enforces them (403 "Insufficient client scope").
/// - **Player** commands need Premium. They answer 204, or 404 `NO_ACTIVE_DEVICE` when no device
///   is active.
///
/// Injected 429 and 5xx answers are available; a 429 carries `Retry-After`. The fake keeps its
/// own clock, which `advance(by:)` moves.
public actor FakeSpotify {
    // MARK: - Types

    /// A catalogue track. Artist IDs, and the album ID unless given, are derived from the names.
    public struct Track: Sendable {
        public var id: String
        public var name: String
        public var artists: [String]
        public var album: String
        public var albumID: String
        public var durationMs: Int
        public var isrc: String?
        public var trackNumber: Int

        public init(
            id: String, name: String, artists: [String], album: String, albumID: String? = nil, durationMs: Int,
            isrc: String? = nil, trackNumber: Int = 1
        ) {
            self.id = id
            self.name = name
            self.artists = artists
            self.album = album
            self.albumID = albumID ?? FakeSpotify.derivedID("album:\(artists.first ?? "")/\(album)")
            self.durationMs = durationMs
            self.isrc = isrc
            self.trackNumber = trackNumber
        }
    }

    typealias JSON = [String: Any]

    typealias User = (displayName: String, premium: Bool, allowListed: Bool)
    typealias Entry = (trackID: String, addedAt: Date, addedBy: String)
    typealias Device = (id: String, name: String, type: String, active: Bool, volume: Int)

    struct Playlist {
        var id: String
        var name: String
        var owner: String
        var collaborative: Bool
        /// The collaborators of a collaborative playlist, the followers of any other.
        var members: [String]
        var followers: Set<String> = []
        var isPublic = true
        var description = ""
        var entries: [Entry] = []
        var version = 0
        var snapshot = ""
    }

    struct Playback {
        var changedAt: Date
        var context: String?
        var queue: [String] = []
        var index = 0
        var playing = false
        var progressMs = 0
        var current: String? { queue.indices.contains(index) ? queue[index] : nil }
    }

    /// What one authorisation granted; codes, refresh and access tokens all carry it.
    struct Grant {
        var user: String?
        var clientID: String
        var scope: String
        var authorizedAt: Date
    }

    /// One API request, routed: `route` is the path after `/v1/` with the ID segment as `{id}`.
    struct Call {
        var method: String
        var route: String
        var id: String
        var query: [String: String]
        var body: JSON?
        var user: String?
        var me: String { user ?? "" }
    }

    /// An error answer, thrown from deep inside a handler.
    struct Refusal: Error {
        var response: StubResponse
    }

    // MARK: - State

    static let accessLifetime: TimeInterval = 3_600
    static let codeLifetime: TimeInterval = 600
    static let refreshLifetime: TimeInterval = 183 * 86_400

    private var base = ""
    private var now = Date()
    /// Development Mode; change it with `setDevMode(_:)`.
    public private(set) var devMode = true
    private var apps: [String: [String]] = [:]
    private var users: [String: User] = [:]
    private var signedIn: String?
    private var denying = false
    private var tracks: [String: Track] = [:]
    private var trackOrder: [String] = []
    private var playlists: [String: Playlist] = [:]
    private var playlistOrder: [String] = []
    /// Saved tracks, newest first; `rank` orders those saved at the same moment.
    private var saved: [String: [(trackID: String, at: Date, rank: Int)]] = [:]
    private var batches = 0
    private var plays: [String: [(trackID: String, at: Date)]] = [:]
    private var top: [String: (tracks: [String], artists: [String])] = [:]
    private var devices: [String: [Device]] = [:]
    private var playback: [String: Playback] = [:]
    private var commands: [String: [String]] = [:]
    private var counts: [String: Int] = [:]
    private var failures: [(status: Int, retryAfter: Int?)] = []
    private var codes: [String: (grant: Grant, redirectURI: String, challenge: String, expires: Date)] = [:]
    private var accessTokens: [String: (grant: Grant, expires: Date)] = [:]
    private var refreshTokens: [String: Grant] = [:]

    /// Runs `body` with the fake listening on loopback; its base URL is `http://127.0.0.1:PORT`.
    public static func run<Value: Sendable>(_ body: @Sendable (FakeSpotify, String) async throws -> Value)
        async throws -> Value
    {
        let fake = FakeSpotify()
        return try await StubUpstream.run({ request in await fake.handle(request) }) { _, base in
            await fake.setBase(base)
            return try await body(fake, base)
        }
    }

    private func setBase(_ url: String) { base = url }

    // MARK: - Setup

    /// Registers an app and its redirect URIs. The URIs are taken as given (Spotify's dashboard
    /// would refuse plain `http` other than a loopback IP literal, `localhost` included).
    public func registerApp(clientID: String, redirectURIs: [String]) { apps[clientID] = redirectURIs }

    public func addUser(_ id: String, displayName: String, premium: Bool = true, allowListed: Bool = true) {
        users[id] = (displayName, premium, allowListed)
    }

    /// Who `/authorize` approves from now on (a user never added is added with the defaults).
    public func signIn(as user: String) {
        if users[user] == nil { addUser(user, displayName: user) }
        signedIn = user
    }

    /// The next `/authorize` answers `error=access_denied`, as if the user pressed "Cancel".
    public func denyNext() { denying = true }

    public func addTracks(_ tracks: [Track]) {
        for track in tracks {
            if self.tracks[track.id] == nil { trackOrder.append(track.id) }
            self.tracks[track.id] = track
        }
        albumSizes = [:]
        for track in self.tracks.values {
            let known = albumSizes[track.albumID] ?? (0, 0)
            albumSizes[track.albumID] = (known.count + 1, max(known.highest, track.trackNumber))
        }
    }

    /// Each album's number of tracks and highest track number (kept with the tracks).
    private var albumSizes: [String: (count: Int, highest: Int)] = [:]

    /// Creates or replaces a playlist. On a playlist that is not collaborative, `collaborators` are
    /// followers: it is in their library, but they may not read its entries. Returns the
    /// `snapshot_id`, which changes whenever the name or contents change.
    @discardableResult public func setPlaylist(
        id: String, name: String, owner: String, collaborative: Bool = false, collaborators: [String] = [],
        trackIDs: [String]
    ) -> String {
        var playlist =
            playlists[id] ?? Playlist(id: id, name: name, owner: owner, collaborative: collaborative, members: [])
        if playlists[id] == nil { playlistOrder.append(id) }
        let changed = playlist.version == 0 || playlist.name != name || playlist.entries.map(\.trackID) != trackIDs
        if playlist.entries.map(\.trackID) != trackIDs {
            playlist.entries = trackIDs.map { ($0, now, owner) }
        }
        playlist.name = name
        playlist.owner = owner
        playlist.collaborative = collaborative
        playlist.members = collaborators
        if changed { Self.bump(&playlist) }
        playlists[id] = playlist
        return playlist.snapshot
    }

    /// Makes `user` follow a playlist: it shows in their library, but its entries answer 403.
    public func follow(user: String, playlistID: String) { playlists[playlistID]?.followers.insert(user) }

    /// Saves tracks; `/me/tracks` lists the newest first, and one call's tracks in the given order.
    public func like(user: String, trackIDs: [String], at: Date) {
        batches += 1
        var list = (saved[user] ?? []).filter { !trackIDs.contains($0.trackID) }
        list += trackIDs.enumerated().map { ($1, at, batches * 1_000_000 - $0) }
        saved[user] = list.sorted { $0.at != $1.at ? $0.at > $1.at : $0.rank > $1.rank }
    }

    public func played(user: String, trackID: String, at: Date) { plays[user, default: []].append((trackID, at)) }

    /// Top items, the same for every `time_range`; artists by name (or by their derived ID).
    public func setTop(user: String, tracks: [String], artists: [String]) { top[user] = (tracks, artists) }

    public func setDevices(
        user: String, _ devices: [(id: String, name: String, type: String, active: Bool, volume: Int)]
    ) { self.devices[user] = devices }

    public func setDevMode(_ on: Bool) { devMode = on }

    /// The next `count` API calls (under `/v1`) answer `status`; `retryAfter` goes in `Retry-After`.
    public func failNext(_ count: Int, status: Int, retryAfter: Int?) {
        failures += Array(repeating: (status, retryAfter), count: count)
    }

    public func advance(by seconds: TimeInterval) { now += seconds }

    public func revokeRefreshTokens(of user: String) { refreshTokens = refreshTokens.filter { $0.value.user != user } }

    // MARK: - Inspection

    /// The playlists in the user's library (owned, collaborating or following), created ones included.
    public func playlists(of user: String) -> [(id: String, name: String, trackIDs: [String])] {
        playlistOrder.compactMap { playlists[$0] }.filter { inLibrary($0, user) }.map {
            (id: $0.id, name: $0.name, trackIDs: $0.entries.map(\.trackID))
        }
    }

    public func playerCommands(of user: String) -> [String] { commands[user] ?? [] }

    /// Requests received for `path` (without the query), answered or refused.
    public func requestCount(path: String) -> Int { counts[path] ?? 0 }

    // MARK: - Dispatch

    func handle(_ request: StubRequest) -> StubResponse {
        counts[request.path, default: 0] += 1
        switch (request.method, request.path) {
        case ("GET", "/authorize"): return authorize(request.query)
        case ("POST", "/api/token"): return token(request)
        case ("GET", _) where request.path.hasPrefix("/image/"):
            return StubResponse(headers: ["Content-Type": "image/jpeg"], body: Self.cover)
        case (_, _) where request.path.hasPrefix("/v1/"):
            do throws(Refusal) { return try api(request) } catch { return error.response }
        default: return Self.apiError(404, "Service not found")
        }
    }

    static let collections: Set = [
        "playlists", "users", "tracks", "albums", "artists", "shows", "episodes", "audiobooks", "chapters",
        "audio-features", "audio-analysis",
    ]

    private func api(_ request: StubRequest) throws(Refusal) -> StubResponse {
        if !failures.isEmpty {
            let failure = failures.removeFirst()
            var headers: [String: String] = [:]
            if let seconds = failure.retryAfter { headers["Retry-After"] = "\(seconds)" }
            return Self.apiError(failure.status, Self.failureMessage(failure.status), headers: headers)
        }
        let parts = request.path.split(separator: "/").dropFirst().map(String.init)
        var segments = parts
        var id = ""
        if parts.count > 1, Self.collections.contains(parts[0]) {
            id = parts[1]
            segments[1] = "{id}"
        }
        let path = segments.joined(separator: "/")
        let grant = try authenticate(request)
        if devMode, Self.removed(request.method, path) { throw Self.fail(403, "Forbidden") }
        if parts.first == "me", grant.user == nil { throw Self.fail(401, "Valid user authentication required") }
        if let needed = Self.scopes(request.method, path) {
            let held = Set(grant.scope.split(separator: " ").map(String.init))
            if needed.isDisjoint(with: held) { throw Self.fail(403, "Insufficient client scope") }
        }
        let call = Call(
            method: request.method, route: path, id: id, query: request.query, body: request.json, user: grant.user)
        return try route(call)
    }

    private func route(_ call: Call) throws(Refusal) -> StubResponse {
        switch (call.method, call.route) {
        case ("GET", "me"): return .json(userJSON(call.me, isPrivate: true))
        case ("GET", "me/playlists"): return try listPlaylists(call)
        case ("POST", "me/playlists"): return try createPlaylist(call)
        case ("GET", "playlists/{id}"): return .json(playlistJSON(try playlist(call.id), full: true, viewer: call.user))
        case ("GET", "playlists/{id}/items"), ("GET", "playlists/{id}/tracks"): return try playlistItems(call)
        case ("POST", "playlists/{id}/items"), ("PUT", "playlists/{id}/items"), ("DELETE", "playlists/{id}/items"),
            ("POST", "playlists/{id}/tracks"), ("PUT", "playlists/{id}/tracks"), ("DELETE", "playlists/{id}/tracks"):
            return try editPlaylist(call)
        case ("GET", "me/tracks"): return try savedTracks(call)
        case ("GET", "me/player/recently-played"): return try recentlyPlayed(call)
        case ("GET", "me/top/tracks"), ("GET", "me/top/artists"): return try topItems(call)
        case ("GET", "search"): return try search(call)
        case ("GET", "tracks/{id}"):
            guard let track = tracks[call.id] else { throw Self.fail(404, "Resource not found") }
            return .json(trackJSON(track))
        case ("GET", "artists/{id}"):
            let names = Set(tracks.values.flatMap(\.artists))
            guard let name = names.first(where: { Self.derivedID("artist:\($0)") == call.id }) else {
                throw Self.fail(404, "Resource not found")
            }
            return .json(artistJSON(name, full: true))
        case ("GET", "me/player/devices"): return .json(["devices": (devices[call.me] ?? []).map(deviceJSON)])
        case ("GET", "me/player"), ("GET", "me/player/currently-playing"): return playerState(call)
        case ("PUT", "me/player"), ("PUT", "me/player/play"), ("PUT", "me/player/pause"), ("POST", "me/player/next"),
            ("POST", "me/player/previous"), ("PUT", "me/player/seek"), ("PUT", "me/player/volume"):
            return try playerCommand(call)
        default: return Self.apiError(404, "Service not found")
        }
    }

    /// Endpoints removed for Development-Mode apps (November 2024 and February 2026).
    static func removed(_ method: String, _ route: String) -> Bool {
        let first = route.prefix { $0 != "/" }
        if ["recommendations", "audio-features", "audio-analysis", "browse", "markets"].contains(first) { return true }
        switch (method, route) {
        case (_, "playlists/{id}/tracks"), (_, "users/{id}"), (_, "users/{id}/playlists"),
            (_, "playlists/{id}/followers"), (_, "playlists/{id}/followers/contains"), ("GET", "tracks"),
            ("GET", "albums"), ("GET", "artists"), ("GET", "shows"), ("GET", "episodes"), ("GET", "audiobooks"),
            ("GET", "chapters"), ("GET", "artists/{id}/top-tracks"), ("GET", "artists/{id}/related-artists"),
            ("GET", "me/tracks/contains"), ("GET", "me/albums/contains"), ("GET", "me/following/contains"):
            return true
        case ("PUT", _), ("DELETE", _):
            return ["me/tracks", "me/albums", "me/episodes", "me/shows", "me/audiobooks", "me/following"]
                .contains(route)
        default: return false
        }
    }

    /// The scopes of which a token needs one, where Spotify enforces them.
    static func scopes(_ method: String, _ route: String) -> Set<String>? {
        switch (method, route) {
        case ("GET", "me/tracks"): ["user-library-read"]
        case ("GET", "me/player/recently-played"): ["user-read-recently-played"]
        case ("GET", "me/top/tracks"), ("GET", "me/top/artists"): ["user-top-read"]
        case ("GET", "me/player"), ("GET", "me/player/devices"): ["user-read-playback-state"]
        case ("GET", "me/player/currently-playing"): ["user-read-currently-playing", "user-read-playback-state"]
        case ("GET", _): nil
        case (_, "me/player"): ["user-modify-playback-state"]
        case (_, _) where route.hasPrefix("me/player/"): ["user-modify-playback-state"]
        case (_, "me/playlists"): ["playlist-modify-public", "playlist-modify-private"]
        case (_, _) where route.hasPrefix("playlists/{id}/"): ["playlist-modify-public", "playlist-modify-private"]
        default: nil
        }
    }

    // MARK: - Accounts service

    static let loopbacks: Set = ["127.0.0.1", "::1", "[::1]"]

    /// Exact match, except a loopback IP literal registered without a port matches any port.
    static func redirectMatches(_ registered: String, _ requested: String) -> Bool {
        if registered == requested { return true }
        guard let want = URLComponents(string: registered), want.scheme == "http", want.port == nil,
            let host = want.host, loopbacks.contains(host), let got = URLComponents(string: requested)
        else { return false }
        return got.scheme == "http" && got.host == host && got.path == want.path && got.query == want.query
    }

    private func authorize(_ query: [String: String]) -> StubResponse {
        guard let clientID = query["client_id"], let registered = apps[clientID] else {
            return .text("INVALID_CLIENT: Invalid client", status: 400)
        }
        guard let redirect = query["redirect_uri"], registered.contains(where: { Self.redirectMatches($0, redirect) })
        else { return .text("INVALID_CLIENT: Invalid redirect URI", status: 400) }
        let state = query["state"]
        guard query["response_type"] == "code" else {
            return Self.redirect(redirect, [("error", "unsupported_response_type")], state: state)
        }
        guard query["code_challenge_method"] == "S256", let challenge = query["code_challenge"], !challenge.isEmpty
        else {
            let why = "code_challenge_method must be S256 and code_challenge given"
            return Self.redirect(redirect, [("error", "invalid_request"), ("error_description", why)], state: state)
        }
        guard let user = signedIn else {
            return .text("FakeSpotify: nobody is signed in; call signIn(as:) first", status: 400)
        }
        if denying {
            denying = false
            return Self.redirect(redirect, [("error", "access_denied")], state: state)
        }
        let scope = (query["scope"] ?? "").split(whereSeparator: { $0 == " " || $0 == "+" }).joined(separator: " ")
        let code = "AQ" + Self.randomID(120)
        let grant = Grant(user: user, clientID: clientID, scope: scope, authorizedAt: now)
        codes[code] = (grant, redirect, challenge, now + Self.codeLifetime)
        return Self.redirect(redirect, [("code", code)], state: state)
    }

    static func redirect(_ uri: String, _ fields: [(String, String)], state: String?) -> StubResponse {
        let pairs = fields + (state.map { [("state", $0)] } ?? [])
        let query = pairs.map { "\($0.0)=\(encode($0.1))" }.joined(separator: "&")
        return StubResponse(status: 302, headers: ["Location": uri + (uri.contains("?") ? "&" : "?") + query])
    }

    private func token(_ request: StubRequest) -> StubResponse {
        let isForm = request.headers["content-type"]?.contains("application/x-www-form-urlencoded") == true
        let form = isForm ? request.form : [:]
        var clientID = form["client_id"]
        var basic = false
        if let header = request.headers["authorization"], header.hasPrefix("Basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6))),
            let colon = String(decoding: data, as: UTF8.self).firstIndex(of: ":")
        {
            clientID = String(String(decoding: data, as: UTF8.self)[..<colon])
            basic = true
        }
        guard let grantType = form["grant_type"] else {
            return Self.oauthError("unsupported_grant_type", "grant_type parameter is missing")
        }
        guard ["authorization_code", "refresh_token", "client_credentials"].contains(grantType) else {
            return Self.oauthError("unsupported_grant_type", "grant_type parameter is invalid")
        }
        guard let clientID, apps[clientID] != nil else { return Self.oauthError("invalid_client", "Invalid client") }
        switch grantType {
        case "authorization_code":
            guard let text = form["code"], let code = codes.removeValue(forKey: text), now < code.expires,
                code.grant.clientID == clientID
            else { return Self.oauthError("invalid_grant", "Invalid authorization code") }
            guard form["redirect_uri"] == code.redirectURI else {
                return Self.oauthError("invalid_grant", "Invalid redirect URI")
            }
            guard let verifier = form["code_verifier"], (43...128).contains(verifier.count) else {
                return Self.oauthError("invalid_request", "code_verifier required (43 to 128 characters)")
            }
            guard Self.challenge(verifier) == code.challenge else {
                return Self.oauthError("invalid_grant", "code_verifier was incorrect")
            }
            return issue(code.grant, refresh: true)
        case "refresh_token":
            guard let text = form["refresh_token"], let grant = refreshTokens[text], grant.clientID == clientID else {
                return Self.oauthError("invalid_grant", "Invalid refresh token")
            }
            refreshTokens[text] = nil
            guard now < grant.authorizedAt + Self.refreshLifetime else {
                return Self.oauthError("invalid_grant", "Invalid refresh token")
            }
            return issue(grant, refresh: true)
        default:
            guard basic else { return Self.oauthError("invalid_client", "Invalid client secret") }
            return issue(Grant(user: nil, clientID: clientID, scope: "", authorizedAt: now), refresh: false)
        }
    }

    private func issue(_ grant: Grant, refresh: Bool) -> StubResponse {
        let access = "BQ" + Self.randomID(120)
        accessTokens[access] = (grant, now + Self.accessLifetime)
        var body: JSON = ["access_token": access, "token_type": "Bearer", "expires_in": Int(Self.accessLifetime)]
        if refresh {
            let token = "AQ" + Self.randomID(120)
            refreshTokens[token] = grant
            body["refresh_token"] = token
            body["scope"] = grant.scope
        }
        return .json(body)
    }

    /// `base64url(SHA-256(verifier))` without padding.
    static func challenge(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func oauthError(_ error: String, _ description: String) -> StubResponse {
        .json(["error": error, "error_description": description], status: 400)
    }

    private func authenticate(_ request: StubRequest) throws(Refusal) -> Grant {
        guard let header = request.headers["authorization"], !header.isEmpty else {
            throw Self.fail(401, "No token provided")
        }
        guard header.lowercased().hasPrefix("bearer ") else {
            throw Self.fail(400, "Only valid bearer authentication supported")
        }
        guard let access = accessTokens[header.dropFirst(7).trimmingCharacters(in: .whitespaces)] else {
            throw Self.fail(401, "Invalid access token")
        }
        guard now < access.expires else { throw Self.fail(401, "The access token expired") }
        if devMode, let user = access.grant.user, users[user]?.allowListed != true {
            throw Self.fail(403, "User not registered in the Developer Dashboard")
        }
        return access.grant
    }

    // MARK: - Playlists

    private func playlist(_ id: String) throws(Refusal) -> Playlist {
        guard let playlist = playlists[id] else { throw Self.fail(404, "Resource not found") }
        return playlist
    }

    private func canEdit(_ playlist: Playlist, _ user: String?) -> Bool {
        guard let user else { return false }
        return playlist.owner == user || (playlist.collaborative && playlist.members.contains(user))
    }

    private func inLibrary(_ playlist: Playlist, _ user: String) -> Bool {
        canEdit(playlist, user) || playlist.members.contains(user) || playlist.followers.contains(user)
    }

    private func listPlaylists(_ call: Call) throws(Refusal) -> StubResponse {
        let (limit, offset) = try Self.window(call.query)
        let found = playlistOrder.compactMap { playlists[$0] }.filter { inLibrary($0, call.me) }
        let items = found.dropFirst(offset).prefix(limit).map { playlistJSON($0, full: false, viewer: call.user) }
        return .json(page(items, path: "/v1/me/playlists", limit: limit, offset: offset, total: found.count))
    }

    private func createPlaylist(_ call: Call) throws(Refusal) -> StubResponse {
        guard let name = call.body?["name"] as? String, !name.isEmpty else {
            throw Self.fail(400, "Missing required field: name")
        }
        var playlist = Playlist(
            id: Self.randomID(), name: name, owner: call.me,
            collaborative: call.body?["collaborative"] as? Bool ?? false, members: [])
        playlist.isPublic = call.body?["public"] as? Bool ?? true
        playlist.description = call.body?["description"] as? String ?? ""
        Self.bump(&playlist)
        playlists[playlist.id] = playlist
        playlistOrder.append(playlist.id)
        return .json(playlistJSON(playlist, full: true, viewer: call.user), status: 201)
    }

    private func playlistItems(_ call: Call) throws(Refusal) -> StubResponse {
        let playlist = try playlist(call.id)
        if devMode, !canEdit(playlist, call.user) { throw Self.fail(403, "Forbidden") }
        // The spec says at most 50, but Spotify's own `next` links (first page embedded in the
        // playlist) carry limit=100 and work, so 100 is accepted.
        let (limit, offset) = try Self.window(call.query, max: 100)
        let path = "/v1/playlists/\(call.id)/" + (call.route.hasSuffix("tracks") ? "tracks" : "items")
        return .json(entriesPage(playlist, path: path, limit: limit, offset: offset))
    }

    private func editPlaylist(_ call: Call) throws(Refusal) -> StubResponse {
        var playlist = try playlist(call.id)
        guard canEdit(playlist, call.user) else { throw Self.fail(403, "Forbidden") }
        let body = call.body ?? [:]
        let uris =
            call.query["uris"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            ?? (body["uris"] as? [String])
        let count = playlist.entries.count
        switch call.method {
        case "POST":
            guard let uris else { throw Self.fail(400, "No uris given") }
            let ids = try knownTrackIDs(uris)
            let position = call.query["position"].flatMap { Int($0) } ?? (body["position"] as? Int) ?? count
            guard (0...count).contains(position) else { throw Self.fail(400, "Index out of bounds") }
            playlist.entries.insert(contentsOf: ids.map { ($0, now, call.me) }, at: position)
        case "PUT":
            // Replacing only; reordering (`range_start`) is not modelled.
            guard let uris else { throw Self.fail(400, "No uris given") }
            playlist.entries = try knownTrackIDs(uris).map { ($0, now, call.me) }
        default:
            guard let list = (body["items"] ?? body["tracks"]) as? [[String: Any]], list.count <= 100 else {
                throw Self.fail(400, "Give at most 100 items to remove")
            }
            let gone = Set(list.compactMap { ($0["uri"] as? String).flatMap(Self.trackID(fromURI:)) })
            playlist.entries.removeAll { gone.contains($0.trackID) }
        }
        Self.bump(&playlist)
        playlists[playlist.id] = playlist
        return .json(["snapshot_id": playlist.snapshot], status: call.method == "POST" ? 201 : 200)
    }

    private func knownTrackIDs(_ uris: [String]) throws(Refusal) -> [String] {
        guard uris.count <= 100 else { throw Self.fail(400, "You can add a maximum of 100 tracks per request.") }
        var ids: [String] = []
        for uri in uris {
            guard let id = Self.trackID(fromURI: uri) else { throw Self.fail(400, "Invalid track uri: \(uri)") }
            guard tracks[id] != nil else { throw Self.fail(400, "Payload contains a non-existing ID") }
            ids.append(id)
        }
        return ids
    }

    static func trackID(fromURI uri: String) -> String? {
        uri.hasPrefix("spotify:track:") && uri.count > 14 ? String(uri.dropFirst(14)) : nil
    }

    /// A new `snapshot_id`, for a playlist whose name or contents changed.
    static func bump(_ playlist: inout Playlist) {
        playlist.version += 1
        let seed = "snapshot:\(playlist.id):\(playlist.version):\(playlist.entries.map(\.trackID))"
        playlist.snapshot = derivedID(seed, length: 32)
    }

    // MARK: - Saved tracks, history and top items

    private func savedTracks(_ call: Call) throws(Refusal) -> StubResponse {
        let (limit, offset) = try Self.window(call.query)
        let list = (saved[call.me] ?? []).compactMap { entry in tracks[entry.trackID].map { (entry.at, $0) } }
        let items = list.dropFirst(offset).prefix(limit).map { ["added_at": Self.iso($0.0), "track": trackJSON($0.1)] }
        return .json(page(items, path: "/v1/me/tracks", limit: limit, offset: offset, total: list.count))
    }

    private func recentlyPlayed(_ call: Call) throws(Refusal) -> StubResponse {
        let (limit, _) = try Self.window(call.query)
        let after = call.query["after"]
        let before = call.query["before"]
        if after != nil, before != nil { throw Self.fail(400, "Only one of after and before may be given") }
        let cursor = after ?? before
        guard cursor.map({ Int($0) != nil }) ?? true else { throw Self.fail(400, "Invalid cursor") }
        let stamp = cursor.flatMap { Int($0) } ?? 0
        // Spotify keeps only the 50 most recent plays.
        var history = (plays[call.me] ?? []).sorted { $0.at > $1.at }.prefix(50).filter { tracks[$0.trackID] != nil }
        if after != nil { history = history.filter { Self.ms($0.at) > stamp } }
        if before != nil { history = history.filter { Self.ms($0.at) < stamp } }
        let shown = Array(history.prefix(limit))
        let link = "\(base)/v1/me/player/recently-played?"
        var href = link + "limit=\(limit)"
        if let after { href += "&after=\(after)" }
        if let before { href += "&before=\(before)" }
        let items = shown.compactMap { play in
            tracks[play.trackID].map {
                ["track": trackJSON($0), "played_at": Self.iso(play.at, millis: true), "context": NSNull()] as JSON
            }
        }
        var object: JSON = ["href": href, "items": items, "limit": limit, "next": NSNull(), "cursors": NSNull()]
        if let newest = shown.first, let oldest = shown.last {
            object["cursors"] = ["after": "\(Self.ms(newest.at))", "before": "\(Self.ms(oldest.at))"]
            if history.count > shown.count { object["next"] = link + "before=\(Self.ms(oldest.at))&limit=\(limit)" }
        }
        return .json(object)
    }

    private func topItems(_ call: Call) throws(Refusal) -> StubResponse {
        let range = call.query["time_range"] ?? "medium_term"
        guard ["short_term", "medium_term", "long_term"].contains(range) else {
            throw Self.fail(400, "Invalid time range")
        }
        let (limit, offset) = try Self.window(call.query)
        let chosen = top[call.me] ?? ([], [])
        let items: [Any]
        let total: Int
        if call.route.hasSuffix("tracks") {
            let found = chosen.tracks.compactMap { tracks[$0] }
            items = found.dropFirst(offset).prefix(limit).map { trackJSON($0) }
            total = found.count
        } else {
            let names = Set(tracks.values.flatMap(\.artists))
            let found = chosen.artists.map { key in names.first { Self.derivedID("artist:\($0)") == key } ?? key }
            items = found.dropFirst(offset).prefix(limit).map { artistJSON($0, full: true) }
            total = found.count
        }
        let path = "/v1/" + call.route
        return .json(
            page(items, path: path, extra: [("time_range", range)], limit: limit, offset: offset, total: total))
    }

    // MARK: - Search

    private func search(_ call: Call) throws(Refusal) -> StubResponse {
        guard let raw = call.query["q"] ?? call.query["query"], !raw.isEmpty else {
            throw Self.fail(400, "No search query")
        }
        guard let typeList = call.query["type"], !typeList.isEmpty else {
            throw Self.fail(400, "Missing parameter type")
        }
        let types = typeList.split(separator: ",").map(String.init)
        let known: Set = ["album", "artist", "playlist", "track", "show", "episode", "audiobook"]
        guard types.allSatisfy(known.contains) else { throw Self.fail(400, "Bad search type field") }
        let (limit, offset) = try Self.window(call.query, limit: 5, max: devMode ? 10 : 50, maxOffset: 1_000)
        let terms = Self.terms(raw.replacingOccurrences(of: "+", with: " "))
        var object: JSON = [:]
        for type in types {
            // Only tracks are modelled; the other types answer empty pages.
            let found = type == "track" ? trackOrder.compactMap { tracks[$0] }.filter { Self.matches($0, terms) } : []
            let items = found.dropFirst(offset).prefix(limit).map { trackJSON($0) }
            object[type + "s"] = page(
                items, path: "/v1/search", extra: [("query", raw), ("type", type)], limit: limit, offset: offset,
                total: found.count)
        }
        return .json(object)
    }

    /// The query's terms: `field:value` filters and plain words; double quotes group words.
    static func terms(_ query: String) -> [(field: String?, value: String)] {
        var tokens: [String] = []
        var current = ""
        var quoted = false
        for character in query {
            if character == "\"" {
                quoted.toggle()
            } else if character == " " && !quoted {
                if !current.isEmpty { tokens.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        let fields: Set = ["track", "artist", "album", "isrc", "year", "genre", "upc", "tag"]
        return tokens.map { token in
            if let colon = token.firstIndex(of: ":"), fields.contains(token[..<colon].lowercased()) {
                return (token[..<colon].lowercased(), String(token[token.index(after: colon)...]))
            }
            return (nil, token)
        }
    }

    static func matches(_ track: Track, _ terms: [(field: String?, value: String)]) -> Bool {
        func has(_ text: String, _ part: String) -> Bool {
            text.range(of: part, options: [.caseInsensitive, .diacriticInsensitive]) != nil
        }
        return terms.allSatisfy { term in
            switch term.field {
            case "isrc": track.isrc?.caseInsensitiveCompare(term.value) == .orderedSame
            case "track": has(track.name, term.value)
            case "artist": track.artists.contains { has($0, term.value) }
            case "album": has(track.album, term.value)
            case nil: has(track.name, term.value) || track.artists.contains { has($0, term.value) }
            default: true
            }
        }
    }

    // MARK: - Player

    private func playerState(_ call: Call) -> StubResponse {
        guard let device = (devices[call.me] ?? []).first(where: \.active) else { return StubResponse(status: 204) }
        let state = playback[call.me] ?? Playback(changedAt: now)
        let item = state.current.flatMap { tracks[$0] }
        if call.route == "me/player/currently-playing", item == nil { return StubResponse(status: 204) }
        var object: JSON = [
            "timestamp": Self.ms(state.changedAt), "is_playing": state.playing,
            "context": state.context.map { contextJSON($0) } ?? NSNull(),
            "progress_ms": item.map { progress(state, $0) } ?? NSNull(),
            "item": item.map { trackJSON($0) } ?? NSNull(), "currently_playing_type": item == nil ? "unknown" : "track",
            "actions": state.playing ? ["resuming": true] : ["pausing": true],
        ]
        if call.route == "me/player" {
            object["device"] = deviceJSON(device)
            object["repeat_state"] = "off"
            object["shuffle_state"] = false
        }
        return .json(object)
    }

    private func progress(_ state: Playback, _ track: Track) -> Int {
        let elapsed = state.playing ? Int(now.timeIntervalSince(state.changedAt) * 1_000) : 0
        return min(state.progressMs + elapsed, track.durationMs)
    }

    private func playerCommand(_ call: Call) throws(Refusal) -> StubResponse {
        guard users[call.me]?.premium ?? true else {
            throw Self.fail(403, "Player command failed: Premium required", reason: "PREMIUM_REQUIRED")
        }
        var list = devices[call.me] ?? []
        var state = playback[call.me] ?? Playback(changedAt: now)
        if let track = state.current.flatMap({ tracks[$0] }) { state.progressMs = progress(state, track) }
        state.changedAt = now
        let record: String
        if call.route == "me/player" {
            guard let ids = call.body?["device_ids"] as? [String], !ids.isEmpty else {
                throw Self.fail(400, "Required field device_ids missing")
            }
            guard ids.count == 1 else { throw Self.fail(400, "Can't have more than one device_id") }
            guard list.contains(where: { $0.id == ids[0] }) else { throw Self.fail(404, "Device not found") }
            let play = call.body?["play"] as? Bool ?? false
            for index in list.indices { list[index].active = list[index].id == ids[0] }
            if play { state.playing = true }
            record = "transfer \(ids[0]) play=\(play)"
        } else {
            var target = list.firstIndex(where: \.active)
            if let id = call.query["device_id"] {
                guard let index = list.firstIndex(where: { $0.id == id }) else {
                    throw Self.fail(404, "Device not found")
                }
                if call.route == "me/player/play" { for other in list.indices { list[other].active = other == index } }
                target = index
            }
            guard let target else {
                throw Self.fail(404, "Player command failed: No active device found", reason: "NO_ACTIVE_DEVICE")
            }
            let query = call.query
            switch call.route {
            case "me/player/play": record = try play(call.body ?? [:], into: &state)
            case "me/player/pause":
                state.playing = false
                record = "pause"
            case "me/player/next", "me/player/previous":
                let forward = call.route.hasSuffix("next")
                state.index = forward ? min(state.index + 1, max(state.queue.count - 1, 0)) : max(state.index - 1, 0)
                state.progressMs = 0
                record = forward ? "next" : "previous"
            case "me/player/seek":
                guard let ms = query["position_ms"].flatMap({ Int($0) }), ms >= 0 else {
                    throw Self.fail(400, "Missing or negative position_ms")
                }
                state.progressMs = ms
                record = "seek \(ms)"
            default:
                guard let volume = query["volume_percent"].flatMap({ Int($0) }), (0...100).contains(volume) else {
                    throw Self.fail(400, "volume_percent must be an integer from 0 to 100")
                }
                list[target].volume = volume
                record = "volume \(volume)"
            }
        }
        devices[call.me] = list
        playback[call.me] = state
        commands[call.me, default: []].append(record)
        return StubResponse(status: 204)
    }

    /// Starts a context or a list of tracks, or resumes; returns the command as recorded.
    private func play(_ body: JSON, into state: inout Playback) throws(Refusal) -> String {
        var words = ["play"]
        var queue: [String]?
        if let context = body["context_uri"] as? String {
            queue = try contextTracks(context)
            state.context = context
            words.append(context)
        } else if let uris = body["uris"] as? [String] {
            var ids: [String] = []
            for uri in uris {
                guard let id = Self.trackID(fromURI: uri) else { throw Self.fail(400, "Invalid track uri: \(uri)") }
                ids.append(id)
            }
            queue = ids
            state.context = nil
            words.append(uris.joined(separator: ","))
        }
        if let queue {
            state.queue = queue
            state.index = 0
            state.progressMs = 0
            if let offset = body["offset"] as? JSON {
                if let position = offset["position"] as? Int {
                    guard position >= 0 else { throw Self.fail(400, "Offset position can't be negative") }
                    state.index = position
                    if position > 0 { words.append("offset=\(position)") }
                } else if let uri = offset["uri"] as? String {
                    state.index = Self.trackID(fromURI: uri).flatMap { queue.firstIndex(of: $0) } ?? 0
                    words.append("offset=\(uri)")
                }
            }
        }
        if let value = body["position_ms"] {
            guard let ms = value as? Int, ms >= 0 else { throw Self.fail(400, "position_ms must be a positive number") }
            state.progressMs = ms
            if ms > 0 { words.append("position=\(ms)") }
        }
        state.playing = true
        return words.joined(separator: " ")
    }

    /// The tracks of an album, artist or playlist context (empty for one the fake does not hold).
    private func contextTracks(_ uri: String) throws(Refusal) -> [String] {
        let parts = uri.split(separator: ":").map(String.init)
        guard parts.count == 3, parts[0] == "spotify" else { throw Self.fail(400, "Invalid context uri") }
        let catalogue = trackOrder.compactMap { tracks[$0] }
        switch parts[1] {
        case "album":
            return catalogue.filter { $0.albumID == parts[2] }.sorted { $0.trackNumber < $1.trackNumber }.map(\.id)
        case "artist":
            return catalogue.filter { $0.artists.contains { Self.derivedID("artist:\($0)") == parts[2] } }.map(\.id)
        case "playlist": return playlists[parts[2]]?.entries.map(\.trackID) ?? []
        case "show": return []
        default: throw Self.fail(400, "Invalid context uri")
        }
    }

    // MARK: - Objects

    private func trackJSON(_ track: Track) -> JSON {
        var object: JSON = [
            "id": track.id, "name": track.name, "type": "track", "uri": "spotify:track:\(track.id)",
            "href": "\(base)/v1/tracks/\(track.id)", "duration_ms": track.durationMs,
            "track_number": track.trackNumber, "disc_number": 1, "explicit": false, "is_local": false,
            "external_ids": track.isrc.map { ["isrc": $0] } ?? [:],
            "external_urls": ["spotify": "https://open.spotify.com/track/\(track.id)"],
            "artists": track.artists.map { artistJSON($0) }, "album": albumJSON(track),
        ]
        if !devMode {
            object["popularity"] = 50
            object["available_markets"] = Self.markets
            object["preview_url"] = NSNull()
        }
        return object
    }

    private func artistJSON(_ name: String, full: Bool = false) -> JSON {
        let id = Self.derivedID("artist:\(name)")
        var object: JSON = [
            "id": id, "name": name, "type": "artist", "uri": "spotify:artist:\(id)", "href": "\(base)/v1/artists/\(id)",
            "external_urls": ["spotify": "https://open.spotify.com/artist/\(id)"],
        ]
        if full {
            object["images"] = [640, 320, 160].map {
                ["url": "\(base)/image/\(id)/\($0)", "height": $0, "width": $0] as JSON
            }
            if !devMode {
                object["followers"] = ["href": NSNull(), "total": 0]
                object["genres"] = [] as [Any]
                object["popularity"] = 50
            }
        }
        return object
    }

    private func albumJSON(_ track: Track) -> JSON {
        let id = track.albumID
        let size = albumSizes[id] ?? (1, 1)
        let images = [640, 300, 64].map { ["url": "\(base)/image/\(id)/\($0)", "height": $0, "width": $0] as JSON }
        var object: JSON = [
            "id": id, "name": track.album, "album_type": "album", "type": "album", "uri": "spotify:album:\(id)",
            "href": "\(base)/v1/albums/\(id)", "external_urls": ["spotify": "https://open.spotify.com/album/\(id)"],
            "images": images, "artists": track.artists.prefix(1).map { artistJSON($0) },
            "release_date": "2000", "release_date_precision": "year",
            "total_tracks": max(size.count, size.highest),
        ]
        if !devMode { object["available_markets"] = Self.markets }
        return object
    }

    /// A PlaylistUserObject.
    private func userRef(_ id: String) -> JSON {
        [
            "id": id, "type": "user", "uri": "spotify:user:\(id)", "href": "\(base)/v1/users/\(id)",
            "external_urls": ["spotify": "https://open.spotify.com/user/\(id)"],
        ]
    }

    /// A PrivateUserObject (`/me`) or a PublicUserObject.
    private func userJSON(_ id: String, isPrivate: Bool) -> JSON {
        var object = userRef(id)
        object["display_name"] = users[id]?.displayName ?? id
        object["images"] = [] as [Any]
        if isPrivate { object["account_id"] = Self.derivedID("account:\(id)") }
        if !devMode {
            object["followers"] = ["href": NSNull(), "total": 0]
            if isPrivate {
                object["country"] = "SE"
                object["email"] = "\(id)@example.com"
                object["product"] = users[id]?.premium == false ? "free" : "premium"
                object["explicit_content"] = ["filter_enabled": false, "filter_locked": false]
            }
        }
        return object
    }

    /// A PlaylistObject (`full`) or a SimplifiedPlaylistObject.
    private func playlistJSON(_ playlist: Playlist, full: Bool, viewer: String?) -> JSON {
        var owner = userRef(playlist.owner)
        owner["display_name"] = users[playlist.owner]?.displayName ?? playlist.owner
        let id = playlist.id
        var object: JSON = [
            "id": id, "name": playlist.name, "type": "playlist", "uri": "spotify:playlist:\(id)",
            "href": "\(base)/v1/playlists/\(id)",
            "external_urls": ["spotify": "https://open.spotify.com/playlist/\(id)"],
            "collaborative": playlist.collaborative, "public": playlist.isPublic, "description": playlist.description,
            "snapshot_id": playlist.snapshot, "images": [] as [Any], "owner": owner, "primary_color": NSNull(),
        ]
        let items = "/v1/playlists/\(id)/items"
        let legacy = "/v1/playlists/\(id)/tracks"
        if full {
            if !devMode || canEdit(playlist, viewer) {
                object["items"] = entriesPage(playlist, path: items, limit: 100, offset: 0)
            }
            if !devMode {
                object["tracks"] = entriesPage(playlist, path: legacy, limit: 100, offset: 0)
                object["followers"] = ["href": NSNull(), "total": playlist.followers.count]
            }
        } else {
            object["items"] = ["href": base + items, "total": playlist.entries.count]
            if !devMode { object["tracks"] = ["href": base + legacy, "total": playlist.entries.count] }
        }
        return object
    }

    /// A paging object of PlaylistTrackObjects; `item` is null for a track the catalogue lacks.
    private func entriesPage(_ playlist: Playlist, path: String, limit: Int, offset: Int) -> JSON {
        let items = playlist.entries.dropFirst(offset).prefix(limit).map { entry -> Any in
            let item: Any = tracks[entry.trackID].map { trackJSON($0) } ?? NSNull()
            var object: JSON = [
                "added_at": Self.iso(entry.addedAt), "added_by": userRef(entry.addedBy), "is_local": false,
                "item": item, "primary_color": NSNull(),
            ]
            if !devMode { object["track"] = item }
            return object
        }
        return page(items, path: path, limit: limit, offset: offset, total: playlist.entries.count)
    }

    private func deviceJSON(_ device: Device) -> JSON {
        [
            "id": device.id, "name": device.name, "type": device.type, "is_active": device.active,
            "is_private_session": false, "is_restricted": false, "volume_percent": device.volume,
            "supports_volume": true,
        ]
    }

    private func contextJSON(_ uri: String) -> JSON {
        let parts = uri.split(separator: ":").map(String.init)
        let type = parts.count == 3 ? parts[1] : "unknown"
        let id = parts.last ?? ""
        return [
            "type": type, "uri": uri, "href": "\(base)/v1/\(type)s/\(id)",
            "external_urls": ["spotify": "https://open.spotify.com/\(type)/\(id)"],
        ]
    }

    /// A PagingObject whose `href`, `next` and `previous` are absolute URLs on the fake.
    private func page(
        _ items: [Any], path: String, extra: [(String, String)] = [], limit: Int, offset: Int, total: Int
    ) -> JSON {
        func link(_ start: Int) -> String {
            let pairs = extra + [("offset", "\(start)"), ("limit", "\(limit)")]
            return base + path + "?" + pairs.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        }
        return [
            "href": link(offset), "items": items, "limit": limit, "offset": offset, "total": total,
            "next": offset + limit < total ? link(offset + limit) : NSNull(),
            "previous": offset > 0 ? link(max(0, offset - limit)) : NSNull(),
        ]
    }

    // MARK: - Helpers

    /// `limit` (1...`max`, default `limit`) and `offset` (0...`maxOffset`); 400 when out of range.
    static func window(_ query: [String: String], limit: Int = 20, max: Int = 50, maxOffset: Int = 100_000)
        throws(Refusal) -> (limit: Int, offset: Int)
    {
        var result = (limit: limit, offset: 0)
        if let text = query["limit"] {
            guard let value = Int(text), (1...max).contains(value) else { throw fail(400, "Invalid limit") }
            result.limit = value
        }
        if let text = query["offset"] {
            guard let value = Int(text), (0...maxOffset).contains(value) else { throw fail(400, "Invalid offset") }
            result.offset = value
        }
        return result
    }

    static func apiError(_ status: Int, _ message: String, reason: String? = nil, headers: [String: String] = [:])
        -> StubResponse
    {
        var error: JSON = ["status": status, "message": message]
        if let reason { error["reason"] = reason }
        return .json(["error": error], status: status, headers: headers)
    }

    static func fail(_ status: Int, _ message: String, reason: String? = nil) -> Refusal {
        Refusal(response: apiError(status, message, reason: reason))
    }

    static func failureMessage(_ status: Int) -> String {
        switch status {
        case 429: "API rate limit exceeded"
        case 500: "Server error."
        case 502: "Bad gateway."
        case 503: "Service unavailable"
        default: "Injected failure"
        }
    }

    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// A base-62 ID derived from `seed` (SHA-256, one character a byte; at most 32).
    public static func derivedID(_ seed: String, length: Int = 22) -> String {
        let digest = Array(SHA256.hash(data: Data(seed.utf8)))
        return String((0..<min(length, digest.count)).map { alphabet[Int(digest[$0]) % alphabet.count] })
    }

    static func randomID(_ length: Int = 22) -> String {
        String((0..<length).map { _ in alphabet.randomElement() ?? "0" })
    }

    static func encode(_ text: String) -> String {
        let unreserved = CharacterSet(
            charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// ISO 8601 in UTC with a `Z`: `2026-05-30T12:34:56Z`, or with milliseconds.
    static func iso(_ date: Date, millis: Bool = false) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: millis))
    }

    static func ms(_ date: Date) -> Int { Int((date.timeIntervalSince1970 * 1_000).rounded(.down)) }

    static let markets = ["DE", "GB", "SE", "US"]

    /// An 8×8 JPEG served for every album image.
    static let cover =
        Data(
            base64Encoded:
                "/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgUFBcUFxsbGxsbGyAeICEhISAgICAhISEkJCQqKiokJCQhISQkKCgqKi4vLisrKisvLzIyMjw8OTlGRkhWVmf/xABMAAEBAAAAAAAAAAAAAAAAAAAABgEBAQAAAAAAAAAAAAAAAAAABQYQAQAAAAAAAAAAAAAAAAAAAAARAQAAAAAAAAAAAAAAAAAAAAD/wAARCAAIAAgDASIAAhEAAxEA/9oADAMBAAIRAxEAPwCXAVAF/9k="
        ) ?? Data()
}
