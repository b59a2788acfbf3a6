public import CantoCore
public import Foundation

/// One play as a scrobbler receives it: the track's tags and when and how long it was played.
public struct Listen: Sendable, Equatable, Codable {
    public var trackID: TrackID
    public var title: String
    public var artist: String
    public var album: String
    public var albumArtist: String
    public var trackNumber: Int?
    /// The track's length in seconds.
    public var durationSeconds: Int
    /// When playback started.
    public var startedAt: Date
    /// How much was played (0 for now playing).
    public var secondsPlayed: Int
    public var musicBrainzRecordingID: String?
    public var musicBrainzReleaseID: String?
    public var musicBrainzArtistIDs: [String]
    public var isrc: String?
    /// The player, as the client named itself.
    public var client: String?

    public init(
        trackID: TrackID, title: String, artist: String, album: String, albumArtist: String, trackNumber: Int?,
        durationSeconds: Int, startedAt: Date, secondsPlayed: Int, musicBrainzRecordingID: String? = nil,
        musicBrainzReleaseID: String? = nil, musicBrainzArtistIDs: [String] = [], isrc: String? = nil,
        client: String? = nil
    ) {
        self.trackID = trackID
        self.title = title
        self.artist = artist
        self.album = album
        self.albumArtist = albumArtist
        self.trackNumber = trackNumber
        self.durationSeconds = durationSeconds
        self.startedAt = startedAt
        self.secondsPlayed = secondsPlayed
        self.musicBrainzRecordingID = musicBrainzRecordingID
        self.musicBrainzReleaseID = musicBrainzReleaseID
        self.musicBrainzArtistIDs = musicBrainzArtistIDs
        self.isrc = isrc
        self.client = client
    }
}

/// A listener's account at the plugin's service, as linked in their profile. The host keeps the
/// secret sealed and hands it over only for this listener's listens.
public struct LinkedAccount: Sendable, Equatable {
    public var userID: UserID
    /// The token, session key or similar the service gave.
    public var secret: String
    /// The listener's name at the service, when known.
    public var name: String?

    public init(userID: UserID, secret: String, name: String?) {
        self.userID = userID
        self.secret = secret
        self.name = name
    }
}

/// The service no longer accepts the linked account (revoked, expired): the host marks it
/// "reconnect" for the listener and stops sending their listens until they link it again.
public struct LinkedAccountRejected: Error, Sendable, Equatable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

/// Receives what the household plays: scrobblers (ListenBrainz, Last.fm) and listen logs.
///
/// The host calls it from the event outbox, never on a request's path: a listen is delivered at
/// least once, in order, after the play is committed, and retried with backoff while the plugin
/// throws (``PluginRetryLater`` sets the wait). Only listens of listeners who linked an account
/// (through ``TokenLinking`` or ``WebLinking``) and left scrobbling on in their preferences reach
/// it. Every call has a deadline.
public protocol ListenSinkPlugin: CantoPlugin {
    /// The listener started `listen` (best effort: not retried).
    func nowPlaying(_ listen: Listen, account: LinkedAccount) async throws
    /// Plays that count as scrobbles, oldest first; several after an outage.
    func submit(_ listens: [Listen], account: LinkedAccount) async throws
}

/// Listeners link their account by pasting a token from the service's settings page (ListenBrainz).
public protocol TokenLinking: Sendable {
    /// Checks a token a listener pasted and returns their name at the service; throws
    /// ``LinkedAccountRejected`` for a token the service refuses.
    func link(token: String) async throws -> String?
}

/// Listeners link their account on the service's own page, which sends them back to the server
/// (Last.fm's web authentication; an OAuth-style redirect).
public protocol WebLinking: Sendable {
    /// The service's page to send the listener to. It must bring them back to `callback` (keep
    /// its query: it carries the host's one-time `state`, which the host checks).
    func authorizationURL(callback: URL) throws -> URL
    /// The account from the callback's query parameters (the host's `state` taken out): its secret
    /// (a session key, a token) and the listener's name at the service. Throw
    /// ``LinkedAccountRejected`` when the service does not grant it.
    func completeLink(parameters: [String: String]) async throws -> (secret: String, name: String?)
}

/// A service's OAuth 2 client, as a plugin describes it: the host runs the authorization-code
/// flow with PKCE (S256) and `state`, keeps the tokens sealed, refreshes the access token before it
/// expires (storing a rotated refresh token at once), and marks the account "reconnect" when the
/// service refuses the refresh (expired or revoked).
public struct OAuthClient: Sendable, Equatable {
    public var authorizeURL: URL
    public var tokenURL: URL
    public var clientID: String
    /// Sent with HTTP basic authentication to the token endpoint (confidential clients); nil for public ones.
    public var clientSecret: String?
    public var scopes: [String]

    public init(authorizeURL: URL, tokenURL: URL, clientID: String, clientSecret: String? = nil, scopes: [String] = [])
    {
        self.authorizeURL = authorizeURL
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scopes = scopes
    }
}

/// Listeners link their account with OAuth 2 (authorization code and PKCE). The token endpoint's
/// host must be among the plugin's network hosts. ``LinkedAccount/secret`` is then a fresh access token.
public protocol OAuthLinking: Sendable {
    var oauth: OAuthClient { get }
    /// The listener's name at the service, read with a fresh access token (nil when the service has none).
    func accountName(accessToken: String) async throws -> String?
}
