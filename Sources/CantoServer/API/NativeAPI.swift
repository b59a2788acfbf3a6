import CantoCore
import Hummingbird

/// The native JSON API under `/api/v1`, and its OpenAPI document at `/api/openapi.json`.
enum NativeAPI {
    static func addRoutes(to router: Router<CantoRequestContext>, services: CantoServices) {
        let accounts = services.accounts
        router.get("api/openapi.json") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(
                status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.json)))
        }
        let api = router.group("api/v1")
            .add(middleware: APIErrorMiddleware())
            .add(
                middleware: SessionAuthMiddleware(
                    accounts: accounts, catalogs: services.catalogs, plans: services.plans)
            )
            .add(middleware: CSRFMiddleware())
        AuthController(accounts: accounts).addRoutes(to: api)
        let signedIn = api.group().add(middleware: RequireUserMiddleware())
        MeController(accounts: accounts, plans: services.plans, state: services.state).addRoutes(to: signedIn)
        HistoryController(accounts: accounts, playback: services.playback, state: services.state)
            .addRoutes(to: signedIn)
        MediaController(delivery: services.delivery, covers: services.covers).addRoutes(to: signedIn)
        PluginRoutesController(plugins: services.registry, deadline: services.pluginDeadline).addRoutes(to: signedIn)
        PluginSettingsController(plugins: services.registry, store: services.pluginUserSettings).addRoutes(
            to: signedIn)
        LinkedAccountsController(
            plugins: services.registry, linkedAccounts: services.linkedAccounts, playback: services.playback
        ).addRoutes(to: signedIn)
        // Catalog JSON carries a tag of its body; a repeat with it is a 304 (see `EntityTags`).
        CatalogController(state: services.state).addRoutes(
            to: signedIn.group().add(middleware: EntityTagMiddleware()))
        RecommendationController(
            state: services.state,
            recommendations: services.recommendations
        ).addRoutes(to: signedIn)
        let playlists = PlaylistController(state: services.state, accounts: accounts, plans: services.plans)
        playlists.addRoutes(to: signedIn)
        SmartPlaylistController(state: services.state, playlists: playlists).addRoutes(to: signedIn)
        SessionController(
            sessions: services.sessions, accounts: accounts, registry: services.registry,
            deadline: services.pluginDeadline
        ).addRoutes(to: signedIn)
        MixController(
            mixes: services.mixes, state: services.state, impressions: services.impressions, playlists: playlists,
            clock: services.clock
        ).addRoutes(to: signedIn)
        StatsController(stats: services.stats).addRoutes(to: signedIn)
        let plans = PlanController(
            plans: services.plans, accounts: accounts, registry: services.registry, catalogs: services.catalogs)
        plans.addRoutes(to: signedIn)
        let admin = api.group("admin").add(middleware: RequireAdminMiddleware())
        plans.addAdminRoutes(to: admin)
        AdminController(accounts: accounts, catalogs: services.catalogs).addRoutes(to: admin)
        LogLevelsController(levels: services.logLevels).addRoutes(to: admin)
        ServerStatsController(
            activity: services.activity, stats: services.statsStore, accounts: accounts, catalogs: services.catalogs
        ).addRoutes(to: admin)
        RecommendationReportController(
            impressions: services.impressions, recommendations: services.recommendations, accounts: accounts,
            clock: services.clock
        ).addRoutes(to: admin)
        SystemController(
            monitor: services.monitor, plugins: services.registry,
            folders: OperationalGauges.folders(of: services.configuration),
            clock: services.clock
        ).addRoutes(to: admin)
        OperationsController(
            libraries: services.libraries, scans: services.scans, plugins: services.registry,
            overrides: services.scanning.overrides, fileSections: services.configuration.plugins, jobs: services.jobs,
            sonic: services.sonic
        ).addRoutes(to: admin)
    }
}
