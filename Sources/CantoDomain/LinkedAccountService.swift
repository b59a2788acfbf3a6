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

    public init(store: any LinkedAccountStore, secrets: SecretBox, events: any EventLog, deadline: Duration) {
        self.store = store
        self.secrets = secrets
        self.events = events
        self.deadline = deadline
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
        _ plugin: any ListenSinkPlugin, token: String, for user: User, at date: Date = Date()
    ) async throws -> LinkedAccountRecord {
        let pluginID = type(of: plugin).descriptor.id
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
        let record = LinkedAccountRecord(
            pluginID: pluginID, userID: user.id, sealedSecret: try secrets.seal(Data(token.utf8)),
            name: name.map { String($0.prefix(200)) }, linkedAt: date)
        try await store.saveLinkedAccount(record)
        return record
    }

    /// The account to send `user`'s listens with, when linked and not refused.
    public func account(plugin: String, user: UserID) async throws -> LinkedAccount? {
        guard let record = try await store.linkedAccount(plugin: plugin, user: user), record.state == .linked else {
            return nil
        }
        let secret = try secrets.open(record.sealedSecret)
        return LinkedAccount(userID: user, secret: String(decoding: secret, as: UTF8.self), name: record.name)
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
