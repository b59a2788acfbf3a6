import CantoCore
import CantoDomain
import CantoPluginKit
import Foundation
import Hummingbird
import Logging

/// A listener's accounts at the services of the plugins (scrobblers, Spotify: link by pasting a
/// token or through the service's page, unlink, what was sent and what waits), and now playing
/// from the web player.
struct LinkedAccountsController {
    let plugins: PluginRegistry
    let linkedAccounts: LinkedAccountService
    let playback: PlaybackService

    func addRoutes(to group: RouterGroup<CantoRequestContext>) {
        group.get("me/linked-accounts", use: list)
        group.put("me/linked-accounts/:plugin", use: link)
        group.post("me/linked-accounts/:plugin/authorize", use: authorize)
        group.delete("me/linked-accounts/:plugin", use: unlink)
        group.post("me/now-playing", use: nowPlaying)
    }

    /// The services a listener can link.
    private var sinks: [any CantoPlugin] { plugins.linkables }

    private func sink(_ context: CantoRequestContext) throws -> any CantoPlugin {
        let id = try context.parameters.require("plugin")
        guard let sink = sinks.first(where: { type(of: $0).descriptor.id == id }) else { throw APIError.notFound }
        return sink
    }

    private func statuses(of user: UserID) async throws -> [Wire.LinkedAccount] {
        let styles = Dictionary(
            sinks.map {
                (type(of: $0).descriptor.id, $0 is any WebLinking || $0 is any OAuthLinking ? "web" : "token")
            },
            uniquingKeysWith: { a, _ in a })
        return try await linkedAccounts.statuses(
            of: user, plugins: sinks.map { type(of: $0).descriptor }, subscriber: ListenDelivery.subscriberID
        ).map { Wire.LinkedAccount($0, linkStyle: styles[$0.pluginID] ?? "token") }
    }

    @Sendable func list(_ request: Request, context: CantoRequestContext) async throws -> Wire.Page<Wire.LinkedAccount>
    {
        Wire.Page(all: try await statuses(of: try context.requireUser().id))
    }

    @Sendable func link(_ request: Request, context: CantoRequestContext) async throws -> Wire.LinkedAccount {
        let user = try context.requireUser()
        let sink = try sink(context)
        let id = type(of: sink).descriptor.id
        guard let linking = sink as? any TokenLinking else {
            throw APIError.badRequest("This service is connected through its own page: use authorize.")
        }
        let body = try await request.decode(as: Wire.LinkToken.self, context: context)
        _ = try await linkedAccounts.link(linking, pluginID: id, token: body.token, for: user)
        guard let status = try await statuses(of: user.id).first(where: { $0.plugin == id }) else {
            throw APIError.notFound
        }
        return status
    }

    /// Starts a web link: the service's page to send the listener to.
    @Sendable func authorize(_ request: Request, context: CantoRequestContext) async throws -> Wire.Authorization {
        let user = try context.requireUser()
        let sink = try sink(context)
        let id = type(of: sink).descriptor.id
        guard let authority = request.head.authority,
            let base = URL(string: "\(context.isSecure ? "https" : "http")://\(authority)/plugins/\(id)/link-callback")
        else { throw APIError.badRequest("The request does not name the server's address (Host).") }
        if let linking = sink as? any OAuthLinking {
            guard !linking.oauth.clientID.isEmpty else {
                throw APIError.badRequest(
                    "This service is not set up yet: an admin enters the Client ID of the household's app in its settings."
                )
            }
            let url = try await linkedAccounts.beginOAuthLink(
                pluginID: id, client: linking.oauth, for: user, redirectURI: base)
            return Wire.Authorization(url: url.absoluteString)
        }
        guard let linking = sink as? any WebLinking else {
            throw APIError.badRequest("This service is connected by pasting a token.")
        }
        let url = try await linkedAccounts.beginWebLink(linking, pluginID: id, for: user, callbackBase: base)
        return Wire.Authorization(url: url.absoluteString)
    }

    /// The listener comes back from the service (public: the state names them): the account is
    /// kept and they land on their profile.
    static func addPublicRoutes(
        to router: Router<CantoRequestContext>, plugins: PluginRegistry, linkedAccounts: LinkedAccountService
    ) {
        router.get("plugins/:plugin/link-callback") { request, context -> Response in
            let id = try context.parameters.require("plugin")
            var outcome = "linked=\(id)"
            let sink = plugins.linkables.first { type(of: $0).descriptor.id == id }
            var parameters: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { parameters[String(name)] = String(value) }
            do {
                if let linking = sink as? any OAuthLinking, let oauth = linkedAccounts.oauth(id) {
                    _ = try await linkedAccounts.completeOAuthLink(
                        linking, pluginID: id, oauth: oauth, parameters: parameters)
                } else if let linking = sink as? any WebLinking {
                    _ = try await linkedAccounts.completeWebLink(linking, pluginID: id, parameters: parameters)
                } else {
                    throw APIError.notFound
                }
            } catch {
                context.logger.notice(
                    "link not completed",
                    metadata: ["plugin.id": "\(id)", "error": "\(String(reflecting: type(of: error)))"])
                outcome = "link-failed=\(id)"
            }
            var headers = HTTPFields()
            headers[.location] = "/#/profile?\(outcome)"
            headers[.cacheControl] = "no-store"
            return Response(status: .seeOther, headers: headers)
        }
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
        /// How a listener connects: "token" (paste one) or "web" (the service's page, through authorize).
        var linkStyle: String

        init(_ status: LinkedAccountService.Status, linkStyle: String) {
            self.linkStyle = linkStyle
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

    /// The service's page to send the listener to.
    struct Authorization: ResponseEncodable {
        var url: String
    }

    struct LinkToken: Decodable {
        var token: String
    }

    struct NowPlaying: Decodable {
        var trackId: String
        var client: String?
    }
}
