public import Foundation

/// Users, their secrets (as hashes or sealed), preferences and avatars.
public protocol UserStore: Sendable {
    /// Throws `DuplicateUsername` when the name (case-insensitive) is taken.
    func createUser(_ user: User, passwordHash: String, sealedAppPassword: Data) async throws
    func user(_ id: UserID) async throws -> User?
    func user(username: String) async throws -> User?
    func users() async throws -> [User]
    func userCount() async throws -> Int
    /// Saves every field of `user` but its ID and creation time. Throws ``LastAdminRefused``
    /// (and changes nothing) when it demotes the last admin.
    func updateUser(_ user: User) async throws
    /// Deletes the user and everything they own. Returns false when there was no such user.
    /// Throws ``LastAdminRefused`` (and deletes nothing) for the last admin.
    func deleteUser(_ id: UserID) async throws -> Bool
    func passwordHash(of id: UserID) async throws -> String?
    func setPasswordHash(_ hash: String, of id: UserID) async throws
    func sealedAppPassword(of id: UserID) async throws -> Data?
    /// The user called `username` and their sealed app password, in one read (the Subsonic
    /// token check makes it on every request).
    func userWithSealedAppPassword(username: String) async throws -> (User, Data?)?
    func setSealedAppPassword(_ sealed: Data, of id: UserID) async throws
    func preferences(of id: UserID) async throws -> UserPreferences
    func setPreferences(_ preferences: UserPreferences, of id: UserID) async throws
    func avatar(of id: UserID) async throws -> Picture?
    func setAvatar(_ avatar: Picture?, of id: UserID) async throws
    func touch(_ id: UserID, at date: Date) async throws
}

public struct DuplicateUsername: Error, Sendable, Equatable {
    public var username: String
    public init(username: String) { self.username = username }
}

/// Sessions by token hash. A session is only ever found by its owner's token, listed for its
/// owner, or revoked by its owner or an admin.
public protocol SessionStore: Sendable {
    func createSession(_ session: Session, tokenHash: String) async throws
    func session(tokenHash: String) async throws -> Session?
    func sessions(of user: UserID) async throws -> [Session]
    func touchSession(_ id: SessionID, at date: Date) async throws
    /// Deletes the session when `owner` owns it (nil: any owner, for admins).
    func deleteSession(_ id: SessionID, owner: UserID?) async throws -> Bool
    func deleteSessions(of user: UserID) async throws
    func deleteExpiredSessions(now: Date, idleTimeout: TimeInterval) async throws -> Int
}

/// OpenSubsonic API keys by hash.
public protocol APIKeyStore: Sendable {
    func createAPIKey(_ key: APIKey, keyHash: String) async throws
    func apiKey(hash: String) async throws -> APIKey?
    func apiKeys(of user: UserID) async throws -> [APIKey]
    func deleteAPIKey(_ id: APIKeyID, owner: UserID) async throws -> Bool
    func touchAPIKey(_ id: APIKeyID, at date: Date) async throws
}

/// Listening history.
public protocol HistoryStore: Sendable {
    func recordPlay(
        user: UserID, track: TrackID, startedAt: Date, secondsPlayed: Int, client: String?, scrobble: Bool
    ) async throws -> Play
    /// The user's plays, newest first, optionally within [from, to).
    func plays(of user: UserID, from: Date?, to: Date?, offset: Int, limit: Int) async throws -> [Play]
    func playCount(of user: UserID, from: Date?, to: Date?) async throws -> Int
    func deletePlay(_ id: Int64, owner: UserID) async throws -> Bool
    /// Deletes the user's plays within [from, to); returns how many.
    func deletePlays(of user: UserID, from: Date?, to: Date?) async throws -> Int
    /// Per track the user ever played: how often (counted plays and skips) and when last.
    func trackSummaries(of user: UserID) async throws -> [TrackPlaySummary]
    /// Adds plays from elsewhere in one transaction: a play of the same track at the same instant
    /// already there is left out. No events are published (scrobblers never see them); the
    /// statistics' rollups take them. Returns (added, already there).
    func importPlays(
        _ plays: [(track: TrackID, startedAt: Date, secondsPlayed: Int, counted: Bool, client: String)],
        of user: UserID
    ) async throws -> (imported: Int, duplicates: Int)
}

