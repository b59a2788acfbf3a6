import CantoCore
import CantoDomain
import CantoPluginKit
import CantoStore
import CantoTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Prometheus
import Testing

@testable import CantoServer

/// The whole router in this process over real SQLite files and two scanned libraries of generated
/// audio ("Open" and "Hidden"), with an admin: most API tests run here instead of against the binary.
struct InProcessServer {
    let data: TemporaryDirectory
    let services: CantoServices
    /// What the services were built from: another `CantoServices` over it is the same server restarted.
    let configuration: CantoConfiguration
    let router: Router<CantoRequestContext>
    let admin: User
    /// The libraries' folders, in the order configured.
    let open: URL
    let hidden: URL

    /// Titles and names tagged into the hidden library: none may reach a caller who cannot see it.
    static let hiddenNames = ["Hidden Rooms", "Beta Secret", "Quiet Door"]

    /// `plugins` are added to the built-in ones; `environment` configures them
    /// (`CANTO_PLUGINS_<ID>_<KEY>`).
    /// `clock` is the server's wall clock (throttling, sessions). `music` replaces the two generated
    /// libraries with these folders (the shared fixture library, say).
    static func start(
        plugins: [any CantoPlugin.Type] = [], environment: [String: String] = [:],
        clock: any WallClock = SystemClock(), music: [URL]? = nil, pluginDeadline: Duration = .seconds(10)
    ) async throws -> InProcessServer {
        let data = try TemporaryDirectory(prefix: "canto-inproc")
        var open = data.url.appendingPathComponent("open")
        var hidden = data.url.appendingPathComponent("hidden")
        if let music, let first = music.first {
            open = first
            hidden = music.last ?? first
        } else {
            try Self.makeLibrary(
                at: open, artist: "Alpha Open", album: "Open Skies", titles: ["Bright Day", "Wide Field"])
            try Self.makeLibrary(
                at: hidden, artist: "Beta Secret", album: "Hidden Rooms", titles: ["Quiet Door", "Low Hall"])
        }
        let folders = music ?? [open, hidden]
        let configuration = try CantoConfiguration.load(
            environment: environment,
            flags: ["library.music_folders": folders.map(\.path).joined(separator: ","), "data.dir": data.path],
            workingDirectory: data.path)
        let services = try await CantoServices(
            configuration: configuration, logger: Logger(label: "test"), plugins: BuiltinPlugins.all + plugins,
            clock: clock, pluginDeadline: pluginDeadline)
        // As `canto serve` does: the plugins run for the server's life.
        await services.registry.startAll()
        let summary = try await services.scans.scanNow()
        #expect(summary.added >= (music == nil ? 4 : 1), "\(summary)")
        let admin = try await services.accounts.createUser(
            username: "admin", password: "admin-password-1", role: .admin, actor: nil, address: nil
        ).user
        let router = buildRouter(services: services, metrics: PrometheusCollectorRegistry(), logger: Logger(label: "t"))
        return InProcessServer(
            data: data, services: services, configuration: configuration, router: router, admin: admin, open: open,
            hidden: hidden)
    }

    private static func makeLibrary(at root: URL, artist: String, album: String, titles: [String]) throws {
        let folder = root.appendingPathComponent(artist).appendingPathComponent(album)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (index, title) in titles.enumerated() {
            try AudioClip(seconds: 2, frequency: 330 + 110 * index).encode(
                .mp3, to: folder.appendingPathComponent("\(index + 1) \(title).mp3"),
                metadata: [
                    "title": title, "artist": artist, "album_artist": artist, "album": album,
                    "track": "\(index + 1)", "genre": artist.hasPrefix("Beta") ? "Secret Jazz" : "Open Rock",
                    "date": "2001", "lyrics": "\(title) lyrics",
                ])
        }
        try AudioClip.jpeg(to: folder.appendingPathComponent("cover.jpg"))
    }

    /// A user of the household, limited to `libraries` (nil for all), with an API key for Subsonic
    /// calls and a session token for the native API.
    func addUser(_ username: String, libraries: [LibraryID]? = nil, canShare: Bool = true) async throws -> Caller {
        var user = try await services.accounts.createUser(
            username: username, password: "user-password-1", role: .user, actor: admin, address: nil
        ).user
        user.libraryIDs = libraries
        user.canShare = canShare
        user = try await services.accounts.updateUser(user, role: nil, actor: admin, address: nil)
        let key = try await services.accounts.createAPIKey(named: "tests", for: user, address: nil)
        let session = try await services.accounts.login(
            username: username, password: "user-password-1", address: nil, client: "tests")
        return Caller(user: user, apiKey: key.secret, token: session.token)
    }

    /// A session token for the admin.
    func addAdminSession() async throws -> String {
        try await services.accounts.login(
            username: "admin", password: "admin-password-1", address: nil, client: "tests"
        ).token
    }

