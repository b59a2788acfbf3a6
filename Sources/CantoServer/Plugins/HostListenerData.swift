import CantoCore
import CantoPluginKit
import Foundation

/// `ListenerData` as the host gives it: each call refused unless the plugin declares
/// `listenerData`; plays from the history, stars and ratings and owned playlists from the state.
struct HostListenerData: ListenerData {
    let pluginID: String
    let allowed: Bool
    let history: any HistoryStore
    let state: any LibraryStateStore
    let users: any UserStore

    private func check() throws {
        guard allowed else { throw PluginPermissionDenied(pluginID: pluginID, permission: "listeners' data") }
    }

    func plays(of user: UserID, since: Date?, limit: Int) async throws -> [Play] {
        try check()
        return try await history.plays(of: user, from: since, to: nil, offset: 0, limit: min(max(limit, 0), 10_000))
    }

    func annotations(of user: UserID) async throws -> [Annotation] {
        try check()
        return try await state.annotations(of: user)
    }

    func sharesListening(_ user: UserID) async throws -> Bool {
        try await users.preferences(of: user).listeningVisible
    }

    func playlists(of user: UserID) async throws -> [Playlist] {
        try check()
        return try await state.playlists(visibleTo: user).filter { $0.ownerID == user }
    }
}
