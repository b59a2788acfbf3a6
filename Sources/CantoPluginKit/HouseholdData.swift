public import CantoCore
public import Foundation

/// A listener's own data, for plugins that declare ``PluginPermissions/listenerData``
/// (recommenders, sync): their plays, their stars and ratings, the playlists they own. Without
/// the permission every call throws ``PluginPermissionDenied``.
public protocol ListenerData: Sendable {
    /// The listener's plays, newest first, since `since` (all when nil), at most `limit`.
    func plays(of user: UserID, since: Date?, limit: Int) async throws -> [Play]
    /// What the listener starred or rated.
    func annotations(of user: UserID) async throws -> [Annotation]
    /// The playlists the listener owns.
    func playlists(of user: UserID) async throws -> [Playlist]
    /// Whether the listener lets the household see their listening (their "listening visible"
    /// preference). A plugin that pools listeners' plays (co-listening) leaves out those who do not.
    /// Needs no permission: it is what every pooling plugin must ask.
    func sharesListening(_ user: UserID) async throws -> Bool
    /// Of `tracks`, those the listener may see (their libraries), in order. A plugin that shows a
    /// listener local tracks, or takes one from them, asks this first. Needs no permission.
    func visibleTracks(_ tracks: [TrackID], to user: UserID) async throws -> [TrackID]
    /// Adds plays from elsewhere (another service's export) to the listener's history, for
    /// plugins that declare ``PluginPermissions/importsListening``: each kept once (a play of the
    /// same track at the same instant is not added again, so an import can be repeated), only of
    /// tracks the listener may see, rolled up into their statistics and taste, never sent on to
    /// scrobblers.
    func importPlays(_ plays: [ImportedPlay], for user: UserID) async throws -> ImportOutcome
    /// Keeps a playlist the listener has at another service as their own Canto playlist (Subsonic
    /// apps see it), for plugins that declare ``PluginPermissions/importsListening``: `key` names
    /// it at the service; the same key again replaces its name and tracks (a sync). Only tracks
    /// the listener may see are kept. Returns the playlist's ID.
    @discardableResult
    func keepPlaylist(key: String, name: String, comment: String?, tracks: [TrackID], for user: UserID)
        async throws -> PlaylistID
    /// Stars tracks the listener liked at another service (those they may see and have not
    /// starred yet), for plugins that declare ``PluginPermissions/importsListening``; returns how
    /// many were starred now.
    @discardableResult
    func star(_ tracks: [TrackID], for user: UserID, at date: Date) async throws -> Int
}

/// A play from another service's history.
public struct ImportedPlay: Sendable, Equatable {
    public var track: TrackID
    public var startedAt: Date
    public var secondsPlayed: Int
    /// Whether it counts as a listen (else a skip).
    public var counted: Bool
    /// Where it came from, shown in the history ("Spotify").
    public var client: String

    public init(track: TrackID, startedAt: Date, secondsPlayed: Int, counted: Bool, client: String) {
        self.track = track
        self.startedAt = startedAt
        self.secondsPlayed = secondsPlayed
        self.counted = counted
        self.client = client
    }
}

/// What an import added.
public struct ImportOutcome: Sendable, Equatable, Codable {
    public var imported: Int
    /// Plays already in the history (an earlier import of the same file).
    public var duplicates: Int
    /// Plays of tracks the listener may not see (or that are gone), left out.
    public var refused: Int

    public init(imported: Int = 0, duplicates: Int = 0, refused: Int = 0) {
        self.imported = imported
        self.duplicates = duplicates
        self.refused = refused
    }
}

/// A plugin told of everything the household does (plays, stars and ratings, playlists, scans,
/// users), from the event outbox: every committed event after the plugin was enabled, in order,
/// at least once. Declare ``PluginPermissions/events``. Throwing has the event come again later
/// (with backoff); every call has a deadline.
public protocol EventsPlugin: CantoPlugin {
    func handle(_ event: StoredEvent) async throws
    /// The most events handed to ``handle(events:)`` at once (a backlog, or plays arriving
    /// together); 1 (the default) hands them one by one to ``handle(_:)``.
    var eventBatchLimit: Int { get }
    /// Handles events in order, all or none: throwing has the whole batch come again, so write
    /// its effects in one transaction. The default calls ``handle(_:)`` for each.
    func handle(events: [StoredEvent]) async throws
}

extension EventsPlugin {
    public var eventBatchLimit: Int { 1 }

    public func handle(events: [StoredEvent]) async throws {
        for event in events { try await handle(event) }
    }
}