    /// A caller's credentials.
    struct Caller: Sendable {
        let user: User
        let apiKey: String
        let token: String
    }

    /// One answer: status, headers and the body as text.
    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: String

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
        /// The Subsonic response object.
        var subsonic: [String: Any] { json["subsonic-response"] as? [String: Any] ?? [:] }
        /// The Subsonic error code, nil for success.
        var subsonicError: Int? { (subsonic["error"] as? [String: Any])?["code"] as? Int }
    }

    /// Every route as "METHOD /path/:parameter", sorted: the router's own list.
    var routeNames: [String] {
        Set(
            router.routes.map { route in
                let path = "\(route.path)".split(separator: "/").map { part in
                    part.hasPrefix("{") && part.hasSuffix("}") ? ":" + part.dropFirst().dropLast() : part
                }.joined(separator: "/")
                return "\(route.method.rawValue) /\(path)"
            }
        ).sorted()
    }

    /// Every track ID of the catalog, album by album.
    func trackIDs() async throws -> [TrackID] {
        var ids: [TrackID] = []
        for album in try await services.catalog.albums(offset: 0, limit: 10_000) {
            ids += try await services.catalog.tracks(inAlbum: album.id).map(\.id)
        }
        return ids
    }

    /// Runs `body` with the router as an `HTTPTransport`: the live tests' `Client` over it, in process.
    func withTransport<Value: Sendable>(_ body: @Sendable (RouterTransport) async throws -> Value) async throws
        -> Value
    {
        try await withClient { client in try await body(RouterTransport(client: client.client)) }
    }

    /// The router behind the live tests' `HTTPTransport`: the same requests, no sockets.
    struct RouterTransport: HTTPTransport {
        let client: any TestClientProtocol
        var base: String { "http://localhost" }

        func request(_ method: String, _ path: String, headers: [String: String], body: Data?) async throws
            -> HTTP.Result
        {
            var fields = HTTPFields()
            for (name, value) in headers {
                if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
            }
            return try await client.execute(
                uri: path, method: HTTPRequest.Method(rawValue: method) ?? .get, headers: fields,
                body: body.map { ByteBuffer(bytes: $0) }
            ) { response in
                var answer: [String: String] = [:]
                for field in response.headers {
                    let name = field.name.canonicalName
                    answer[name] = answer[name].map { $0 + ", " + field.value } ?? field.value
                }
                return HTTP.Result(
                    status: Int(response.status.code), headers: answer, data: Data(response.body.readableBytesView))
            }
        }
    }

    /// Runs `body` with a client on the router (no sockets; the same middleware and handlers).
    func withClient<Value: Sendable>(_ body: @Sendable (Client) async throws -> Value) async throws -> Value {
        let app = Application(router: router)
        return try await app.test(.router) { client in try await body(Client(client: client)) }
    }

    /// Runs `body` with the server listening on loopback (its port the second argument), for
    /// what must reach it over a socket (a fake provider's webhooks); `Client` goes over it too.
    func withLiveClient<Value: Sendable>(_ body: @Sendable (Client, Int) async throws -> Value) async throws -> Value {
        let app = Application(router: router)
        return try await app.test(.live) { client in try await body(Client(client: client), client.port ?? 0) }
    }

    /// Requests through the router.
    struct Client: Sendable {
        let client: any TestClientProtocol

        func send(
            _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: Any? = nil, body: String? = nil,
            range: String? = nil, contentType: String? = nil, headers extra: [String: String] = [:]
        ) async throws -> Answer {
            var headers = HTTPFields()
            for (name, value) in extra {
                if let name = HTTPField.Name(name) { headers[name] = value }
            }
            if let contentType { headers[.contentType] = contentType }
            if let token { headers[.authorization] = "Bearer \(token)" }
            if let range { headers[.range] = range }
            var buffer: ByteBuffer?
            if let json {
                headers[.contentType] = "application/json"
                buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
            } else if let body {
                buffer = ByteBuffer(string: body)
            }
            return try await client.execute(uri: uri, method: method, headers: headers, body: buffer) { response in
                Answer(status: response.status, headers: response.headers, body: String(buffer: response.body))
            }
        }

        /// A Subsonic call as `caller` (API key auth), in JSON.
        func subsonic(_ method: String, _ parameters: [(String, String)] = [], as caller: Caller) async throws
            -> Answer
        {
            let items = [("apiKey", caller.apiKey), ("v", "1.16.1"), ("c", "tests"), ("f", "json")] + parameters
            let query = items.map { "\($0.0)=\(Self.escape($0.1))" }.joined(separator: "&")
            return try await send(.get, "/rest/\(method)?\(query)")
        }

        static func escape(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
        }
    }
}
