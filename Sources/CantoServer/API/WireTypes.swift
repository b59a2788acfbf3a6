import CantoCore
import Foundation
import Hummingbird

/// The native API's JSON shapes, separate from domain and database types.
enum Wire {
    struct User: ResponseEncodable, Equatable {
        var id: String
        var username: String
        var displayName: String
        var email: String?
        var role: String
        var maxBitrate: Int?
        var libraryIds: [String]?
        var canDownload: Bool
        var canShare: Bool
        var createdAt: Date
        var lastSeenAt: Date?

        init(_ user: CantoCore.User) {
            id = user.id.rawValue
            username = user.username
            displayName = user.displayName
            email = user.email
            role = user.role.rawValue
            maxBitrate = user.maxBitrate
            libraryIds = user.libraryIDs?.map(\.rawValue)
            canDownload = user.canDownload
            canShare = user.canShare
            createdAt = user.createdAt
            lastSeenAt = user.lastSeenAt
        }
    }

    struct Login: Decodable {
        var username: String
        var password: String
    }

    struct LoginResult: ResponseEncodable {
        var user: User
        /// Also set as the HttpOnly session cookie; clients that cannot keep cookies send it as a bearer token.
        var token: String
        var expiresAt: Date
    }

    struct Setup: Decodable {
        var token: String
        var username: String
        var password: String
        var displayName: String?
    }

    struct SetupStatus: ResponseEncodable {
        var setupRequired: Bool
    }

    struct ProfileUpdate: Decodable {
        var displayName: String?
        var email: String?
    }

    struct PasswordChange: Decodable {
        var currentPassword: String?
        var newPassword: String
    }

    struct Preferences: Codable, ResponseEncodable {
        var streamFormat: String
        var maxBitrate: Int
        var theme: String
        var language: String
        var scrobbling: Bool
        var listeningVisible: Bool
        /// IANA time zone; absent in a request keeps the current one.
        var timeZone: String?

        init(_ p: UserPreferences) {
            timeZone = p.timeZone
            streamFormat = p.streamFormat
            maxBitrate = p.maxBitrate
            theme = p.theme
            language = p.language
            scrobbling = p.scrobbling
            listeningVisible = p.listeningVisible
        }

        var domain: UserPreferences {
            UserPreferences(
                streamFormat: streamFormat, maxBitrate: maxBitrate, theme: theme, language: language,
                scrobbling: scrobbling, listeningVisible: listeningVisible, timeZone: timeZone ?? "UTC")
        }
    }

    struct Session: ResponseEncodable {
        var id: String
        var createdAt: Date
        var expiresAt: Date
        var lastUsedAt: Date
        var client: String?
        var address: String?
        var current: Bool

        init(_ session: CantoCore.Session, current: SessionID?) {
            id = session.id.rawValue
            createdAt = session.createdAt
            expiresAt = session.expiresAt
            lastUsedAt = session.lastUsedAt
            client = session.client
            address = session.address
            self.current = session.id == current
        }
    }

    struct Secret: ResponseEncodable {
        /// Shown once; the server keeps only a hash (API keys) or a sealed copy (app passwords).
        var secret: String
    }

    struct APIKey: ResponseEncodable {
        var id: String
        var name: String
        var createdAt: Date
        var lastUsedAt: Date?
        /// Only in the answer that creates the key.
        var key: String?

        init(_ key: CantoCore.APIKey, secret: String? = nil) {
            id = key.id.rawValue
            name = key.name
            createdAt = key.createdAt
            lastUsedAt = key.lastUsedAt
            self.key = secret
        }
    }

    struct NewAPIKey: Decodable {
        var name: String
    }

    struct Play: ResponseEncodable {
        var id: Int64
        var trackId: String
        var startedAt: Date
        var secondsPlayed: Int
        var client: String?
        var scrobble: Bool
        var title: String?
        var artist: String?
        var album: String?
    }

    struct NewPlay: Decodable {
        var trackId: String
        var startedAt: Date?
        var secondsPlayed: Int
        var client: String?
    }

    /// Every list the native API answers with, paged or not: `items`, where they start
    /// (`offset`), how many were asked for (`limit`), whether another page follows (`more`), and
    /// the whole count (`total`) where it is known without a second query.
    struct Page<Item: Encodable & Sendable>: ResponseEncodable {
        var items: [Item]
        var offset: Int
        var limit: Int
        var more: Bool
        var total: Int?

        init(items: [Item], offset: Int, limit: Int, more: Bool, total: Int? = nil) {
            self.items = items
            self.offset = offset
            self.limit = limit
            self.more = more
            self.total = total
        }

        /// A list that is never paged (genres, sessions, keys): all of it, one page.
        init(all items: [Item]) {
            self.init(items: items, offset: 0, limit: items.count, more: false, total: items.count)
        }
    }

    struct Deleted: ResponseEncodable {
        var deleted: Int
    }

    struct NewUser: Decodable {
        var username: String
        var password: String
        var role: String?
        var displayName: String?
        var email: String?
    }

    struct UserUpdate: Decodable {
        var displayName: String?
        var email: String?
        var role: String?
        var maxBitrate: Int?
        var clearMaxBitrate: Bool?
        var libraryIds: [String]?
        var allLibraries: Bool?
        var canDownload: Bool?
        var canShare: Bool?
    }

    struct NewUserResult: ResponseEncodable {
        var user: User
        /// The Subsonic app password, shown once.
        var appPassword: String
    }

    struct AuditEvent: ResponseEncodable {
        var id: Int64
        var at: Date
        var kind: String
        var actorId: String?
        var subject: String?
        var address: String?
    }
}
