public import CantoCore
public import CantoDomain
import CantoMedia
public import CantoPluginKit
import CantoSecurity
import CantoStore
import CoListeningPlugin
import Foundation
import LastFMPlugin
import ListenBrainzPlugin
import LocalPlugin
public import Logging
import ManualPaymentsPlugin
import SonicRecommenderPlugin
import SpotifyPlugin
import StripePlugin

/// The built-in plugins, in the order they start.
public enum BuiltinPlugins {
    public static let all: [any CantoPlugin.Type] = [
        LocalLibraryPlugin.self, ListenBrainzPlugin.self, LastFMPlugin.self, SonicRecommenderPlugin.self,
        CoListeningPlugin.self, SpotifyPlugin.self, StripePlugin.self, ManualPaymentsPlugin.self,
    ]

    /// Secret keys by plugin id, masked by `canto config check`.
    public static var secretKeys: [String: [String]] {
        Dictionary(uniqueKeysWithValues: all.map { ($0.descriptor.id, $0.descriptor.secretKeys) })
    }
}

extension CantoConfiguration {
    /// Checks the `[plugins.*]` sections against the built-in plugins without starting them.
    public func validatePlugins() throws {
        try PluginRegistry.validate(types: BuiltinPlugins.all, configurations: plugins)
    }

    /// The built-in plugins as configured, created and started by nothing (`canto plugins`).
    public func describePlugins() throws -> [PluginStatus] {
        try PluginRegistry.describe(types: BuiltinPlugins.all, configurations: plugins)
    }
}

/// What scanning needs and nothing more: the database, the plugins (each writing only its own
/// libraries) and the coordinator. `canto scan` builds only this; the server builds it too.
public struct LibraryScanning: Sendable {
    let database: CantoDatabase
    let catalog: CatalogRepository
    public let registry: PluginRegistry
    public let scans: ScanCoordinator
    let events: EventOutbox
    /// The configured music folders (the local library's).
    let configured: [Library]

    /// What an admin changed on the admin page (the file and environment win where they set a key).
    let overrides: PluginOverrides
    /// The linked-account service the plugins see, once the server has made it.
    let linkedAccounts = LinkedAccountsBinding()

