public import CantoCore
public import CantoPluginKit
import Foundation
public import Logging

/// Hands one listen-sink plugin what the household plays, from the event outbox: now playing
/// (best effort) and plays that count (kept until delivered: a failure leaves the event for a
/// retry with backoff, or after the service's `Retry-After`). Only listeners who linked an
/// account and left scrobbling on are sent; a service that refuses an account marks it
/// "reconnect" and the listener's listens stop there. Every call has a deadline.
public struct ListenDelivery: EventSubscriber {
    public let pluginID: String
    /// The plugin now (an admin may reconfigure, enable or disable it at run time).
    let resolve: @Sendable () -> (any ListenSinkPlugin)?
    /// Whether the plugin is running now (it may have failed to start).
    let isRunning: @Sendable () async -> Bool
    let catalog: any CatalogReader
    let users: any UserStore
    let accounts: LinkedAccountService
    let health: PluginHealth
    let deadline: Duration
    let logger: Logger

    public init(
        pluginID: String, resolve: @escaping @Sendable () -> (any ListenSinkPlugin)?,
        isRunning: @escaping @Sendable () async -> Bool, catalog: any CatalogReader,
        users: any UserStore, accounts: LinkedAccountService, health: PluginHealth, deadline: Duration, logger: Logger
    ) {
        self.pluginID = pluginID
        self.resolve = resolve
        self.isRunning = isRunning
        self.catalog = catalog
        self.users = users
        self.accounts = accounts
        self.health = health
        self.deadline = deadline
        self.logger = logger
    }

    /// The cursor's name for a plugin's listens.
    public static func subscriberID(_ pluginID: String) -> String { "plugin.\(pluginID).listens" }

    public var id: String { Self.subscriberID(pluginID) }
    /// A plugin enabled today does not get the household's whole past.
    public var startsFromNow: Bool { true }
    /// A backlog (after an outage) goes out in batches: a listener's consecutive plays in one call.
    public var batchLimit: Int { 500 }
    /// Now playing older than this is not worth sending (a backlog's starts).
    static let staleNowPlaying: TimeInterval = 600

    public func handle(batch events: [StoredEvent]) async -> BatchOutcome {
        var through: Int64?
        var index = 0
        while index < events.count {
            // A run of one listener's plays, in order, goes out in one call.
            var run = [events[index]]
            if case .trackPlayed(let user, _, _, _, _, _, _) = events[index].event {
                while index + run.count < events.count,
                    case .trackPlayed(let next, _, _, _, _, _, _) = events[index + run.count].event, next == user
                {
                    run.append(events[index + run.count])
                }
            }
            do {
                if run.count == 1 { try await handle(run[0]) } else { try await submit(run) }
            } catch {
                return BatchOutcome(finishedThrough: through, error: error)
            }
            through = run[run.count - 1].id
            index += run.count
        }
        return BatchOutcome(finishedThrough: through, error: nil)
    }

    public func handle(_ stored: StoredEvent) async throws {
        switch stored.event {
        case .trackStarted(let user, let track, let client):
            guard Date().timeIntervalSince(stored.at) < Self.staleNowPlaying,
                let (listen, account) = try await prepare(user, track, stored.at, 0, client), await isRunning(),
                let plugin = resolve()
            else { return }
            do {
                try await PluginCalls.run(pluginID, deadline: deadline) {
                    try await plugin.nowPlaying(listen, account: account)
                }
                await health.succeeded(pluginID)
            } catch let rejected as LinkedAccountRejected {
                try await accounts.markRejected(plugin: pluginID, user: user, reason: rejected.reason)
            } catch {
                // Now playing is worth nothing later: noted, not retried.
                await health.failed(pluginID, error)
                logger.warning(
                    "now playing not sent",
                    metadata: ["plugin.id": "\(pluginID)", "error": "\(PluginHealth.describe(error))"])
            }
        case .trackPlayed:
            try await submit([stored])
        default:
            return
        }
    }

    /// Sends one listener's plays (those that count), oldest first, in one call. Their account
    /// and preferences are read once for the run.
    private func submit(_ events: [StoredEvent]) async throws {
        let plays = events.compactMap { event -> (UserID, TrackID, Date, Int, String?)? in
            guard
                case .trackPlayed(let owner, let track, _, let startedAt, let seconds, let counts, let client) =
                    event.event, counts
            else { return nil }
            return (owner, track, startedAt, seconds, client)
        }
        guard let user = plays.first?.0, let account = try await account(of: user) else { return }
        var listens: [Listen] = []
        for (owner, trackID, startedAt, seconds, client) in plays where owner == user {
            if let track = try await catalog.track(trackID) {
                listens.append(Self.listen(track, startedAt, seconds, client))
            }
        }
        guard !listens.isEmpty else { return }
        guard await isRunning(), let plugin = resolve() else { throw PluginNotRunning(pluginID: pluginID) }
        let batch = listens
        do {
            try await PluginCalls.run(pluginID, deadline: deadline) {
                try await plugin.submit(batch, account: account)
            }
        } catch let rejected as LinkedAccountRejected {
            try await accounts.markRejected(plugin: pluginID, user: user, reason: rejected.reason)
            return
        } catch {
            await health.failed(pluginID, error)
            logger.warning(
                "listens not delivered, will retry",
                metadata: [
                    "plugin.id": "\(pluginID)", "listens": "\(listens.count)",
                    "error": "\(PluginHealth.describe(error))",
                ])
            throw error
        }
        await health.succeeded(pluginID)
        try await accounts.recordSent(plugin: pluginID, user: user, count: listens.count)
    }

    /// The listen and the account to send it with, or nil when nothing is to be sent.
    private func prepare(_ user: UserID, _ trackID: TrackID, _ startedAt: Date, _ seconds: Int, _ client: String?)
        async throws -> (Listen, LinkedAccount)?
    {
        guard let account = try await account(of: user), let track = try await catalog.track(trackID) else {
            return nil
        }
        return (Self.listen(track, startedAt, seconds, client), account)
    }

    /// The listener's linked account, when they have one and left scrobbling on.
    private func account(of user: UserID) async throws -> LinkedAccount? {
        guard let account = try await accounts.account(plugin: pluginID, user: user),
            try await users.preferences(of: user).scrobbling
        else { return nil }
        return account
    }

    private static func listen(_ track: Track, _ startedAt: Date, _ seconds: Int, _ client: String?) -> Listen {
        Listen(
            trackID: track.id, title: track.title, artist: track.artistName, album: track.album,
            albumArtist: track.albumArtistName, trackNumber: track.trackNumber,
            durationSeconds: Int(saturating: Double(track.audio.durationMs) / 1000), startedAt: startedAt,
            secondsPlayed: seconds, musicBrainzRecordingID: track.musicBrainz.recordingID,
            musicBrainzReleaseID: track.musicBrainz.releaseID, musicBrainzArtistIDs: track.musicBrainz.artistIDs,
            isrc: track.isrc, client: client)
    }
}
