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
    let plugin: any ListenSinkPlugin
    /// Whether the plugin is running now (it may have failed to start).
    let isRunning: @Sendable () async -> Bool
    let catalog: any CatalogReader
    let users: any UserStore
    let accounts: LinkedAccountService
    let health: PluginHealth
    let deadline: Duration
    let logger: Logger

    public init(
        plugin: any ListenSinkPlugin, isRunning: @escaping @Sendable () async -> Bool, catalog: any CatalogReader,
        users: any UserStore, accounts: LinkedAccountService, health: PluginHealth, deadline: Duration, logger: Logger
    ) {
        pluginID = type(of: plugin).descriptor.id
        self.plugin = plugin
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

    public func handle(_ stored: StoredEvent) async throws {
        switch stored.event {
        case .trackStarted(let user, let track, let client):
            guard let (listen, account) = try await prepare(user, track, stored.at, 0, client), await isRunning()
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
        case .trackPlayed(let user, let track, _, let startedAt, let seconds, let counts, let client):
            guard counts, let (listen, account) = try await prepare(user, track, startedAt, seconds, client) else {
                return
            }
            guard await isRunning() else { throw PluginNotRunning(pluginID: pluginID) }
            do {
                try await PluginCalls.run(pluginID, deadline: deadline) {
                    try await plugin.submit([listen], account: account)
                }
            } catch let rejected as LinkedAccountRejected {
                try await accounts.markRejected(plugin: pluginID, user: user, reason: rejected.reason)
                return
            } catch {
                await health.failed(pluginID, error)
                logger.warning(
                    "listen not delivered, will retry",
                    metadata: ["plugin.id": "\(pluginID)", "error": "\(PluginHealth.describe(error))"])
                throw error
            }
            await health.succeeded(pluginID)
            try await accounts.recordSent(plugin: pluginID, user: user, count: 1)
        default:
            return
        }
    }

    /// The listen and the account to send it with, or nil when nothing is to be sent.
    private func prepare(_ user: UserID, _ trackID: TrackID, _ startedAt: Date, _ seconds: Int, _ client: String?)
        async throws -> (Listen, LinkedAccount)?
    {
        guard let account = try await accounts.account(plugin: pluginID, user: user),
            try await users.preferences(of: user).scrobbling,
            let track = try await catalog.track(trackID)
        else { return nil }
        let listen = Listen(
            trackID: track.id, title: track.title, artist: track.artistName, album: track.album,
            albumArtist: track.albumArtistName, trackNumber: track.trackNumber,
            durationSeconds: Int(saturating: Double(track.audio.durationMs) / 1000), startedAt: startedAt,
            secondsPlayed: seconds, musicBrainzRecordingID: track.musicBrainz.recordingID,
            musicBrainzReleaseID: track.musicBrainz.releaseID, musicBrainzArtistIDs: track.musicBrainz.artistIDs,
            isrc: track.isrc, client: client)
        return (listen, account)
    }
}