    /// Opens the database (running migrations) and creates the enabled plugins, configured by the
    /// configuration file and environment over what an admin set on the admin page.
    public init(
        configuration: CantoConfiguration, logger: Logger, plugins: [any CantoPlugin.Type] = BuiltinPlugins.all,
        clock: any WallClock = SystemClock()
    ) async throws {
        let database = try CantoDatabase(
            dataDirectory: configuration.dataDirectory, busyTimeout: configuration.busyTimeout,
            mappedBytes: configuration.databaseMappedBytes)
        self.database = database
        let overrides = PluginOverrides(
            settings: AccountRepository(database: database),
            secrets: try SecretBox(dataDirectory: configuration.dataDirectory))
        self.overrides = overrides
        let effective = try await overrides.effective(configuration.plugins, types: plugins)
        let catalog = CatalogRepository(database: database)
        self.catalog = catalog
        configured = configuration.musicFolders.map { LibraryManager.library(path: $0, name: nil) }
        let dataDirectory = configuration.dataDirectory
        let binding = linkedAccounts
        registry = try PluginRegistry(
            types: plugins, configurations: effective,
            context: { descriptor, section in
                var pluginLogger = logger.subsystem("plugins")
                pluginLogger[metadataKey: "plugin.id"] = "\(descriptor.id)"
                return PluginContext(
                    logger: pluginLogger,
                    dataDirectory: dataDirectory.appendingPathComponent("plugins/\(descriptor.id)"),
                    catalog: catalog,
                    catalogWriter: SourceCatalogWriter(source: descriptor.id, writer: catalog, reader: catalog),
                    http: HostHTTPClient(descriptor, configuration: section),
                    storage: PluginValueRepository(database: database, pluginID: descriptor.id),
                    tables: PluginTableStore(
                        database: database, pluginID: descriptor.id, declaresTables: !descriptor.migrations.isEmpty),
                    listenerData: HostListenerData(
                        pluginID: descriptor.id, allowed: descriptor.permissions.listenerData,
                        history: HistoryRepository(database: database),
                        state: LibraryStateRepository(database: database), users: AccountRepository(database: database),
                        mayImport: descriptor.permissions.importsListening, catalog: catalog),
                    userSettings: HostUserSettings(
                        pluginID: descriptor.id, declared: descriptor.userSettings,
                        store: LinkedAccountRepository(database: database)),
                    sonicFeatures: SonicFeatureRepository(database: database),
                    linkedAccounts: HostLinkedAccounts(
                        pluginID: descriptor.id, allowed: descriptor.permissions.linkedAccounts, binding: binding),
                    planGrants: HostPlanGrants(
                        pluginID: descriptor.id, allowed: descriptor.permissions.payments,
                        store: PlanRepository(database: database), audit: AccountRepository(database: database),
                        graceDays: configuration.paymentGraceDays, clock: clock))
            }, logger: logger.subsystem("plugins"), locked: configuration.plugins.mapValues { Set($0.values.keys) },
            prepare: { descriptor in
                // The plugin's own tables are as its descriptor says before it starts.
                try await PluginTableStore(database: database, pluginID: descriptor.id, declaresTables: true)
                    .migrate(descriptor.migrations)
            })
        events = EventOutbox(database: database)
        scans = ScanCoordinator(
            sources: registry, catalog: catalog, libraries: configured, events: events,
            logger: logger.subsystem("scanner"),
            explain: { error in
                DiskFull.caused(error)
                    ? "The disk that holds the data folder is full, so the scan stopped. Free some space and scan again."
                    : "The scan failed: the server's log says why."
            })
    }

    /// Starts the plugins, scans once, stops them: `canto scan`.
    public func scan(progress: @escaping @Sendable (ScanProgress) -> Void) async throws -> ScanSummary {
        await registry.startAll()
        let summary = try await scans.scanNow(progress: progress)
        await registry.stopAll()
        return summary
    }
}

extension AccountService {
    /// The accounts over the database, as the server and `canto user` use them.
    static func open(
        database: CantoDatabase, configuration: CantoConfiguration, throttle: LoginThrottle, logger: Logger,
        clock: any WallClock = SystemClock()
    ) throws -> AccountService {
        let store = AccountRepository(database: database)
        return AccountService(
            users: store, sessions: store, apiKeys: store, audit: store, settings: store,
            hasher: PasswordHasher(cost: configuration.bcryptCost),
            secrets: try SecretBox(dataDirectory: configuration.dataDirectory), throttle: throttle,
            sessionLifetime: configuration.sessionLifetime, idleTimeout: configuration.sessionIdleTimeout,
            logger: logger, clock: clock)
    }

    /// Only the accounts: `canto user` needs no plugins, scanner or caches.
    public static func open(configuration: CantoConfiguration, logger: Logger) throws -> AccountService {
        let database = try CantoDatabase(
            dataDirectory: configuration.dataDirectory, busyTimeout: configuration.busyTimeout,
            mappedBytes: configuration.databaseMappedBytes)
        return try open(database: database, configuration: configuration, throttle: LoginThrottle(), logger: logger)
    }
}

