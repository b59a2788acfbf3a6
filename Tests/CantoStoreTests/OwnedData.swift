import CantoCore
import CantoStore
import Foundation

/// One user with one of everything a user can own, for the cascade and isolation tests.
struct OwnedData: Equatable {
    var user: User?
    var passwordHash: String?
    var sealedAppPassword: Data?
    var preferences: UserPreferences
    var avatar: Picture?
    var sessions: [Session]
    var apiKeys: [APIKey]
    var plays: [Play]
    var playlists: [Playlist]
    var queue: PlayQueue?
    var bookmarks: [Bookmark]
    var annotations: [Annotation]

    /// What `user` owns, read through the stores as that user.
    init(of user: UserID, in store: TestAccounts) async throws {
        self.user = try await store.accounts.user(user)
        passwordHash = try await store.accounts.passwordHash(of: user)
        sealedAppPassword = try await store.accounts.sealedAppPassword(of: user)
        preferences = try await store.accounts.preferences(of: user)
        avatar = try await store.accounts.avatar(of: user)
        sessions = try await store.accounts.sessions(of: user)
        apiKeys = try await store.accounts.apiKeys(of: user)
        plays = try await store.history.plays(of: user, from: nil, to: nil, offset: 0, limit: 1000)
        playlists = try await store.state.playlists(visibleTo: user).filter { $0.ownerID == user }
        queue = try await store.state.playQueue(of: user)
        bookmarks = try await store.state.bookmarks(of: user)
        annotations = try await store.state.annotations(of: user)
    }

    /// Nothing at all: what is left of a deleted user.
    var isEmpty: Bool {
        user == nil && passwordHash == nil && sealedAppPassword == nil && preferences == UserPreferences()
            && avatar == nil && sessions.isEmpty && apiKeys.isEmpty && plays.isEmpty && playlists.isEmpty
            && queue == nil && bookmarks.isEmpty && annotations.isEmpty
    }
}

/// The IDs of what `OwnedData.give` created.
struct Belongings {
    var privatePlaylist: PlaylistID
    var publicPlaylist: PlaylistID
    var session: SessionID
    var sessionTokenHash: String
    var apiKey: APIKeyID
    var apiKeyHash: String
    var play: Play
    var bookmarkedTrack: TrackID
    var starredItem: String
    var ratedItem: String
}

extension OwnedData {
    /// Gives `user` one of everything; names derive from the username so two users never share one.
    static func give(_ user: User, in store: TestAccounts) async throws -> Belongings {
        let name = user.username
        try await store.accounts.setPreferences(
            UserPreferences(streamFormat: "opus", maxBitrate: 96, theme: "dark", language: "fr"), of: user.id)
        try await store.accounts.setAvatar(
            Picture(data: Data("avatar-\(name)".utf8), mimeType: "image/png"), of: user.id)
        let session = Session(
            id: SessionID("s-\(name)"), userID: user.id, createdAt: TestAccounts.date(1),
            expiresAt: TestAccounts.date(10_000), lastUsedAt: TestAccounts.date(2), client: "web", address: "::1")
        try await store.accounts.createSession(session, tokenHash: "token-\(name)")
        let key = APIKey(
            id: APIKeyID("k-\(name)"), userID: user.id, name: "phone", createdAt: TestAccounts.date(3), lastUsedAt: nil)
        try await store.accounts.createAPIKey(key, keyHash: "key-\(name)")
        let play = try await store.history.recordPlay(
            user: user.id, track: TrackID("t-\(name)"), startedAt: TestAccounts.date(4), secondsPlayed: 200,
            client: "web", scrobble: true)
        let privatePlaylist = Playlist(
            id: PlaylistID("p-private-\(name)"), ownerID: user.id, name: "Private \(name)", comment: "secret",
            isPublic: false, trackIDs: [TrackID("t1"), TrackID("t2"), TrackID("t1")], createdAt: TestAccounts.date(5),
            updatedAt: TestAccounts.date(5))
        let publicPlaylist = Playlist(
            id: PlaylistID("p-public-\(name)"), ownerID: user.id, name: "Public \(name)", comment: nil, isPublic: true,
            trackIDs: [TrackID("t3")], createdAt: TestAccounts.date(6), updatedAt: TestAccounts.date(6))
        try await store.state.createPlaylist(privatePlaylist)
        try await store.state.createPlaylist(publicPlaylist)
        try await store.state.savePlayQueue(
            PlayQueue(
                trackIDs: [TrackID("t1"), TrackID("t2")], currentIndex: 1, positionMs: 1234,
                changedAt: TestAccounts.date(7), changedBy: "web"), of: user.id)
        let bookmarked = TrackID("t-book")
        try await store.state.saveBookmark(
            Bookmark(
                trackID: bookmarked, positionMs: 9_000, comment: "\(name)'s place", createdAt: TestAccounts.date(8),
                updatedAt: TestAccounts.date(8)), of: user.id)
        try await store.state.setStarred(true, item: "al-star", kind: .album, user: user.id, at: TestAccounts.date(9))
        try await store.state.setRating(3, item: "t-rated", kind: .track, user: user.id)
        return Belongings(
            privatePlaylist: privatePlaylist.id, publicPlaylist: publicPlaylist.id, session: session.id,
            sessionTokenHash: "token-\(name)", apiKey: key.id, apiKeyHash: "key-\(name)", play: play,
            bookmarkedTrack: bookmarked, starredItem: "al-star", ratedItem: "t-rated")
    }
}
