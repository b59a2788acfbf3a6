public import Foundation

/// A listener's account at a plugin's service (ListenBrainz, Last.fm), as stored: the secret
/// sealed with the server's key, never in clear.
public struct LinkedAccountRecord: Sendable, Equatable {
    /// Whether the service still takes the account.
    public enum State: String, Sendable, Codable {
        /// In use.
        case linked
        /// Refused by the service: the listener must link it again.
        case reconnect
    }

    public var pluginID: String
    public var userID: UserID
    /// The token or session key, sealed (`SecretBox`).
    public var sealedSecret: Data
    /// The listener's name at the service.
    public var name: String?
    public var state: State
    /// Why the account needs reconnecting.
    public var message: String?
    public var linkedAt: Date
    /// How many listens were sent, and when the last went.
    public var sent: Int
    public var lastSentAt: Date?

    public init(
        pluginID: String, userID: UserID, sealedSecret: Data, name: String?, state: State = .linked,
        message: String? = nil, linkedAt: Date, sent: Int = 0, lastSentAt: Date? = nil
    ) {
        self.pluginID = pluginID
        self.userID = userID
        self.sealedSecret = sealedSecret
        self.name = name
        self.state = state
        self.message = message
        self.linkedAt = linkedAt
        self.sent = sent
        self.lastSentAt = lastSentAt
    }
}

/// Listeners' values of plugins' user settings.
public protocol PluginUserSettingStore: Sendable {
    /// `user`'s chosen values for `plugin`, by key.
    func pluginUserSettings(plugin: String, user: UserID) async throws -> [String: String]
    /// Saves `values` (replacing those keys) in one transaction.
    func savePluginUserSettings(_ values: [String: String], plugin: String, user: UserID) async throws
}

/// Where linked accounts are kept, one per plugin and listener; deleting the listener deletes theirs.
public protocol LinkedAccountStore: Sendable {
    func linkedAccount(plugin: String, user: UserID) async throws -> LinkedAccountRecord?
    func linkedAccounts(of user: UserID) async throws -> [LinkedAccountRecord]
    /// The listeners linked (and not asked to reconnect) to a plugin's service.
    func linkedUsers(plugin: String) async throws -> [UserID]
    /// Saves a new link (replacing an old one, with its counts reset).
    func saveLinkedAccount(_ record: LinkedAccountRecord) async throws
    /// Marks the account refused by the service (or linked again).
    func setLinkedAccountState(
        plugin: String, user: UserID, state: LinkedAccountRecord.State, message: String?
    ) async throws
    /// Replaces the sealed secret (a refreshed token), keeping the counts.
    func updateLinkedAccountSecret(plugin: String, user: UserID, sealedSecret: Data) async throws
    /// Counts `count` more listens sent at `date`.
    func recordSent(plugin: String, user: UserID, count: Int, at date: Date) async throws
    /// Unlinks; false when there was no link.
    func deleteLinkedAccount(plugin: String, user: UserID) async throws -> Bool
}