/// Everything `canto serve` runs, wired together in one place (the composition root). It only
/// builds and connects; each API surface and controller is handed the few services it uses. A
/// class, so the services are made once and shared, never copied (as a struct of this size, a
/// copy on a task's small stack in a debug build came within bytes of overflowing it).
public final class CantoServices: Sendable {
    public let configuration: CantoConfiguration
    let scanning: LibraryScanning
    public var registry: PluginRegistry { scanning.registry }
    public var scans: ScanCoordinator { scanning.scans }
    /// The catalog's tables, for readiness and the tests.
    var catalog: CatalogRepository { scanning.catalog }
    /// The music folders: the configuration's and those added by an admin.
    public let libraries: LibraryManager
    public let accounts: AccountService
    /// Plans, what they grant each listener, and the ledger.
    public let plans: PlanService
    /// Stars, ratings, playlists, queues and bookmarks.
    let state: any LibraryStateStore
    let sharing: any SharingStore
    /// The catalog as the APIs read it: per-user views and the shared readings' caches.
    public let catalogs: CatalogService
    /// The delivery of domain events to subscribers.
    let dispatcher: EventDispatcher
    /// Plays and starts, recorded and published in one place; the listening history.
    public let playback: PlaybackService
    /// Who is playing what: a subscriber of the playback events.
    let nowPlaying: NowPlaying
    /// Every open player (web tabs, Subsonic apps) and the commands between them.
    let sessions: PlaybackSessions
    /// Decides who a Subsonic request comes from (`u`+`p`, `u`+`t`+`s`, `apiKey`).
    let subsonicAuthenticator: SubsonicAuthenticator
    /// Streams, downloads and share players: locate, plan, send.
    let delivery: TrackDelivery
    /// Scaled cover images.
    let covers: CoverArtService
    /// Artist pictures at signed public addresses (for getArtistInfo's image URLs).
    let pictures: ArtistPictures
    /// Listeners' accounts at plugins' services (scrobblers).
    public let linkedAccounts: LinkedAccountService
    /// Plugins' periodic jobs.
    let jobs: PluginJobScheduler
    /// The longest any call into a plugin may take.
    let pluginDeadline: Duration
    /// Listeners' values of plugins' settings.
    let pluginUserSettings: any PluginUserSettingStore
    /// Tracks' sonic features, and the background analyser that measures them.
    let sonicFeatures: SonicFeatureRepository
    let sonic: SonicAnalysis
    /// The recommenders asked together and blended with the listener's taste.
    let recommendations: RecommendationService
    /// Daily mixes and Rediscover, made for each listener.
    let mixes: MixService
    /// Listening statistics from the rollups.
    let stats: StatsService
    let statsStore: any StatsStore
    /// Recommendations shown and what came of them.
    let impressions: any ImpressionStore
    /// The server's wall clock.
    let clock: any WallClock
    /// The server's own activity (streams, transcodes, bytes, caches, plays, scans, slow requests).
    let activity: ServerActivity
    /// The log levels in force, which the admin page changes: the ones `canto serve`'s log
    /// handlers read; otherwise the configuration's, read by nothing.
    public let logLevels: LogLevels
    /// The Combined Log Format access log, when `log.access_log` names one.
    let accessLog: AccessLog?
    /// The admin's System page: requests per minute and the last warnings and errors logged.
    let monitor: SystemMonitor
    /// The bytes the in-memory caches share (`[cache] memory_mb`).
    let memoryBudget: MemoryBudget

