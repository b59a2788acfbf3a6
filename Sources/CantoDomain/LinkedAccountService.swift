public import CantoCore
public import CantoPluginKit
public import CantoSecurity
public import Foundation

/// Listeners' accounts at plugins' services: linking (the plugin checks the token with its
/// service), the sealed secrets, what was sent and what is waiting.
public struct LinkedAccountService: Sendable {
    let store: any LinkedAccountStore
    let secrets: SecretBox
    let events: any EventLog
    let deadline: Duration
    /// Web links begun and not yet come back, by their one-time state.
    let pending = PendingLinks()
    /// The OAuth plugins' clients now, by plugin id (their tokens are refreshed here).
    public let oauth: @Sendable (String) -> OAuthPlugin?
    let clock: any WallClock

    public init(
        store: any LinkedAccountStore, secrets: SecretBox, events: any EventLog, deadline: Duration,
        oauth: @escaping @Sendable (String) -> OAuthPlugin? = { _ in nil }, clock: any WallClock = SystemClock()
    ) {
        self.store = store
        self.secrets = secrets
        self.events = events
        self.deadline = deadline
        self.oauth = oauth
        self.clock = clock
    }

    /// One listener's link to one plugin, as the profile page shows it.
    public struct Status: Sendable, Equatable {
        public var pluginID: String
        public var pluginName: String
        public var record: LinkedAccountRecord?
        /// Plays that count and wait to be sent to this plugin.
        public var waiting: Int
    }

    /// Checks `token` with the plugin's service and keeps it sealed for `user`.
    public func link(
        _ plugin: any TokenLinking, pluginID: String, token: String, for user: User, at date: Date = Date()
    ) async throws -> LinkedAccountRecord {
        let token = token.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, token.count <= 1_024, !token.contains(where: \.isNewline) else {
            throw DomainError.invalid(
                "token", "Paste the token your account page shows (one line, at most 1024 characters).")
        }
        let name: String?
        do {
            name = try await PluginCalls.run(pluginID, deadline: deadline) { try await plugin.link(token: token) }
        } catch let rejected as LinkedAccountRejected {
            throw DomainError.invalid("token", "The service did not accept this token (\(rejected.reason)).")
        } catch {
            throw DomainError.unavailable("The service could not check the token now; try again later.")
        }
        return try await save(secret: token, name: name, plugin: pluginID, user: user.id, at: date)
    }

    func save(secret: String, name: String?, plugin: String, user: UserID, at date: Date) async throws
        -> LinkedAccountRecord
    {
        let record = LinkedAccountRecord(
            pluginID: plugin, userID: user, sealedSecret: try secrets.seal(Data(secret.utf8)),
            name: name.map { String($0.prefix(200)) }, linkedAt: date)
        try await store.saveLinkedAccount(record)
        return record
    }

    /// Where to send `user` to link their account at `plugin`'s service: its page, coming back to
    /// `callbackBase` with a one-time `state` (valid for ten minutes) that names the listener.
    public func beginWebLink(
        _ plugin: any WebLinking, pluginID: String, for user: User, callbackBase: URL, at date: Date = Date()
    ) async throws -> URL {
        let state = Tokens.sessionToken()
        await pending.add(state, PendingLinks.Link(plugin: pluginID, user: user.id, expires: date + 600))
        guard var components = URLComponents(url: callbackBase, resolvingAgainstBaseURL: false) else {
            throw DomainError.invalid("callback", "The server's address could not make a callback.")
        }
        components.queryItems = [URLQueryItem(name: "state", value: state)]
        guard let callback = components.url else {
            throw DomainError.invalid("callback", "The server's address could not make a callback.")
        }
        do {
            return try plugin.authorizationURL(callback: callback)
        } catch {
            throw DomainError.unavailable("This service cannot be connected now: \(PluginHealth.describe(error)).")
        }
    }

