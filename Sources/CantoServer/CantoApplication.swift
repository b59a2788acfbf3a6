import CantoCore
import CantoPluginKit
import CantoStore
import Foundation
import Hummingbird
import LocalPlugin
import Logging
import Prometheus

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
    public let libraries: [Library]

    /// Opens the database (running migrations) and creates the enabled plugins.
    public init(configuration: CantoConfiguration, logger: Logger) async throws {
        self.configuration = configuration
        database = try CantoDatabase(dataDirectory: configuration.dataDirectory, busyTimeout: configuration.busyTimeout)
        let catalog = CatalogRepository(database: database)
        self.catalog = catalog
        libraries = configuration.musicFolders.map { path in
            Library(id: CatalogIDs.library(path: path), name: (path as NSString).lastPathComponent, path: path)
        }
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
        scans = ScanCoordinator(registry: registry, catalog: catalog, libraries: libraries, logger: logger)
    }

    /// Starts the plugins, scans once, stops them: `canto scan`.
    public func scan(progress: @escaping @Sendable (ScanProgress) -> Void) async throws -> ScanSummary {
        await registry.startAll()
        let summary = try await scans.scanNow(progress: progress)
        await registry.stopAll()
        return summary
    }
}

/// Builds the HTTP application: routes, middleware and the background services.
public func buildApplication(
    services: CantoServices, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger
) -> some ApplicationProtocol {
    let configuration = services.configuration
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: LogRequestsMiddleware(.info))
    router.add(middleware: FileMiddleware(configuration.webDirectory.path, searchForIndexHtml: true, logger: logger))
    router.get("/healthz") { _, _ in "ok" }
    router.get("/readyz") { _, _ -> Response in
        // Ready once the database is open and migrated, which building the services did;
        // the query checks it still answers.
        do {
            _ = try await services.catalog.counts()
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready")))
        } catch {
            return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "not ready")))
        }
    }
    router.get("/metrics") { _, _ -> Response in
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(
            status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
    }
    let interval =
        configuration.scanIntervalMinutes > 0 ? Duration.seconds(configuration.scanIntervalMinutes * 60) : nil
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Canto"),
        services: [
            PluginService(registry: services.registry),
            ScannerService(coordinator: services.scans, scanOnStart: configuration.scanOnStart, interval: interval),
        ],
        logger: logger)
}
