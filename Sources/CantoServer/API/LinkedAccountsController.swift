import CantoCore
import CantoDomain
import CantoPluginKit
import Foundation
import Hummingbird

/// A listener's accounts at the scrobblers' services (link by pasting a token, unlink, what was
/// sent and what waits), and now playing from the web player.
struct LinkedAccountsController {
    let plugins: PluginRegistry
    let linkedAccounts: LinkedAccountService
    let playback: PlaybackService

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("me/linked-accounts", use: list)
        group.put("me/linked-accounts/:plugin", use: link)
        group.delete("me/linked-accounts/:plugin", use: unlink)
        group.post("me/now-playing", use: nowPlaying)
    }

    /// The scrobblers a listener can link.
    private var sinks: [any ListenSinkPlugin] {
        plugins.listenSinks.filter { type(of: $0).descriptor.permissions.linkedAccounts }
    }

    private func sink(_ context: CantoRequestContext) throws -> any ListenSinkPlugin {
        let id = try context.parameters.require("plugin")
        guard let sink = sinks.first(where: { type(of: $0).descriptor.id == id }) else { throw APIError.notFound }
        return sink
    }

    private func statuses(of user: UserID) async throws -> [Wire.LinkedAccount] {
        try await linkedAccounts.statuses(
            of: user, plugins: sinks.map { type(of: $0).descriptor }, subscriber: ListenDelivery.subscriberID
        ).map(Wire.LinkedAccount.init)
    }

    @Sendable func list(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<Wire.LinkedAccount>
    {
        Wire.Page(all: try await statuses(of: try context.requireUser().id))
    }

    @Sendable func link(_ request: Request, context: CantoRequestContext) async throws -> Wire.LinkedAccount {
        let user = try context.requireUser()
        let sink = try sink(context)
        let body = try await request.decode(as: Wire.LinkToken.self, context: context)
        _ = try await linkedAccounts.link(sink, token: body.token, for: user)
        let id = type(of: sink).descriptor.id
        guard let status = try await statuses(of: user.id).first(where: { $0.plugin == id }) else {
            throw APIError.notFound
        }
        return status
    }

    @Sendable func unlink(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let user = try context.requireUser()
        let sink = try sink(context)
        guard try await linkedAccounts.unlink(plugin: type(of: sink).descriptor.id, user: user.id) else {
            throw APIError.notFound
        }
        return .noContent
    }

    /// The web player started a track: scrobblers show it as now playing.
    @Sendable func nowPlaying(_ request: Request, context: CantoRequestContext) async throws -> HTTPResponse.Status {
        let view = try context.requireCatalog()
        let body = try await request.decode(as: Wire.NowPlaying.self, context: context)
        try await playback.started(
            TrackID(body.trackId), in: view, client: body.client ?? request.headers[.userAgent])
        return .noContent
    }
}

extension Wire {
    /// One scrobbler and the caller's link to it.
    struct LinkedAccount: ResponseEncodable {
        var plugin: String
        var name: String
        var linked: Bool
        /// The listener's name at the service.
        var account: String?
        /// "linked", or "reconnect" when the service refused the account.
        var state: String?
        var message: String?
        var sent: Int
        var lastSentAt: Date?
        var waiting: Int

        init(_ status: LinkedAccountService.Status) {
            plugin = status.pluginID
            name = status.pluginName
            linked = status.record != nil
            account = status.record?.name
            state = status.record?.state.rawValue
            message = status.record?.message
            sent = status.record?.sent ?? 0
            lastSentAt = status.record?.lastSentAt
            waiting = status.waiting
        }
    }

    struct LinkToken: Decodable {
        var token: String
    }

    struct NowPlaying: Decodable {
        var trackId: String
        var client: String?
    }
}