    /// Opens the database (running migrations) and creates the enabled plugins (`plugins`:
    /// the built-in ones; tests add their own). `clock` is where sign-in throttling, sessions and
    /// verification caches read the time (tests move a `ManualClock` instead of sleeping).
    /// `logLevels`: the levels the log handlers read, which the admin page changes.
    public init(
        configuration: CantoConfiguration, logger: Logger, plugins: [any CantoPlugin.Type] = BuiltinPlugins.all,
        clock: any WallClock = SystemClock(), pluginDeadline: Duration = .seconds(10), logLevels: LogLevels? = nil
    ) async throws {
        self.configuration = configuration
        self.clock = clock
        let monitor = SystemMonitor(clock: clock)
        self.monitor = monitor
        // Every warning and error the services log also reaches the System page.
        let logger = monitor.logs.feeding(logger)
        let levels = configuration.logLevels
        self.logLevels = logLevels ?? LogLevels(level: levels.level, subsystems: levels.subsystems)
        accessLog = try configuration.accessLogPath.map { try AccessLog(path: $0) }
        let scanning = try await LibraryScanning(
            configuration: configuration, logger: logger, plugins: plugins, clock: clock)
        self.scanning = scanning
        let database = scanning.database
        let catalog = scanning.catalog
        let events = scanning.events
        sharing = SharingRepository(database: database)
        let memoryBudget = configuration.memoryBudget
        let queries = CatalogQueryRepository(database: database, budget: memoryBudget)
        self.memoryBudget = memoryBudget
        catalogs = CatalogService(reader: catalog, queries: queries, budget: memoryBudget)
        dispatcher = EventDispatcher(log: events)
        playback = PlaybackService(
            history: HistoryRepository(database: database), events: events, dispatcher: dispatcher)
        let accountStore = AccountRepository(database: database, budget: memoryBudget)
        state = LibraryStateRepository(database: database, clock: clock, budget: memoryBudget)
        libraries = try await LibraryManager(
            configured: scanning.configured, settings: accountStore, scans: scanning.scans,
            audit: accountStore)
        let throttle = LoginThrottle(clock: clock)
        accounts = try AccountService.open(
            database: database, configuration: configuration, throttle: throttle,
            logger: logger.subsystem("accounts"), clock: clock)
        subsonicAuthenticator = SubsonicAuthenticator(
            users: accountStore, apiKeys: accountStore, hasher: PasswordHasher(cost: configuration.bcryptCost),
            secrets: try SecretBox(dataDirectory: configuration.dataDirectory), throttle: throttle, clock: clock)
        let caches = configuration.cacheDirectory
        // One bounded pool for the server's blocking media work (each transcode's next chunk, each
        // cover), as wide as the cores allow: the limiter bounds how many streams are open, the
        // pool how many encode at once, taking turns chunk by chunk.
        let media = BlockingPool(label: "canto.media", threads: BlockingPool.mediaThreads)
        let limiter = TranscodeLimiter(
            limit: configuration.maxConcurrentTranscodes, timeout: configuration.transcodeQueueTimeout)
        let activity = ServerActivity(store: ServerActivityRepository(database: database), clock: clock)
        self.activity = activity
        let streamer = MediaStreamer(
            cache: try DiskCache(
                directory: caches.appendingPathComponent("transcodes"),
                capacityBytes: configuration.transcodeCacheBytes, name: "transcodes"),
            limiter: limiter, pool: media, activity: activity)
        let resolver = MediaResolver(
            sources: scanning.registry,
            mayReach: { [registry = scanning.registry] id, url in
                guard let plugin = registry.instances[id] else { return false }
                return HostHTTPClient(type(of: plugin).descriptor, configuration: registry.configuration(of: id))
                    .allows(url)
            })
        sonicFeatures = SonicFeatureRepository(database: database)
        sonic = SonicAnalysis(
            store: sonicFeatures, catalog: catalog, resolver: resolver,
            width: ProcessInfo.processInfo.activeProcessorCount, isBusy: { await limiter.isBusy },
            logger: logger.subsystem("analysis"))
        let plans = PlanService(
            store: PlanRepository(database: database), audit: AccountRepository(database: database), clock: clock)
        self.plans = plans
        delivery = TrackDelivery(
            resolver: resolver,
            planner: StreamPlanner(
                clientDefaults: configuration.clientStreamDefaults, defaultFormat: configuration.defaultTranscodeFormat),
            streamer: streamer, preferences: accountStore, plans: plans, slots: StreamSlots(clock: clock))
        let coverCache = try DiskCache(
            directory: caches.appendingPathComponent("covers"), capacityBytes: configuration.coverCacheBytes,
            name: "covers")
        covers = CoverArtService(
            catalog: catalog, cache: coverCache, pool: media, activity: activity,
            images: PluginImages(
                registry: scanning.registry, cache: coverCache, deadline: pluginDeadline, clock: clock))
        pictures = ArtistPictures(
            catalog: catalog, covers: covers, signer: try SecretBox(dataDirectory: configuration.dataDirectory))
        self.pluginDeadline = pluginDeadline
        pluginUserSettings = LinkedAccountRepository(database: database)
        let registry = scanning.registry
        // OAuth clients are read from the plugin as it is now (an admin may reconfigure it).
        let oauth: @Sendable (String) -> LinkedAccountService.OAuthPlugin? = { id in
            guard let plugin = registry.instances[id], let linking = plugin as? any OAuthLinking else { return nil }
            return LinkedAccountService.OAuthPlugin(
                client: linking.oauth,
                http: HostHTTPClient(type(of: plugin).descriptor, configuration: registry.configuration(of: id)))
        }
        let linkedAccounts = LinkedAccountService(
            store: LinkedAccountRepository(database: database),
            secrets: try SecretBox(dataDirectory: configuration.dataDirectory), events: events,
            deadline: pluginDeadline, oauth: oauth, clock: clock)
        self.linkedAccounts = linkedAccounts
        scanning.linkedAccounts.bind(linkedAccounts)
        let impressions = ImpressionRepository(database: database)
        self.impressions = impressions
        let recommendations = RecommendationService(
            plugins: registry, deadline: pluginDeadline, history: playback, state: state,
            weights: configuration.recommendations.weights, impressions: impressions,
            adapt: configuration.recommendations.adapt, clock: clock)
        self.recommendations = recommendations
        mixes = MixService(
            recommendations: recommendations, catalogs: catalogs, accounts: accounts, state: state,
            settings: accountStore, clock: clock, configuration: configuration.recommendations,
            logger: logger.subsystem("recommendations"))
        statsStore = StatsRepository(database: database)
        stats = StatsService(store: statsStore, users: accountStore, clock: clock)
        let nowPlaying = NowPlaying()
        self.nowPlaying = nowPlaying
        sessions = PlaybackSessions(clock: clock)
        try await dispatcher.subscribe(nowPlaying)
        try await dispatcher.subscribe(SonicAnalysisWaker(analysis: sonic))
        try await dispatcher.subscribe(ServerActivityRecorder(activity: activity))
        jobs = PluginJobScheduler(
            clock: clock, health: registry.health, isRunning: { await registry.isRunning($0) })
        for id in registry.instances.keys.sorted() {
            if let scheduled = registry.instances[id] as? any ScheduledPlugin { await jobs.schedule(scheduled) }
        }
        // Every plugin type that can take events or listens is subscribed, enabled or not, so one an
        // admin enables later gets them from that moment; each delivery finds the plugin as it is now.
        for type in plugins {
            let id = type.descriptor.id
            if type is any EventsPlugin.Type, type.descriptor.permissions.events {
                try await dispatcher.subscribe(
                    PluginEventDelivery(
                        pluginID: id, resolve: { registry.instances[id] as? any EventsPlugin },
                        isRunning: { await registry.isRunning(id) }, health: registry.health, deadline: pluginDeadline))
            }
            if type is any ListenSinkPlugin.Type {
                var sinkLogger = logger.subsystem("plugins")
                sinkLogger[metadataKey: "plugin.id"] = "\(id)"
                try await dispatcher.subscribe(
                    ListenDelivery(
                        pluginID: id, resolve: { registry.instances[id] as? any ListenSinkPlugin },
                        isRunning: { await registry.isRunning(id) }, catalog: catalog, users: accountStore,
                        accounts: linkedAccounts, health: registry.health, deadline: pluginDeadline,
                        logger: sinkLogger))
            }
        }
    }

    /// Starts the plugins, scans once, stops them.
    public func scan(progress: @escaping @Sendable (ScanProgress) -> Void) async throws -> ScanSummary {
        try await scanning.scan(progress: progress)
    }
}
