import CantoCore
import CantoDomain
import Foundation
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
public import Prometheus
import ServiceLifecycle

/// Builds the HTTP application: routes, middleware and the background services.
public func buildApplication(
    services: CantoServices, metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger
) throws -> some ApplicationProtocol {
    let configuration = services.configuration
    // Every warning and error logged over HTTP also reaches the System page.
    let logger = services.monitor.logs.feeding(logger.subsystem("http"))
    let router = buildRouter(services: services, metrics: metrics, logger: logger)
    // A connection with no request in progress (one that never finishes its headers included)
    // is closed after the idle timeout, so idle sockets cannot pile up.
    let http1 = HTTP1Channel.Configuration(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))
    var server = HTTPServerBuilder.http1(configuration: http1)
    if let tls = configuration.tls {
        let certificates = try NIOSSLCertificate.fromPEMFile(tls.certificate)
        let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
        server = try .tls(
            .http1(configuration: http1),
            tlsConfiguration: TLSConfiguration.makeServerConfiguration(
                certificateChain: certificates.map { .certificate($0) }, privateKey: .privateKey(key)))
    }
    return Application(
        router: router, server: server,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Canto"),
        services: backgroundServices(services, logger: logger),
        logger: logger)
}

/// What runs beside the HTTP server: plugins, events, scans, clean-ups, the analyser (when
/// `[recommendations] analyse` is on), backups and the gauges.
func backgroundServices(_ services: CantoServices, logger: Logger) -> [any Service] {
    let configuration = services.configuration
    let interval =
        configuration.scanIntervalMinutes > 0 ? Duration.seconds(configuration.scanIntervalMinutes * 60) : nil
    var list: [any Service] = [
        PluginService(registry: services.registry),
        EventService(dispatcher: services.dispatcher),
        PluginJobService(scheduler: services.jobs),
        ScannerService(coordinator: services.scans, scanOnStart: configuration.scanOnStart, interval: interval),
        SessionCleanupService(accounts: services.accounts),
        MixRefreshService(mixes: services.mixes),
    ]
    if configuration.recommendations.analyse { list.append(SonicAnalysisService(analysis: services.sonic)) }
    list += [
        ServerActivityService(activity: services.activity, logger: logger.subsystem("activity")),
        BackupService(
            settings: configuration.backup, dataDirectory: configuration.dataDirectory,
            busyTimeout: configuration.busyTimeout, logger: logger.subsystem("backup")),
        OperationalGaugesService(gauges: OperationalGauges(services: services)),
        AllocatorTrimService(),
    ]
    return list + (services.accessLog.map { [AccessLogService(log: $0, logger: logger)] } ?? [])
}

/// The routes and middleware: probes, metrics, the native API and the static web UI.
func buildRouter(services: CantoServices, metrics: PrometheusCollectorRegistry, logger: Logger)
    -> Router<CantoRequestContext>
{
    let configuration = services.configuration
    let router = Router(context: CantoRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(
        middleware: ClientAddressMiddleware(
            trustedProxies: Set(configuration.trustedProxies), tls: configuration.tls != nil))
    router.add(middleware: MetricsMiddleware())
    router.add(
        middleware: RequestLogMiddleware(
            activity: services.activity, accessLog: services.accessLog, requests: services.monitor.requests))
    router.add(middleware: OversizedBodyMiddleware())
    router.add(
        middleware: AddressRequestLimitMiddleware(
            limiter: AddressRequestLimiter(limit: configuration.maxRequestsPerAddress)))
    // The web UI's files: ETag and Last-Modified from the file, and revalidated before each use
    // (a new version shows at the next load; an unchanged file costs a 304).
    router.add(
        middleware: FileMiddleware(
            configuration.webDirectory.path, cacheControl: CacheControl([(MediaType(type: .any), [.noCache])]),
            searchForIndexHtml: true, logger: logger))
    router.get("/healthz") { _, _ in "ok" }
    router.get("/readyz") { _, _ -> Response in
        // Ready once the database is open and migrated, which building the services did;
        // the query checks it still answers.
        do {
            _ = try await services.catalogs.counts()
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready")))
        } catch {
            return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "not ready")))
        }
    }
    router.get("/metrics") { _, _ -> Response in
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        CacheMetrics.publish()
        return Response(
            status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
    }
    NativeAPI.addRoutes(to: router, services: services)
    SubsonicAPI(services: services).addRoutes(to: router)
    services.pictures.addPublicRoutes(to: router)
    LinkedAccountsController.addPublicRoutes(
        to: router, plugins: services.registry, linkedAccounts: services.linkedAccounts)
    PluginRoutesController(plugins: services.registry, deadline: services.pluginDeadline).addPublicRoutes(to: router)
    PublicShares(
        sharing: services.sharing, accounts: services.accounts, catalogs: services.catalogs,
        delivery: services.delivery, plans: services.plans
    ).addRoutes(to: router)
    return router
}
