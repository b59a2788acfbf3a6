public import CantoCore
public import Foundation
public import Logging

/// A provider plugin: a Swift type the server creates from its `[plugins.<id>]` section,
/// starts with the server and stops at shutdown.
///
/// A plugin adopts this protocol and a capability protocol. Today the server calls one
/// capability, ``MediaSourcePlugin``; the others a music server needs (scrobblers, metadata,
/// recommenders, payments) are added with the server code that calls them. The server finds
/// plugins by capability, so a new plugin needs no change to the server: only its type in the
/// built-in list.
///
/// ```swift
/// struct Radio: MediaSourcePlugin {
///     static let descriptor = PluginDescriptor(id: "radio", name: "Radio", version: "1.0")
///     init(configuration: PluginConfiguration, context: PluginContext) throws { … }
///     func scan(libraries: [Library], expectedFiles: Int,
///               progress: @escaping @Sendable (ScanProgress) -> Void) async throws -> ScanSummary { … }
///     func location(of track: Track, in library: Library) async throws -> MediaLocation { … }
/// }
/// ```
public protocol CantoPlugin: Sendable {
    /// Who the plugin is; `id` names its configuration section.
    static var descriptor: PluginDescriptor { get }

    /// Creates the plugin from its configuration section. Throw a ``PluginConfigurationError``
    /// for a key that is wrong, so start-up names it.
    init(configuration: PluginConfiguration, context: PluginContext) throws

    /// Called once when the server starts, before any capability is used (the first scan waits
    /// for every plugin's start to end).
    func start() async throws

    /// Called once at shutdown; release connections and files here.
    func stop() async
}

extension CantoPlugin {
    public func start() async throws {}
    public func stop() async {}
}

/// A plugin's identity, shown by `canto plugins` and the admin API.
public struct PluginDescriptor: Sendable, Equatable, Codable {
    /// Lowercase, stable: the TOML section is `[plugins.<id>]`.
    public var id: String
    public var name: String
    public var version: String
    /// Whether the plugin runs when its section does not say `enabled`.
    public var enabledByDefault: Bool
    /// The configuration keys the plugin accepts (besides `enabled`); others are rejected.
    public var configurationKeys: [String]
    /// Keys whose values are secrets, masked by `canto config check`.
    public var secretKeys: [String]
    /// What the plugin may do beyond its own configuration; the host refuses the rest.
    public var permissions: PluginPermissions
    /// Settings each listener chooses on their profile.
    public var userSettings: [PluginUserSetting]
    /// The schema of the plugin's own tables (``PluginTables``), applied before it starts.
    public var migrations: [PluginMigration]

    public init(
        id: String, name: String, version: String, enabledByDefault: Bool = false, configurationKeys: [String] = [],
        secretKeys: [String] = [], permissions: PluginPermissions = PluginPermissions(),
        userSettings: [PluginUserSetting] = [], migrations: [PluginMigration] = []
    ) {
        self.userSettings = userSettings
        self.migrations = migrations
        self.id = id
        self.name = name
        self.version = version
        self.enabledByDefault = enabledByDefault
        self.configurationKeys = configurationKeys
        self.secretKeys = secretKeys
        self.permissions = permissions
    }
}

/// What a plugin declares it needs. The host refuses anything undeclared with a clear error
/// (``PluginPermissionDenied``), and the admin page shows the list before enabling.
public struct PluginPermissions: Sendable, Equatable, Codable {
    /// Hosts the plugin may call over HTTP (`api.listenbrainz.org`, or `127.0.0.1:8080` with a
    /// port). A configured base URL's host must be among them or added by the plugin's `init`
    /// through ``PluginContext``'s HTTP client, which only reaches these.
    public var networkHosts: [String]
    /// Configuration keys holding a URL whose host the plugin may call too (a self-hosted
    /// service's `base_url`): the admin who sets the key chooses the host.
    public var networkHostKeys: [String]
    /// Whether listeners link an account of theirs (tokens kept sealed by the host).
    public var linkedAccounts: Bool
    /// Whether the plugin receives listens (now playing and plays) of listeners who linked an account.
    public var listens: Bool
    /// Authenticated routes under `/api/v1/plugins/<id>/…` (``RoutedPlugin``).
    public var routes: Bool
    /// Public routes under `/plugins/<id>/…`, reachable without signing in (callbacks, webhooks).
    public var publicRoutes: Bool
    /// Reads of listeners' plays, stars, ratings and playlists (``ListenerData``).
    public var listenerData: Bool
    /// Every household event (``EventsPlugin``).
    public var events: Bool
    /// Adding plays from elsewhere to listeners' histories (``ListenerData/importPlays(_:for:)``).
    public var importsListening: Bool
    /// Changing listeners' plans and the ledger from a payment provider's events (``PlanGrants``).
    public var payments: Bool