    /// The listener came back from the service: checks the one-time state, asks the plugin for
    /// the account, keeps it sealed. Returns the record, or throws (a state unknown, used or
    /// expired is `notFound`).
    public func completeWebLink(
        _ plugin: any WebLinking, pluginID: String, parameters: [String: String], at date: Date = Date()
    ) async throws -> LinkedAccountRecord {
        guard let state = parameters["state"], let link = await pending.take(state, at: date), link.plugin == pluginID
        else { throw DomainError(.notFound, "This link is unknown, used or expired; connect again from your profile.") }
        let rest = parameters.filter { $0.key != "state" }
        let account: (secret: String, name: String?)
        do {
            account = try await PluginCalls.run(pluginID, deadline: deadline) {
                try await plugin.completeLink(parameters: rest)
            }
        } catch let rejected as LinkedAccountRejected {
            throw DomainError.invalid("token", "The service did not grant access (\(rejected.reason)).")
        } catch {
            throw DomainError.unavailable("The service could not be reached to finish connecting; try again later.")
        }
        return try await save(secret: account.secret, name: account.name, plugin: pluginID, user: link.user, at: date)
    }

    /// The account to send `user`'s listens with, when linked and not refused.
    public func account(plugin: String, user: UserID) async throws -> LinkedAccount? {
        guard let record = try await store.linkedAccount(plugin: plugin, user: user), record.state == .linked else {
            return nil
        }
        let secret = String(decoding: try secrets.open(record.sealedSecret), as: UTF8.self)
        guard let tokens = OAuthTokens(secret: secret) else {
            return LinkedAccount(userID: user, secret: secret, name: record.name)
        }
        guard let client = oauth(plugin) else { return nil }
        do {
            let access = try await freshAccess(tokens, plugin: plugin, user: user, oauth: client, at: clock.now)
            return LinkedAccount(userID: user, secret: access, name: record.name)
        } catch let rejected as LinkedAccountRejected {
            try await markRejected(plugin: plugin, user: user, reason: rejected.reason)
            return nil
        }
    }

    /// The listeners linked to the plugin's service.
    public func linkedUsers(plugin: String) async throws -> [UserID] {
        try await store.linkedUsers(plugin: plugin)
    }

    /// The state of `user`'s link to the plugin's service (nil when never linked).
    public func state(plugin: String, user: UserID) async throws -> LinkedAccountRecord.State? {
        try await store.linkedAccount(plugin: plugin, user: user)?.state
    }

    /// Each listen-sink plugin with `user`'s link to it (if any) and what waits for it.
    public func statuses(of user: UserID, plugins: [PluginDescriptor], subscriber: (String) -> String)
        async throws -> [Status]
    {
        let records = Dictionary(
            try await store.linkedAccounts(of: user).map { ($0.pluginID, $0) }, uniquingKeysWith: { a, _ in a })
        var statuses: [Status] = []
        for plugin in plugins {
            let record = records[plugin.id]
            let waiting =
                record == nil
                ? 0
                : try await events.pendingCount(
                    for: subscriber(plugin.id), kind: "track.played", user: user)
            statuses.append(Status(pluginID: plugin.id, pluginName: plugin.name, record: record, waiting: waiting))
        }
        return statuses
    }

    public func unlink(plugin: String, user: UserID) async throws -> Bool {
        try await store.deleteLinkedAccount(plugin: plugin, user: user)
    }

    /// The service refused the account: the listener must link it again.
    public func markRejected(plugin: String, user: UserID, reason: String) async throws {
        try await store.setLinkedAccountState(
            plugin: plugin, user: user, state: .reconnect, message: String(reason.prefix(300)))
    }

    public func recordSent(plugin: String, user: UserID, count: Int, at date: Date = Date()) async throws {
        try await store.recordSent(plugin: plugin, user: user, count: count, at: date)
    }
}

/// Web links begun and not yet come back: one-time states, each naming a listener and a plugin,
/// for ten minutes. Kept in memory: a restart asks the listener to start again.
public actor PendingLinks {
    public struct Link: Sendable {
        var plugin: String
        var user: UserID
        var expires: Date
        /// OAuth: the PKCE code verifier and the redirect URI the code is bound to.
        var verifier: String? = nil
        var redirect: URL? = nil
    }

    private var links: [String: Link] = [:]

    func add(_ state: String, _ link: Link) {
        links = links.filter { $0.value.expires > link.expires - 600 }
        if links.count < 1_000 { links[state] = link }
    }

    /// The link for `state`, once; nil when unknown, used or expired.
    func take(_ state: String, at date: Date) -> Link? {
        guard let link = links.removeValue(forKey: state), link.expires > date else { return nil }
        return link
    }
}
