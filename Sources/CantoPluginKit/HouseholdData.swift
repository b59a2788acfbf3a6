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
}

/// A plugin told of everything the household does (plays, stars and ratings, playlists, scans,
/// users), from the event outbox: every committed event after the plugin was enabled, in order,
/// at least once. Declare ``PluginPermissions/events``. Throwing has the event come again later
/// (with backoff); every call has a deadline.
public protocol EventsPlugin: CantoPlugin {
    func handle(_ event: StoredEvent) async throws
}