    public init(
        networkHosts: [String] = [], networkHostKeys: [String] = [], linkedAccounts: Bool = false,
        listens: Bool = false, routes: Bool = false, publicRoutes: Bool = false, listenerData: Bool = false,
        events: Bool = false, importsListening: Bool = false, payments: Bool = false
    ) {
        self.payments = payments
        self.importsListening = importsListening
        self.listenerData = listenerData
        self.events = events
        self.networkHosts = networkHosts
        self.networkHostKeys = networkHostKeys
        self.linkedAccounts = linkedAccounts
        self.listens = listens
        self.routes = routes
        self.publicRoutes = publicRoutes
    }
}

/// A plugin asked for something its descriptor does not declare.
public struct PluginPermissionDenied: Error, Sendable, Equatable, CustomStringConvertible {
    public var pluginID: String
    public var permission: String
    public init(pluginID: String, permission: String) {
        self.pluginID = pluginID
        self.permission = permission
    }
    public var description: String { "plugin \(pluginID) has not declared \(permission)" }
}

/// What the server hands a plugin: a logger, a folder of its own, the catalog.
public struct PluginContext: Sendable {
    /// A logger carrying `plugin.id`.
    public var logger: Logger
    /// A folder in the data directory reserved for this plugin (created on demand).
    public var dataDirectory: URL
    /// Read access to the catalog.
    public var catalog: any CatalogReader
    /// Write access to the catalog, for media sources: limited to the plugin's own libraries.
    public var catalogWriter: any CatalogWriter
    /// Outbound HTTP, limited to the hosts the descriptor declares, with timeouts and
    /// `Retry-After` on 429 and 503 (``PluginRetryLater``).
    public var http: any PluginHTTPClient
    /// The plugin's own key-value store in the server's database.
    public var storage: any PluginStorage
    /// The plugin's own tables (those its descriptor's migrations create).
    public var tables: any PluginTables
    /// Listeners' plays, stars, ratings and playlists (when declared).
    public var listenerData: any ListenerData
    /// Each listener's values of the descriptor's `userSettings`.
    public var userSettings: any PluginUserSettings
    /// Tracks' sonic features (the server's analyser measures them).
    public var sonicFeatures: any SonicFeatureReader
    /// Listeners' accounts at the plugin's service, with fresh access tokens (when declared).
    public var linkedAccounts: any PluginLinkedAccounts
    /// Listeners' plans and the ledger, for payment providers (when declared).
    public var planGrants: any PlanGrants

    public init(
        logger: Logger, dataDirectory: URL, catalog: any CatalogReader, catalogWriter: any CatalogWriter,
        http: any PluginHTTPClient, storage: any PluginStorage, tables: any PluginTables,
        listenerData: any ListenerData,
        userSettings: any PluginUserSettings, sonicFeatures: any SonicFeatureReader,
        linkedAccounts: any PluginLinkedAccounts = NoLinkedAccounts(), planGrants: any PlanGrants = NoPlanGrants()
    ) {
        self.linkedAccounts = linkedAccounts
        self.planGrants = planGrants
        self.sonicFeatures = sonicFeatures
        self.tables = tables
        self.userSettings = userSettings
        self.listenerData = listenerData
        self.logger = logger
        self.dataDirectory = dataDirectory
        self.catalog = catalog
        self.catalogWriter = catalogWriter
        self.http = http
        self.storage = storage
    }
}

/// Listeners' linked accounts at a plugin's own service, for a plugin that acts for a listener
/// beyond sending listens (importing their playlists, controlling their player). Needs
/// ``PluginPermissions/linkedAccounts``.
public protocol PluginLinkedAccounts: Sendable {
    /// The listener's account with a fresh access token (the host refreshes it and stores the
    /// rotated tokens); nil when they have not linked one. Throws ``LinkedAccountRejected`` when
    /// the service refused the refresh: the host has marked the link "reconnect".
    func account(of user: UserID) async throws -> LinkedAccount?
    /// The listeners who have linked an account (and were not asked to reconnect).
    func linkedUsers() async throws -> [UserID]
}

/// No linked accounts (a plugin that has not declared them, or a host without them).
public struct NoLinkedAccounts: PluginLinkedAccounts {
    public init() {}
    public func account(of user: UserID) async throws -> LinkedAccount? { nil }
    public func linkedUsers() async throws -> [UserID] { [] }
}
