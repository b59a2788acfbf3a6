import CantoCore
import CantoDomain
import CantoSecurity
import CantoStore
import Foundation
import Hummingbird
import Logging

/// One Subsonic call, authenticated.
struct SubsonicCall: Sendable {
    var parameters: SubsonicParameters
    var user: User
    /// The catalog as the caller may see it: the only way handlers read it.
    var catalog: CatalogView
    /// The users' own marks, lists and queues.
    var state: any LibraryStateStore
    var request: Request
    var context: CantoRequestContext

    /// The caller's view narrowed by `musicFolderId`, for the calls that take it (lists, indexes).
    func listing() async throws -> CatalogView {
        guard let number = try parameters.int("musicFolderId") else { return catalog }
        return try await catalog.narrowed(toLibraryNumber: number)
    }
}

/// The OpenSubsonic API under `/rest`: one router, one authentication step, one error mapping.
struct SubsonicAPI: Sendable {
    typealias Handler = @Sendable (SubsonicCall) async throws -> SubsonicPayload

    let catalogs: CatalogService
    let state: any LibraryStateStore
    let authenticator: SubsonicAuthenticator
    /// Narrows each caller to what their plan opens.
    let plans: PlanService
    /// Apps' players, seen through their calls.
    let sessions: PlaybackSessions
    private(set) var handlers: [String: Handler] = [:]
    /// Answerable without credentials (the OpenSubsonic spec requires it for the extensions list).
    private(set) var openMethods: [String: @Sendable () -> SubsonicPayload] = [:]

    /// Methods of the Subsonic API Canto does not offer; each answers error 0 with a message.
    static let unsupported: Set<String> = [
        "getVideos", "getVideoInfo", "getCaptions", "hls", "getChatMessages", "addChatMessage",
        "getPodcasts", "getNewestPodcasts", "refreshPodcasts", "createPodcastChannel", "deletePodcastChannel",
        "deletePodcastEpisode", "downloadPodcastEpisode", "getPodcastEpisode", "search",
    ]

    /// Browsing answers that carry an `ETag` (a hash of the body) and answer 304 to a repeat with it.
    static let revalidated: Set<String> = [
        "getMusicFolders", "getIndexes", "getMusicDirectory", "getGenres", "getArtists", "getArtist", "getAlbum",
        "getSong", "getAlbumList", "getAlbumList2", "getStarred", "getStarred2", "getSongsByGenre", "getArtistInfo",
        "getArtistInfo2", "getAlbumInfo", "getAlbumInfo2", "getTopSongs", "getSimilarSongs", "getSimilarSongs2",
        "search2", "search3", "getPlaylists", "getPlaylist",
    ]

    /// Wires each group of methods to the services it uses (the composition root hands them over).
    init(services: CantoServices) {
        catalogs = services.catalogs
        state = services.state
        authenticator = services.subsonicAuthenticator
        plans = services.plans
        sessions = services.sessions
        SubsonicSessions(sessions: services.sessions).register(in: &self)
        SubsonicSystem.register(in: &self)
        SubsonicBrowsing(budget: services.memoryBudget).register(in: &self)
        SubsonicAnnotation(
            accounts: services.accounts, playback: services.playback, nowPlaying: services.nowPlaying,
            sessions: services.sessions, impressions: services.impressions, clock: services.clock
        ).register(in: &self)
        SubsonicQueues().register(in: &self)
        SubsonicPlaylists(accounts: services.accounts).register(in: &self)
        SubsonicUsers(accounts: services.accounts, scans: services.scans, catalogs: services.catalogs)
            .register(in: &self)
        SubsonicMedia(
            delivery: services.delivery, covers: services.covers, plans: services.plans, accounts: services.accounts
        )
        .register(in: &self)
        SubsonicDirectories().register(in: &self)
        SubsonicSharing(sharing: services.sharing, plans: services.plans).register(in: &self)
        SubsonicLists(
            recommendations: services.recommendations, pictures: services.pictures, budget: services.memoryBudget
        ).register(in: &self)
    }

    mutating func on(_ method: String, _ handler: @escaping Handler) { handlers[method] = handler }
    mutating func open(_ method: String, _ handler: @escaping @Sendable () -> SubsonicPayload) {
        openMethods[method] = handler
    }

    /// Whether `path` is a Subsonic method's (`/rest/…`): its answers, errors included, are Subsonic envelopes.
    static func serves(_ path: String) -> Bool { path.hasPrefix("/rest/") }

    func addRoutes(to router: Router<CantoRequestContext>) {
        router.get("rest/:method") { request, context in try await handle(request, context) }
        router.post("rest/:method") { request, context in try await handle(request, context) }
    }

    static let maxFormBytes = 64 * 1024

    func handle(_ request: Request, _ context: CantoRequestContext) async throws -> Response {
        var method = try context.parameters.require("method")
        if method.hasSuffix(".view") { method.removeLast(5) }
        var form: String?
        var formError: SubsonicError?
        if request.method == .post,
            request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
        {
            do {
                form = String(buffer: try await request.body.collect(upTo: Self.maxFormBytes))
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                // Answered in the envelope the client reads (its format from the query), not a bare 413.
                formError = SubsonicError(.generic, "The form is larger than \(Self.maxFormBytes / 1024) KiB.")
            }
        }
        let parameters = SubsonicParameters(query: request.uri.query, form: form)
        let format = SubsonicFormat(parameters)
        if let formError { return format.failure(formError) }
        if let open = openMethods[method] { return format.success(open()) }
        do {
            // Every client sends its protocol version and name; any version is accepted.
            for name in ["v", "c"] where (parameters.string(name) ?? "").isEmpty { throw SubsonicError.missing(name) }
            let user = try await authenticate(parameters, context: context)
            var context = context
            context.noteSignedIn(user)
            if let handler = handlers[method] {
                let call = SubsonicCall(
                    parameters: parameters, user: user, catalog: catalogs.view(for: user), state: state,
                    request: request, context: context)
                let answer = try await handler(call)
                await SubsonicSessions.note(method, call, sessions: sessions)
                guard Self.revalidated.contains(method) else { return format.success(answer) }
                return try await EntityTags.tagged(format.success(answer), for: request)
            }
            throw Self.unsupported.contains(method)
                ? SubsonicError.notImplemented(method)
                : SubsonicError(.generic, "Unknown method: \(method)")
        } catch let error as SubsonicError {
            return format.failure(error)
        } catch let failure as any DomainFailure {
            return format.failure(SubsonicError(failure.domainError))
        } catch let error where DiskFull.caused(error) {
            context.logger.warning("disk full: a write was refused", metadata: InternalErrorLog.metadata(error))
            return format.failure(SubsonicError(.storageFull))
        } catch {
            context.logger.error(
                "subsonic internal error",
                metadata: InternalErrorLog.metadata(error).merging(["subsonic.method": "\(method)"]) { $1 })
            return format.failure(.internalError)
        }
    }

    private func authenticate(_ parameters: SubsonicParameters, context: CantoRequestContext) async throws -> User {
        let credentials = SubsonicCredentials(parameters: parameters.firstValues)
        let result = try await authenticator.authenticate(credentials, address: context.clientAddress)
        switch result {
        case .authenticated(let user): return try await plans.scoped(user)
        case .failed(let error):
            throw SubsonicError(SubsonicError.Code(rawValue: error.code) ?? .wrongCredentials, error.message)
        case .throttled(let seconds): throw SubsonicError(.wrongCredentials, LoginThrottle.message(retryAfter: seconds))
        }
    }
}
