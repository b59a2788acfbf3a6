import CantoCore
import CantoDomain
import CantoPluginKit
import CantoSecurity
import CantoStore
import Foundation
import LocalPlugin
import Logging

/// The built-in plugins, in the order they start.
public enum BuiltinPlugins {
    public static let all: [any CantoPlugin.Type] = [LocalLibraryPlugin.self]

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
}

/// Everything `canto serve` runs, wired together in one place (the composition root).
public struct CantoServices: Sendable {
    public let configuration: CantoConfiguration
    public let database: CantoDatabase
    public let catalog: CatalogRepository
    public let registry: PluginRegistry
    public let scans: ScanCoordinator
    /// The music folders: the configuration's and those added by an admin.
    public let libraries: LibraryManager
    public let accounts: AccountService
    public let sharing: any SharingStore
    /// Lists and searches for the Subsonic API and the web UI.
    public let queries: any CatalogQueries
    /// The catalog as the APIs read it: per-user views and the shared readings' caches.
    public let catalogs: CatalogService
    /// The outbox of domain events and their delivery to subscribers.
    public let events: EventOutbox
    public let dispatcher: EventDispatcher
    /// Plays and starts, recorded and published in one place.
    public let playback: PlaybackService
    /// Who is playing what: a subscriber of the playback events.
    let nowPlaying: NowPlaying
    /// Decides who a Subsonic request comes from (`u`+`p`, `u`+`t`+`s`, `apiKey`).
    public let subsonicAuthenticator: SubsonicAuthenticator
    /// Streams originals and transcodes; chooses between them.
    let streamer: MediaStreamer
    let planner: StreamPlanner
    /// Scaled cover images.
    let covers: CoverArtService
    /// Opens the database (running migrations) and creates the enabled plugins.
    public init(configuration: CantoConfiguration, logger: Logger) async throws {
        self.configuration = configuration
        database = try CantoDatabase(dataDirectory: configuration.dataDirectory, busyTimeout: configuration.busyTimeout)
        let catalog = CatalogRepository(database: database)
        self.catalog = catalog
        let configured = configuration.musicFolders.map { LibraryManager.library(path: $0, name: nil) }
        let dataDirectory = configuration.dataDirectory
        registry = try PluginRegistry(
            types: BuiltinPlugins.all, configurations: configuration.plugins,
            context: { descriptor in
                var pluginLogger = logger
                pluginLogger[metadataKey: "plugin.id"] = "\(descriptor.id)"
                return PluginContext(
                    logger: pluginLogger,
                    dataDirectory: dataDirectory.appendingPathComponent("plugins/\(descriptor.id)"),
                    catalog: catalog, catalogWriter: catalog)
            }, logger: logger)
        let events = EventOutbox(database: database)
        self.events = events
        scans = ScanCoordinator(
            registry: registry, catalog: catalog, libraries: configured, events: events, logger: logger)
        sharing = SharingRepository(database: database)
        queries = CatalogQueryRepository(database: database)
        catalogs = CatalogService(reader: catalog, queries: queries)
        dispatcher = EventDispatcher(log: events)
        playback = PlaybackService(
            history: HistoryRepository(database: database), events: events, dispatcher: dispatcher)
        let accountStore = AccountRepository(database: database)
        libraries = try await LibraryManager(
            configured: configured, settings: accountStore, scans: scans, events: events)
        let hasher = PasswordHasher(cost: configuration.bcryptCost)
        let secrets = try SecretBox(dataDirectory: dataDirectory)
        let throttle = LoginThrottle()
        subsonicAuthenticator = SubsonicAuthenticator(
            users: accountStore, apiKeys: accountStore, hasher: hasher, secrets: secrets, throttle: throttle)
        let caches = dataDirectory.appendingPathComponent("cache")
        streamer = MediaStreamer(
            cache: try DiskCache(
                directory: caches.appendingPathComponent("transcodes"), capacityBytes: configuration.transcodeCacheBytes
            ),
            limiter: TranscodeLimiter(
                limit: configuration.maxConcurrentTranscodes, timeout: configuration.transcodeQueueTimeout))
        planner = StreamPlanner(
            clientDefaults: configuration.clientStreamDefaults, defaultFormat: configuration.defaultTranscodeFormat)
        covers = CoverArtService(
            catalog: catalog,
            cache: try DiskCache(
                directory: caches.appendingPathComponent("covers"), capacityBytes: configuration.coverCacheBytes))
        accounts = AccountService(
            users: accountStore, sessions: accountStore, apiKeys: accountStore,
            history: HistoryRepository(database: database), state: LibraryStateRepository(database: database),
            audit: accountStore, settings: accountStore, hasher: hasher, secrets: secrets, throttle: throttle,
            sessionLifetime: configuration.sessionLifetime, idleTimeout: configuration.sessionIdleTimeout,
            logger: logger)
        let nowPlaying = NowPlaying()
        self.nowPlaying = nowPlaying
        await dispatcher.subscribe(nowPlaying)
    }

    /// The track and its file's path, when it exists and lies in the view.
    func visibleTrack(_ id: TrackID, in view: CatalogView) async throws -> (track: Track, path: String)? {
        guard let track = try await view.track(id),
            let library = try await view.libraries().first(where: { $0.id == track.libraryID })
        else { return nil }
        return (track, library.path + "/" + track.path)
    }

    /// Starts the plugins, scans once, stops them: `canto scan`.
    public func scan(progress: @escaping @Sendable (ScanProgress) -> Void) async throws -> ScanSummary {
        await registry.startAll()
        let summary = try await scans.scanNow(progress: progress)
        await registry.stopAll()
        return summary
    }
}
