import CantoCore
import CantoDomain
import CantoRecommend
import Foundation
import Logging
import ServiceLifecycle

/// The playlists Canto makes for each listener, kept as their own playlists so Subsonic apps
/// see them: daily mixes (each around one of their tastes: the genre, else the artist, of a group
/// of their favourites, with what goes with them) and "Rediscover" (favourites not played for a
/// long while). Refreshed once a day, or when the listener asks.
struct MixService: Sendable {
    let recommendations: RecommendationService
    let catalogs: CatalogService
    let accounts: AccountService
    let state: any LibraryStateStore
    let settings: any SettingsStore
    let clock: any WallClock
    let configuration: RecommendationSettings
    let logger: Logger

    /// How often a listener's mixes are made again.
    static let refreshInterval: TimeInterval = 86_400

    /// The playlist IDs of a listener's mixes: stable, so an app that keeps a playlist's ID finds
    /// tomorrow's mix under it.
    static func dailyMixID(_ user: UserID, _ number: Int) -> PlaylistID { PlaylistID("mix-\(user.rawValue)-\(number)") }
    static func rediscoverID(_ user: UserID) -> PlaylistID { PlaylistID("mix-\(user.rawValue)-rediscover") }

    /// Whether a playlist is one of the made-for-you ones.
    static func isMix(_ id: PlaylistID) -> Bool { id.rawValue.hasPrefix("mix-") }

    private static func refreshedKey(_ user: UserID) -> String { "mixes.refreshed.\(user.rawValue)" }

    /// When the listener's mixes were last made, if ever.
    func refreshedAt(_ user: UserID) async throws -> Date? {
        guard let text = try await settings.setting(Self.refreshedKey(user)), let seconds = Double(text) else {
            return nil
        }
        return Date(timeIntervalSince1970: seconds)
    }

    /// The listener's mixes as they are now (daily mixes in order, then Rediscover).
    func mixes(of user: User) async throws -> [Playlist] {
        var found: [Playlist] = []
        for id in (1...max(1, configuration.dailyMixes)).map({ Self.dailyMixID(user.id, $0) }) + [
            Self.rediscoverID(user.id)
        ] {
            if let playlist = try? await state.playlist(id, viewer: user.id) { found.append(playlist) }
        }
        return found
    }

    /// Makes every listener's mixes whose last are a day old (or who never had any).
    func refreshDue() async {
        guard let users = try? await accounts.allUsers() else { return }
        let now = clock.now
        for user in users {
            do {
                if let last = try await refreshedAt(user.id), now.timeIntervalSince(last) < Self.refreshInterval,
                    last <= now
                {
                    continue
                }
                try await refresh(user)
            } catch {
                logger.warning(
                    "daily mixes not made", metadata: ["user": "\(user.id.rawValue)", "error": "\(error)"])
            }
        }
    }

    /// Makes the listener's mixes now; returns them.
    @discardableResult
    func refresh(_ user: User) async throws -> [Playlist] {
        let view = catalogs.view(for: user)
        let now = clock.now
        let listener = try await recommendations.listener(user.id)
        var made: [(id: PlaylistID, name: String, comment: String, tracks: [TrackID])] = []
        for (number, mix) in try await dailyMixes(view, listener).enumerated() {
            made.append(
                (
                    Self.dailyMixID(user.id, number + 1), "Daily Mix \(number + 1) · \(mix.label)",
                    "Made for you: \(mix.label) you play, and what goes with it. Refreshed daily.", mix.tracks
                ))
        }
        let rediscover = try await rediscover(view, listener, now: now)
        if !rediscover.isEmpty {
            made.append(
                (
                    Self.rediscoverID(user.id), "Rediscover",
                    "Made for you: favourites you have not played for \(configuration.rediscoverAfterDays) days.",
                    rediscover
                ))
        }
        let keep = Set(made.map(\.id))
        for stale in (1...10).map({ Self.dailyMixID(user.id, $0) }) + [Self.rediscoverID(user.id)]
        where !keep.contains(stale) {
            if (try? await state.playlist(stale, viewer: user.id)) != nil {
                try await state.deletePlaylist(stale, by: user.id)
            }
        }
        var playlists: [Playlist] = []
        for mix in made {
            if var existing = try? await state.playlist(mix.id, viewer: user.id) {
                existing.name = mix.name
                existing.comment = mix.comment
                existing.trackIDs = mix.tracks
                existing.updatedAt = now
                try await state.updatePlaylist(existing, by: user.id)
                playlists.append(existing)
            } else {
                let playlist = Playlist(
                    id: mix.id, ownerID: user.id, name: mix.name, comment: mix.comment, trackIDs: mix.tracks,
                    createdAt: now, updatedAt: now)
                try await state.createPlaylist(playlist)
                playlists.append(playlist)
            }
        }
        try await settings.setSetting(Self.refreshedKey(user.id), to: String(now.timeIntervalSince1970))
        return playlists
    }