/// One listener's plays of one track, summed.
public struct TrackPlaySummary: Sendable, Equatable {
    public var track: TrackID
    /// Plays that counted (scrobbles).
    public var plays: Int
    /// Plays stopped early.
    public var skips: Int
    public var lastPlayed: Date

    public init(track: TrackID, plays: Int, skips: Int, lastPlayed: Date) {
        self.track = track
        self.plays = plays
        self.skips = skips
        self.lastPlayed = lastPlayed
    }
}

/// A playlist's name, owner, visibility and size, without its tracks.
public struct PlaylistSummary: Sendable, Equatable {
    public var id: PlaylistID
    public var ownerID: UserID
    public var name: String
    public var isPublic: Bool
    public var trackCount: Int
    public init(id: PlaylistID, ownerID: UserID, name: String, isPublic: Bool, trackCount: Int) {
        self.id = id
        self.ownerID = ownerID
        self.name = name
        self.isPublic = isPublic
        self.trackCount = trackCount
    }
}

/// A playlist: owned by one user, visible to others only when public.
public struct Playlist: Sendable, Equatable, Codable {
    public var id: PlaylistID
    public var ownerID: UserID
    public var name: String
    public var comment: String?
    public var isPublic: Bool
    public var trackIDs: [TrackID]
    public var createdAt: Date
    public var updatedAt: Date
    /// A smart playlist's rules (``SmartDefinition/text``); its tracks then follow them and are not
    /// edited by hand. Nil for an ordinary playlist.
    public var rules: String?
    public init(
        id: PlaylistID, ownerID: UserID, name: String, comment: String? = nil, isPublic: Bool = false,
        trackIDs: [TrackID] = [], createdAt: Date = Date(), updatedAt: Date = Date(), rules: String? = nil
    ) {
        self.rules = rules
        self.id = id
        self.ownerID = ownerID
        self.name = name
        self.comment = comment
        self.isPublic = isPublic
        self.trackIDs = trackIDs
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A user's play queue, saved so it follows them to another device.
public struct PlayQueue: Sendable, Equatable, Codable {
    public var trackIDs: [TrackID]
    public var currentIndex: Int?
    public var positionMs: Int64
    public var changedAt: Date
    public var changedBy: String?
    public init(trackIDs: [TrackID], currentIndex: Int?, positionMs: Int64, changedAt: Date, changedBy: String?) {
        self.trackIDs = trackIDs
        self.currentIndex = currentIndex
        self.positionMs = positionMs
        self.changedAt = changedAt
        self.changedBy = changedBy
    }
}

/// A saved position in a track.
public struct Bookmark: Sendable, Equatable, Codable {
    public var trackID: TrackID
    public var positionMs: Int64
    public var comment: String?
    public var createdAt: Date
    public var updatedAt: Date
    public init(trackID: TrackID, positionMs: Int64, comment: String?, createdAt: Date, updatedAt: Date) {
        self.trackID = trackID
        self.positionMs = positionMs
        self.comment = comment
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a user starred or rated: a track, album or artist ID.
public struct Annotation: Sendable, Equatable, Codable {
    public enum ItemKind: String, Sendable, Codable { case track, album, artist }
    public var itemID: String
    public var kind: ItemKind
    public var starredAt: Date?
    public var rating: Int?
    public init(itemID: String, kind: ItemKind, starredAt: Date?, rating: Int?) {
        self.itemID = itemID
        self.kind = kind
        self.starredAt = starredAt
        self.rating = rating
    }
}

/// Playlists, play queues, bookmarks and stars, every call checked against the asking user.
/// Another user's private object answers as if it did not exist (`NotFoundOrForbidden`).
public protocol LibraryStateStore: Sendable {
    func createPlaylist(_ playlist: Playlist) async throws
    /// Records that `playlist` came from a file of `bytes` the listener uploaded (their storage).
    func setUploadBytes(_ bytes: Int, of playlist: PlaylistID) async throws
    /// The bytes of the playlist files `owner` uploaded and still keeps.
    func uploadBytes(of owner: UserID) async throws -> Int
    /// The tracks a smart playlist's rules pick for `owner` within `libraries` (nil: all), in order.
    func smartTracks(_ definition: SmartDefinition, owner: UserID, libraries: [LibraryID]?) async throws -> [TrackID]
    /// The playlist when `viewer` owns it or it is public.
    func playlist(_ id: PlaylistID, viewer: UserID) async throws -> Playlist
    /// The viewer's playlists and others' public ones.
    func playlists(visibleTo viewer: UserID) async throws -> [Playlist]
    /// The same playlists without their tracks, by name: what a search matches names against.
    func playlistSummaries(visibleTo viewer: UserID) async throws -> [PlaylistSummary]
    /// Saves name, comment, visibility and tracks; only the owner may.
    func updatePlaylist(_ playlist: Playlist, by user: UserID) async throws
    func deletePlaylist(_ id: PlaylistID, by user: UserID) async throws
    func playQueue(of user: UserID) async throws -> PlayQueue?
    func savePlayQueue(_ queue: PlayQueue?, of user: UserID) async throws
    func bookmarks(of user: UserID) async throws -> [Bookmark]
    func saveBookmark(_ bookmark: Bookmark, of user: UserID) async throws
    func deleteBookmark(track: TrackID, of user: UserID) async throws -> Bool
    func annotations(of user: UserID) async throws -> [Annotation]
    /// The user's annotations of just these items, by item ID.
    func annotations(of user: UserID, items: [String]) async throws -> [String: Annotation]
    /// How many times the user played each of these tracks (never played ones are left out).
    func playCounts(of user: UserID, tracks: [String]) async throws -> [String: Int]
    func setStarred(_ starred: Bool, item: String, kind: Annotation.ItemKind, user: UserID, at date: Date) async throws
    /// The same for several items of one kind, in one transaction.
    func setStarred(_ starred: Bool, items: [String], kind: Annotation.ItemKind, user: UserID, at date: Date)
        async throws
    func setRating(_ rating: Int?, item: String, kind: Annotation.ItemKind, user: UserID) async throws
    /// The tracks the user gave a thumbs down.
    func dislikes(of user: UserID) async throws -> Set<TrackID>
    /// A thumbs down (or its removal) for a track.
    func setDisliked(_ disliked: Bool, track: TrackID, user: UserID, at date: Date) async throws
}

/// The audit log of security events.
public protocol AuditStore: Sendable {
    func record(_ kind: AuditEvent.Kind, actor: UserID?, subject: String?, address: String?, at date: Date) async throws
    /// Newest first.
    func auditEvents(offset: Int, limit: Int) async throws -> [AuditEvent]
}

/// Small server-wide values (the one-time setup token's hash, for example).
public protocol SettingsStore: Sendable {
    func setting(_ key: String) async throws -> String?
    func setSetting(_ key: String, to value: String?) async throws
    /// Saves the setting and publishes `event` in the same transaction: both or neither.
    func setSetting(_ key: String, to value: String?, publishing event: DomainEvent, at date: Date) async throws
    /// Deletes the setting when it holds `value`, atomically; true when it did. A one-time value
    /// (the setup token) is consumed this way, so two requests can never both use it.
    func consumeSetting(_ key: String, ifEquals value: String) async throws -> Bool
}

/// A change that would leave the server without an admin (deleting or demoting the last one),
/// refused in the same transaction as the change.
public struct LastAdminRefused: Error, Sendable, Equatable, DomainFailure {
    public init() {}
    public var domainError: DomainError {
        DomainError(.conflict, "The server must keep at least one admin.", code: "last_admin")
    }
}
