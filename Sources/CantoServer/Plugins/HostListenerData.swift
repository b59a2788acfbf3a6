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
    /// Whether the plugin declares `importsListening`.
    let mayImport: Bool
    let catalog: any CatalogReader

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

    func importPlays(_ plays: [ImportedPlay], for user: UserID) async throws -> ImportOutcome {
        guard mayImport else {
            throw PluginPermissionDenied(pluginID: pluginID, permission: "importing listening history")
        }
        guard let owner = try await users.user(user) else { return ImportOutcome(refused: plays.count) }
        // Only tracks the listener may see (their libraries), decided here as everywhere.
        var visible: Set<TrackID> = []
        let wanted = Array(Set(plays.map(\.track)))
        var offset = 0
        while offset < wanted.count {
            let chunk = Array(wanted[offset..<min(wanted.count, offset + 500)])
            for track in try await catalog.tracks(chunk)
            where owner.libraryIDs.map({ $0.contains(track.libraryID) }) ?? true {
                visible.insert(track.id)
            }
            offset += 500
        }
        // A play the history cannot hold (before 1970, past 9999) is refused, not a failed import.
        let kept = plays.filter {
            visible.contains($0.track) && (try? StoredTime.checked($0.startedAt, field: "startedAt")) != nil
        }
        var outcome = ImportOutcome(refused: plays.count - kept.count)
        offset = 0
        // A few thousand plays a transaction, so a long import does not hold the writer for long.
        while offset < kept.count {
            let batch = kept[offset..<min(kept.count, offset + 2_000)].map {
                ($0.track, $0.startedAt, $0.secondsPlayed, $0.counted, $0.client)
            }
            let result = try await history.importPlays(batch, of: user)
            outcome.imported += result.imported
            outcome.duplicates += result.duplicates
            offset += 2_000
        }
        return outcome
    }

    func playlists(of user: UserID) async throws -> [Playlist] {
        try check()
        return try await state.playlists(visibleTo: user).filter { $0.ownerID == user }
    }
}