    /// Up to `dailyMixes` mixes: the listener's favourites they can still see, grouped by their
    /// first genre (else their artist), the groups they play most first; each mix is a few of
    /// the group's favourites spread among what the recommenders say goes with them.
    private func dailyMixes(_ view: CatalogView, _ listener: Blend.Listener) async throws
        -> [(label: String, tracks: [TrackID])]
    {
        guard configuration.dailyMixes > 0 else { return [] }
        let favourites = Self.ranked(listener.taste.map { (track: $0.key, weight: $0.value) }).prefix(120)
        let tracks = try await view.tracks(Array(favourites))
        let details = try await view.details(of: tracks)
        var groups: [String: (label: String, weight: Double, tracks: [Track])] = [:]
        for track in tracks {
            let label = details[track.id]?.genres.first ?? track.albumArtistName
            guard !label.isEmpty else { continue }
            let key = label.lowercased()
            let weight = listener.taste[track.id] ?? 0
            groups[key, default: (label, 0, [])].weight += weight
            groups[key]?.tracks.append(track)
        }
        let chosen = groups.values.filter { $0.tracks.count >= 2 }
            .sorted { $0.weight > $1.weight || ($0.weight == $1.weight && $0.label < $1.label) }
            .prefix(configuration.dailyMixes)
        var mixes: [(label: String, tracks: [TrackID])] = []
        for group in chosen {
            let ranked = Self.ranked(group.tracks.map { (track: $0.id, weight: listener.taste[$0.id] ?? 0) })
            let own = Array(ranked.prefix(max(1, configuration.mixTracks / 3)))
            let picks = try await recommendations.similar(
                to: Array(own.prefix(5)), in: view, limit: configuration.mixTracks - own.count, perArtist: 3,
                excluding: Set(own), surface: "mix"
            ).map(\.track.id)
            // One favourite, then two new ones, and so on.
            var mix: [TrackID] = []
            var ownIterator = own.makeIterator()
            var pickIterator = picks.makeIterator()
            while mix.count < configuration.mixTracks {
                var added = false
                if let next = ownIterator.next() {
                    mix.append(next)
                    added = true
                }
                for _ in 0..<2 {
                    if let next = pickIterator.next(), !mix.contains(next) {
                        mix.append(next)
                        added = true
                    }
                }
                if !added { break }
            }
            mixes.append((group.label, Array(mix.prefix(configuration.mixTracks))))
        }
        return mixes
    }

    /// The tracks by weight, heaviest first (ties by ID, so a mix is the same for the same history).
    static func ranked(_ weighted: [(track: TrackID, weight: Double)]) -> [TrackID] {
        weighted.sorted { left, right in
            left.weight != right.weight ? left.weight > right.weight : left.track.rawValue < right.track.rawValue
        }.map { $0.track }
    }

    /// Favourites not played for `rediscoverAfterDays`: tracks the listener played at least three
    /// times or starred, whose last play is older than that, most played first.
    private func rediscover(_ view: CatalogView, _ listener: Blend.Listener, now: Date) async throws -> [TrackID] {
        let cutoff = now.addingTimeInterval(-Double(configuration.rediscoverAfterDays) * 86_400)
        let summaries = try await recommendations.history.trackSummaries(of: view.user.id)
        let byTrack = Dictionary(summaries.map { ($0.track, $0) }, uniquingKeysWith: { first, _ in first })
        var candidates: [(track: TrackID, weight: Double)] = []
        for summary in summaries where summary.plays >= 3 && summary.lastPlayed < cutoff {
            candidates.append((summary.track, Double(summary.plays)))
        }
        for annotation in try await state.annotations(of: view.user.id)
        where annotation.kind == .track && annotation.starredAt != nil {
            let track = TrackID(annotation.itemID)
            let summary = byTrack[track]
            // Starred long ago and not played since (those played three times are in already).
            let due = summary.map { $0.lastPlayed < cutoff && $0.plays < 3 } ?? (annotation.starredAt ?? now < cutoff)
            guard due else { continue }
            candidates.append((track, Double(summary?.plays ?? 0) + 3))
        }
        let ordered = Self.ranked(candidates.filter { listener.admits($0.track) })
        let visible = Set(try await view.tracks(ordered).map(\.id))
        return Array(ordered.filter(visible.contains).prefix(configuration.mixTracks))
    }
}

/// Makes the listeners' mixes that are a day old, checking every ten minutes, until shutdown.
struct MixRefreshService: Service {
    let mixes: MixService

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await mixes.refreshDue()
                try? await Task.sleep(for: .seconds(600))
            }
        }
    }
}
