import CantoCore
import CantoPluginKit
import Crypto
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
        // Only tracks the listener may see (their libraries), decided here as everywhere.
        let visible = Set(try await visibleTracks(Array(Set(plays.map(\.track))), to: user))
        // A play the history cannot hold (before 1970, past 9999) is refused, not a failed import.
        let kept = plays.filter {
            visible.contains($0.track) && (try? StoredTime.checked($0.startedAt, field: "startedAt")) != nil
        }
        var outcome = ImportOutcome(refused: plays.count - kept.count)
        var offset = 0
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

    func visibleTracks(_ tracks: [TrackID], to user: UserID) async throws -> [TrackID] {
        guard let owner = try await users.user(user) else { return [] }
        var visible: Set<TrackID> = []
        let wanted = Array(Set(tracks))
        var offset = 0
        while offset < wanted.count {
            let chunk = Array(wanted[offset..<min(wanted.count, offset + 500)])
            for track in try await catalog.tracks(chunk)
            where owner.libraryIDs.map({ $0.contains(track.libraryID) }) ?? true {
                visible.insert(track.id)
            }
            offset += 500
        }
        return tracks.filter { visible.contains($0) }
    }

    func keepPlaylist(key: String, name: String, comment: String?, tracks: [TrackID], for user: UserID)
        async throws -> PlaylistID
    {
        guard mayImport else {
            throw PluginPermissionDenied(pluginID: pluginID, permission: "importing listening history")
        }
        // One ID per plugin, listener and key: a plugin can reach only the playlists it made.
        let digest = SHA256.hash(data: Data("\(pluginID)\u{0}\(user.rawValue)\u{0}\(key)".utf8))
        let id = PlaylistID("\(pluginID)-" + digest.prefix(12).map { String(format: "%02x", $0) }.joined())
        let name = String(name.prefix(200)).trimmingCharacters(in: .whitespacesAndNewlines)
        let kept = try await visibleTracks(Array(tracks.prefix(10_000)), to: user)
        let now = Date()
        if var playlist = try? await state.playlist(id, viewer: user), playlist.ownerID == user {
            guard playlist.name != name || playlist.comment != comment || playlist.trackIDs != kept else { return id }
            playlist.name = name.isEmpty ? playlist.name : name
            playlist.comment = comment
            playlist.trackIDs = kept
            playlist.updatedAt = now
            try await state.updatePlaylist(playlist, by: user)
        } else {
            try await state.createPlaylist(
                Playlist(
                    id: id, ownerID: user, name: name.isEmpty ? key : name, comment: comment, trackIDs: kept,
                    createdAt: now, updatedAt: now))
        }
        return id
    }

    func star(_ tracks: [TrackID], for user: UserID, at date: Date) async throws -> Int {
        guard mayImport else {
            throw PluginPermissionDenied(pluginID: pluginID, permission: "importing listening history")
        }
        let kept = try await visibleTracks(tracks, to: user)
        let known = try await state.annotations(of: user, items: kept.map(\.rawValue))
        var fresh: [String] = []
        var seen: Set<TrackID> = []
        for track in kept where known[track.rawValue]?.starredAt == nil && seen.insert(track).inserted {
            fresh.append(track.rawValue)
        }
        if !fresh.isEmpty { try await state.setStarred(true, items: fresh, kind: .track, user: user, at: date) }
        return fresh.count
    }

    func playlists(of user: UserID) async throws -> [Playlist] {
        try check()
        return try await state.playlists(visibleTo: user).filter { $0.ownerID == user }
    }
}
