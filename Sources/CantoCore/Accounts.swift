public import Foundation

public enum UserKind {}
public enum SessionKind {}
public enum APIKeyKind {}
public enum PlaylistKind {}
public typealias UserID = Identifier<UserKind>
public typealias SessionID = Identifier<SessionKind>
public typealias APIKeyID = Identifier<APIKeyKind>
public typealias PlaylistID = Identifier<PlaylistKind>

/// What a user may do beyond their own things.
public enum Role: String, Sendable, Codable, CaseIterable {
    case admin
    case user
}

/// A household member's account. The password is held only as a bcrypt hash, the Subsonic app
/// password only sealed with AES-GCM; neither is part of this value.
public struct User: Sendable, Equatable, Codable {
    public var id: UserID
    public var username: String
    public var displayName: String
    public var email: String?
    public var role: Role
    /// The highest streaming bitrate (kbit/s) the admin allows; nil for no cap.
    public var maxBitrate: Int?
    /// The libraries the user may see; nil for all.
    public var libraryIDs: [LibraryID]?
    public var canDownload: Bool
    public var canShare: Bool
    public var createdAt: Date
    public var lastSeenAt: Date?

    public init(
        id: UserID, username: String, displayName: String, email: String? = nil, role: Role, maxBitrate: Int? = nil,
        libraryIDs: [LibraryID]? = nil, canDownload: Bool = true, canShare: Bool = true, createdAt: Date = Date(),
        lastSeenAt: Date? = nil
    ) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.email = email
        self.role = role
        self.maxBitrate = maxBitrate
        self.libraryIDs = libraryIDs
        self.canDownload = canDownload
        self.canShare = canShare
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
    }

    public var isAdmin: Bool { role == .admin }
}

extension User {
    /// A display name as it may be stored: 1 to 100 characters, not only spaces; the one rule for the
    /// user's own profile and an admin's edit alike.
    public static func checkedDisplayName(_ name: String) throws -> String {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 100 else {
            throw DomainError.invalid("displayName", "must be 1 to 100 characters")
        }
        return name
    }

    /// Whether the user may see what lies in `library` (every library when not limited).
    public func canSee(_ library: LibraryID) -> Bool { libraryIDs?.contains(library) ?? true }
}

/// A user's own settings.
public struct UserPreferences: Sendable, Equatable, Codable {
    /// "raw" for the original file, else a transcoding format ("mp3", "opus", "aac").
    public var streamFormat: String
    /// The user's own bitrate cap (kbit/s); 0 for none. The admin's cap still applies.
    public var maxBitrate: Int
    public var theme: String
    public var language: String
    public var scrobbling: Bool
    /// Whether others in the household see what this user listens to.
    public var listeningVisible: Bool
    /// An IANA time zone ("Europe/Oslo"): where the listener's days and hours begin in their statistics.
    public var timeZone: String

    public init(
        streamFormat: String = "raw", maxBitrate: Int = 0, theme: String = "auto", language: String = "en",
        scrobbling: Bool = true, listeningVisible: Bool = true, timeZone: String = "UTC"
    ) {
        self.timeZone = timeZone
        self.streamFormat = streamFormat
        self.maxBitrate = maxBitrate
        self.theme = theme
        self.language = language
        self.scrobbling = scrobbling
        self.listeningVisible = listeningVisible
    }
}

/// A signed-in browser or client. The token itself is never stored, only its SHA-256.
public struct Session: Sendable, Equatable, Codable {
    public var id: SessionID
    public var userID: UserID
    public var createdAt: Date
    public var expiresAt: Date
    public var lastUsedAt: Date
    public var client: String?
    public var address: String?
    public init(
        id: SessionID, userID: UserID, createdAt: Date, expiresAt: Date, lastUsedAt: Date, client: String?,
        address: String?
    ) {
        self.id = id
        self.userID = userID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.client = client
        self.address = address
    }
}

/// A named OpenSubsonic API key; stored only as a hash.
public struct APIKey: Sendable, Equatable, Codable {
    public var id: APIKeyID
    public var userID: UserID
    public var name: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public init(id: APIKeyID, userID: UserID, name: String, createdAt: Date, lastUsedAt: Date?) {
        self.id = id
        self.userID = userID
        self.name = name
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}

/// One play of a track by a user.
public struct Play: Sendable, Equatable, Codable {
    public var id: Int64
    public var userID: UserID
    public var trackID: TrackID
    public var startedAt: Date
    public var secondsPlayed: Int
    public var client: String?
    /// Played at least half the track or at least four minutes.
    public var scrobble: Bool
    public init(
        id: Int64, userID: UserID, trackID: TrackID, startedAt: Date, secondsPlayed: Int, client: String?,
        scrobble: Bool
    ) {
        self.id = id
        self.userID = userID
        self.trackID = trackID
        self.startedAt = startedAt
        self.secondsPlayed = secondsPlayed
        self.client = client
        self.scrobble = scrobble
    }

    /// The usual scrobble rule: at least half the track, or at least four minutes.
    public static func countsAsScrobble(secondsPlayed: Int, trackSeconds: Int) -> Bool {
        secondsPlayed >= 240 || (trackSeconds > 0 && secondsPlayed * 2 >= trackSeconds)
    }
}

/// A security event for the audit log.
public struct AuditEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case loginSucceeded = "login.succeeded"
        case loginFailed = "login.failed"
        case userCreated = "user.created"
        case userDeleted = "user.deleted"
        case roleChanged = "user.role_changed"
        case passwordChanged = "user.password_changed"
        case keyCreated = "key.created"
        case keyRevoked = "key.revoked"
        case appPasswordRegenerated = "app_password.regenerated"
        case sessionRevoked = "session.revoked"
        case libraryAdded = "library.added"
        case libraryRemoved = "library.removed"
        case planChanged = "plan.changed"
    }
    public var id: Int64
    public var at: Date
    public var kind: Kind
    /// Who did it (nil for an anonymous login attempt).
    public var actorID: UserID?
    /// Whom it concerns.
    public var subject: String?
    public var address: String?
    public init(id: Int64, at: Date, kind: Kind, actorID: UserID?, subject: String?, address: String?) {
        self.id = id
        self.at = at
        self.kind = kind
        self.actorID = actorID
        self.subject = subject
        self.address = address
    }
}

/// A user-owned thing was asked for by someone else, or does not exist: both answer the same,
/// so nobody learns what others own.
public struct NotFoundOrForbidden: Error, Sendable, Equatable {
    public init() {}
}
